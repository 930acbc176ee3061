package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// firstEvent is issue 7's "spawn of a block, to its first event": not
// the cost of a spawn-and-wait cycle (the spawn rows), but how long a
// script waits from `spawn` until the child runs. Each side measures it
// itself, pinned to one CPU, with a pause between launches: C times fork
// to the first line of an exec'd program (bench/c/first_event.c); ipcsh's
// times come from --trace, the spawn's line to the child's first line.
type firstEvent struct {
	c, ipcsh value
}

// launches is how many spawns one measurement takes; the figure is the
// median of the medians of the rounds. (The test sets it small.)
var launches = 40

func measureFirstEvent(e env, r *runner, rounds int) firstEvent {
	var cs, is []float64
	var cErr, iErr error
	for range rounds {
		if ms, err := cFirstEvent(e, r); err != nil {
			cErr = err
		} else {
			cs = append(cs, ms)
		}
		if ms, err := ipcshFirstEvent(e, r); err != nil {
			iErr = err
		} else {
			is = append(is, ms)
		}
	}
	return firstEvent{c: medianValue(cs, cErr), ipcsh: medianValue(is, iErr)}
}

func medianValue(xs []float64, err error) value {
	if len(xs) == 0 {
		if err == nil {
			err = fmt.Errorf("no run")
		}
		return value{text: firstLine(err.Error())}
	}
	sort.Float64s(xs)
	return value{v: xs[len(xs)/2], ok: true}
}

func pinnedCmd(r *runner, argv ...string) *exec.Cmd {
	if r.taskset != "" {
		argv = append([]string{r.taskset, "-c", "0"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if r.attr != nil {
		cmd.SysProcAttr = r.attr()
	}
	cmd.Env = append(os.Environ(), r.extraEnv...)
	return cmd
}

func cFirstEvent(e env, r *runner) (float64, error) {
	out, err := pinnedCmd(r, filepath.Join(e.out, "first_event"), strconv.Itoa(launches), filepath.Join(e.out, "stamp")).Output()
	if err != nil {
		return 0, fmt.Errorf("first_event: %v", err)
	}
	return strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
}

func ipcshFirstEvent(e env, r *runner) (float64, error) {
	trace, err := os.CreateTemp("", "bench-trace-*.jsonl")
	if err != nil {
		return 0, err
	}
	trace.Close()
	defer os.Remove(trace.Name())
	cmd := pinnedCmd(r, filepath.Join(e.out, "ipcsh"), "--trace", trace.Name(), filepath.Join(e.root, "bench", "ipcsh", "first_event.ipc"), strconv.Itoa(launches))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("ipcsh first_event.ipc: %v: %s", err, stderr.String())
	}
	f, err := os.Open(trace.Name())
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return spawnLatency(f)
}

// spawnLatency reads a trace and returns the median, in ms, from each
// spawn of c to c's first event.
func spawnLatency(trace io.Reader) (float64, error) {
	var lat []float64
	var spawned int64 = -1
	sc := bufio.NewScanner(trace)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		var ev struct {
			T    int64  `json:"t_ns"`
			Proc string `json:"proc"`
			Verb string `json:"verb"`
			Obj  string `json:"obj"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return 0, err
		}
		switch {
		case ev.Proc == "main" && ev.Verb == "spawn" && ev.Obj == "proc:c":
			spawned = ev.T
		case ev.Proc == "c" && spawned >= 0:
			lat = append(lat, float64(ev.T-spawned)/1e6)
			spawned = -1
		}
	}
	if len(lat) == 0 {
		return 0, fmt.Errorf("no spawn in the trace")
	}
	sort.Float64s(lat)
	return lat[len(lat)/2], sc.Err()
}
