package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// parseBench is the Go benchmark in lang/ that the parse row comes from:
// it parses a script of parseLines lines.
const (
	parseBench = "BenchmarkParse10kLines"
	parseLines = 10000
)

// parseFigure is the parse row: lines per second, or why there is none.
type parseFigure struct {
	linesPerSec float64
	runs        int
	err         error
}

// parseSpeed takes the figure from file (the output of `go test -bench`,
// as `make bench` saves it) or, without a file, runs the benchmark.
func parseSpeed(root, file string, log io.Writer) parseFigure {
	var out []byte
	var err error
	if file != "" {
		out, err = os.ReadFile(file)
	} else {
		fmt.Fprintln(log, "bench: parse ("+parseBench+")")
		cmd := exec.Command(goTool(), "test", "-run=^$", "-bench=^"+parseBench+"$", "-count=3", "./lang/")
		cmd.Dir = root
		out, err = cmd.CombinedOutput()
		if err != nil && !strings.Contains(string(out), parseBench) {
			// No such benchmark yet is not a failure of the table.
			err = nil
		}
	}
	if err != nil {
		return parseFigure{err: err}
	}
	return parseGoBench(string(out))
}

// parseGoBench reads lines of `go test -bench` output such as
//
//	BenchmarkParse10kLines-2   100   11800000 ns/op   847000 lines/s   ...
//
// and returns the median over every such line (-count=N gives N). A
// "lines/s" metric is used when the benchmark reports one, else lines/s
// is parseLines per ns/op.
func parseGoBench(out string) parseFigure {
	var vals []float64
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || (f[0] != parseBench && !strings.HasPrefix(f[0], parseBench+"-")) {
			continue
		}
		var linesPerSec, nsPerOp float64
		for i := 2; i+1 < len(f); i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "lines/s":
				linesPerSec = v
			case "ns/op":
				nsPerOp = v
			}
		}
		if linesPerSec == 0 && nsPerOp > 0 {
			linesPerSec = parseLines / (nsPerOp / 1e9)
		}
		if linesPerSec > 0 {
			vals = append(vals, linesPerSec)
		}
	}
	if len(vals) == 0 {
		return parseFigure{err: errors.New("n/a (no " + parseBench + " in lang/)")}
	}
	return parseFigure{linesPerSec: median(vals), runs: len(vals)}
}
