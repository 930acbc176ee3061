package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"ipcsh/golden"
)

const testUsage = `usage: ipcsh test [options] [PATH...]

Runs golden tests: every NAME.ipc with a NAME.golden beside it, under each
PATH (default: the current directory, recursively; directories starting
with "." or "_" are skipped unless named). Each run must print the same
transcript as the golden file, the same stderr and the same exit code.
The same transcript: each process's lines, in their order, and every pair
of lines synchronisation relates in the same order (a spawn before the
child's first line, a child's exit before the wait that reaped it, a
write or send before the read or recv that got its bytes when one
process writes and one reads); lines of independent processes may
interleave differently. A script's first line may give its arguments: # args: a b c

options:
  --update        write or rewrite the golden files from real runs
  --run REGEX     only tests whose name (path without .ipc) matches
  -j N            run N tests at a time (default: the number of CPUs)
  --count N       run each test N times; different transcripts: FLAKY
  --timeout DUR   stop a run after DUR (default 60s); its --stall is
                  min(5s, DUR/2), so a deadlock reports itself first
  --junit FILE    also write the results as JUnit XML
  --json          one JSON object per test on stdout (name, status,
                  seconds, runs, diff); the text report goes to stderr

exit codes: 0 every test passed; 1 a test failed or was flaky, or no test
was found; 2 a misuse of the command line; 130/143 interrupted.
`

// testOptions are the flags of `ipcsh test`.
type testOptions struct {
	update  bool
	run     string
	jobs    int
	count   int
	timeout time.Duration
	junit   string
	json    bool
}

// testCmd is `ipcsh test`: the golden package does the work, the same
// code the project's own `go test ./golden` runs.
func testCmd(argv []string, stdout, stderr io.Writer) int {
	var o testOptions
	fs := flag.NewFlagSet("ipcsh test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.update, "update", false, "")
	fs.StringVar(&o.run, "run", "", "")
	fs.IntVar(&o.jobs, "j", runtime.NumCPU(), "")
	fs.IntVar(&o.count, "count", 1, "")
	fs.DurationVar(&o.timeout, "timeout", golden.DefaultTimeout, "")
	fs.StringVar(&o.junit, "junit", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")

	paths, err := parseInterspersed(fs, argv)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh test: %v\n%s", err, testUsage)
		return exitSyntax
	}
	if *help {
		fmt.Fprint(stdout, testUsage)
		return exitOK
	}
	var filter *regexp.Regexp
	switch {
	case o.jobs < 1:
		err = errors.New("-j must be at least 1")
	case o.count < 1:
		err = errors.New("--count must be at least 1")
	case o.timeout <= 0:
		err = errors.New("--timeout must be a positive duration such as 60s")
	case o.run != "":
		if filter, err = regexp.Compile(o.run); err != nil {
			err = fmt.Errorf("--run: %v", err)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh test: %v\n", err)
		return exitSyntax
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	tests, err := golden.Find(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh test: %v\n", err)
		return exitSyntax
	}
	if filter != nil {
		var kept []golden.Test
		for _, t := range tests {
			if filter.MatchString(t.Name) {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 && len(tests) > 0 {
			fmt.Fprintf(stderr, "ipcsh test: no test in %s matches --run %s\n", strings.Join(paths, " "), o.run)
			return exitError
		}
		tests = kept
	}
	if len(tests) == 0 {
		fmt.Fprintf(stderr, "ipcsh test: no tests in %s: a test is NAME.ipc with NAME.golden beside it (write one with: ipcsh test --update NAME.ipc)\n", strings.Join(paths, " "))
		return exitError
	}
	return runTests(tests, o, stdout, stderr)
}

// parseInterspersed parses flags wherever they stand among the paths
// (`ipcsh test dir --update`), as a user would expect; "--" ends flags.
func parseInterspersed(fs *flag.FlagSet, argv []string) (paths []string, err error) {
	for {
		if err := fs.Parse(argv); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		if consumed := argv[:len(argv)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		argv = rest[1:]
	}
}

func runTests(tests []golden.Test, o testOptions, stdout, stderr io.Writer) int {
	// Transcripts show file modes made through the umask: make them the
	// same for everyone who runs the tests.
	syscall.Umask(golden.Umask)

	// Each run is in its own process group, out of reach of the
	// terminal's Ctrl-C: stop them through the context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	interrupted := make(chan int, 1)
	go func() {
		select {
		case s := <-sigs:
			code := 130
			if s == syscall.SIGTERM {
				code = 143
			}
			interrupted <- code
			cancel()
		case <-ctx.Done():
		}
	}()

	text := stdout
	if o.json {
		text = stderr // stdout is for the JSON lines alone
	}
	r := &golden.Runner{Binary: "/proc/self/exe", Count: o.count, Timeout: o.timeout, Update: o.update}
	start := time.Now()
	var sum golden.Summary
	var outcomes []golden.Outcome
	r.RunAll(ctx, tests, o.jobs, func(out golden.Outcome) {
		golden.WriteText(text, out)
		if o.json {
			_ = golden.WriteJSON(stdout, out)
		}
		sum.Add(out)
		outcomes = append(outcomes, out)
	})
	fmt.Fprintln(text, sum.String())

	code := exitOK
	if !sum.OK() {
		code = exitError
	}
	if o.junit != "" {
		if err := writeJUnit(o.junit, outcomes, time.Since(start)); err != nil {
			fmt.Fprintf(stderr, "ipcsh test: --junit: %v\n", err)
			code = exitError
		}
	}
	select {
	case c := <-interrupted:
		fmt.Fprintf(text, "interrupted: %d of %d tests ran\n", len(outcomes), len(tests))
		return c
	default:
	}
	return code
}

func writeJUnit(path string, outcomes []golden.Outcome, elapsed time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := golden.WriteJUnit(f, outcomes, elapsed); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
