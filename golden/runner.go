package golden

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Umask is the file mode mask golden runs should have: modes shown by
// `stat` and made by `mkfifo`/`open create` go through it, so a
// transcript would otherwise depend on the umask of whoever ran it.
// The umask is per process; callers set it once (syscall.Umask) before
// running tests.
const Umask = 0o022

// Test is one golden test: a script and the golden file beside it.
type Test struct {
	Name   string // the script's path without ".ipc": "scripts/examples/02-pipe-to-itself"
	Script string // NAME.ipc
	Golden string // NAME.golden
}

// Find lists the tests under paths. A directory is searched recursively
// for every NAME.ipc with a NAME.golden beside it, skipping directories
// whose name starts with "." or "_" (as go does: a place for fixtures
// that are not meant to pass); a golden file without its script is a test
// too, which then fails. A file names one test: NAME.ipc (its golden file
// need not exist yet, for --update) or NAME.golden.
func Find(paths []string) ([]Test, error) {
	var tests []Test
	seen := map[string]bool{}
	add := func(script string) {
		script = filepath.Clean(script)
		if seen[script] {
			return
		}
		seen[script] = true
		name := strings.TrimSuffix(script, ".ipc")
		tests = append(tests, Test{Name: name, Script: script, Golden: name + ".golden"})
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			switch filepath.Ext(p) {
			case ".ipc":
				add(p)
			case ".golden":
				add(strings.TrimSuffix(p, ".golden") + ".ipc")
			default:
				return nil, fmt.Errorf("%s: not a directory, NAME.ipc or NAME.golden", p)
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(path) {
			case ".ipc":
				if _, err := os.Stat(strings.TrimSuffix(path, ".ipc") + ".golden"); err == nil {
					add(path)
				}
			case ".golden":
				add(strings.TrimSuffix(path, ".golden") + ".ipc")
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return tests, nil
}

// Runner runs golden tests: each run of a script is the ipcsh binary
// started as a subprocess in its own process group, in the script's
// directory, with a private TMPDIR (the interpreter makes its tmp there).
type Runner struct {
	Binary  string        // the ipcsh to run; /proc/self/exe from the command itself
	Count   int           // runs per test (at least 1); all must print the same transcript
	Timeout time.Duration // per run; 0 means DefaultTimeout
	Grace   time.Duration // from SIGTERM to SIGKILL; 0 means DefaultGrace
	Update  bool          // write the golden file from the runs instead of comparing
	Env     []string      // added to the environment of every run

	cleanOnce  sync.Once
	cleanAvail bool
}

// Defaults of a Runner.
const (
	DefaultTimeout = 60 * time.Second
	// DefaultGrace leaves ipcsh time for its own shutdown after SIGTERM,
	// which itself gives a busy script 2s before stopping it hard.
	DefaultGrace = 3 * time.Second
)

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

func (r *Runner) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return DefaultGrace
}

// stallExit is ipcsh's exit code after its stall detector stopped a run
// (LANGUAGE.md §5).
const stallExit = 3

// Stall is the --stall given to each run: a deadlocked script reports
// where it is stuck (exit 3) well before the timeout would kill it.
func (r *Runner) Stall() time.Duration {
	return min(5*time.Second, r.timeout()/2)
}

// Status is the verdict on a test.
type Status string

const (
	OK    Status = "ok"
	Fail  Status = "fail"
	Flaky Status = "flaky" // runs printed different transcripts
)

// Outcome is the verdict on one test and why.
type Outcome struct {
	Test    Test
	Status  Status
	Runs    int // runs made
	Elapsed time.Duration
	Updated bool   // the golden file was written
	Message string // what differs or went wrong; "" when ok
}

// run is what one run of a script gave, and what it left.
type run struct {
	Result
	trace    *Trace
	timedOut bool     // stopped by the timeout or by cancellation
	killed   bool     // it had to be killed with SIGKILL
	leaks    []string // files in its TMPDIR, processes still running
	err      error    // it could not be run at all
}

// Check runs one test Count times and compares every run with the golden
// file, or, with Update, writes the golden file when the runs agree.
func (r *Runner) Check(ctx context.Context, t Test) Outcome {
	start := time.Now()
	o := r.check(ctx, t)
	o.Test, o.Elapsed = t, time.Since(start)
	return o
}

// outcomeGroup is a set of runs that printed the same transcript.
type outcomeGroup struct {
	first int // run number (from 1) of the first of them
	n     int
	run   run
}

func (r *Runner) check(ctx context.Context, t Test) Outcome {
	src, err := os.ReadFile(t.Script)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Outcome{Status: Fail, Message: fmt.Sprintf("%s has no script %s beside it (renamed or removed?)\n", t.Golden, t.Script)}
		}
		return Outcome{Status: Fail, Message: err.Error() + "\n"}
	}
	var want Result
	haveWant := false
	if b, err := os.ReadFile(t.Golden); err == nil {
		want, err = Parse(string(b))
		if err != nil && !r.Update {
			return Outcome{Status: Fail, Message: fmt.Sprintf("%s: %v\n", t.Golden, err)}
		}
		haveWant = err == nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Outcome{Status: Fail, Message: err.Error() + "\n"}
	} else if !r.Update {
		return Outcome{Status: Fail, Message: fmt.Sprintf("no golden file %s: write one with --update (go test ./golden -update), then review it\n", t.Golden)}
	}

	args := ScriptArgs(string(src))
	stall := r.Stall()
	if d, ok := ScriptStall(string(src)); ok {
		stall = min(d, stall)
	}
	count := max(r.Count, 1)
	var groups []*outcomeGroup
	runs := 0
	for i := 1; i <= count; i++ {
		if ctx.Err() != nil {
			return Outcome{Status: Fail, Runs: runs, Message: "interrupted\n"}
		}
		ru := r.runOnce(ctx, t, args, stall)
		runs++
		switch {
		case ru.err != nil:
			return Outcome{Status: Fail, Runs: runs, Message: fmt.Sprintf("run %d: %v\n", i, ru.err)}
		case ru.timedOut:
			return Outcome{Status: Fail, Runs: runs, Message: r.timeoutMessage(ctx, i, count, ru)}
		case len(ru.leaks) > 0:
			return Outcome{Status: Fail, Runs: runs, Message: fmt.Sprintf("run %d left behind:\n  %s\n", i, strings.Join(ru.leaks, "\n  "))}
		case ru.Exit == stallExit && haveWant && want.Exit != stallExit:
			// Stuck: more runs would only wait out the stall time again,
			// and the report's times differ from run to run anyway.
			return Outcome{Status: Fail, Runs: runs, Message: fmt.Sprintf("run %d of %d stopped in a deadlock (exit %d):\n%s", i, count, stallExit, Diff(want, ru.Result, "golden", "got", ru.trace.Where)+OrderDiff(want, ru.Result, ru.trace, t.Golden))}
		}
		placed := false
		for _, g := range groups {
			if sameRuns(g.run, ru) {
				g.n++
				placed = true
				break
			}
		}
		if !placed {
			groups = append(groups, &outcomeGroup{first: i, n: 1, run: ru})
		}
	}

	if len(groups) > 1 {
		return Outcome{Status: Flaky, Runs: runs, Message: flakyMessage(groups, want, haveWant, runs, t.Golden)}
	}
	got := groups[0].run
	if r.Update {
		if haveWant && matches(want, got, t.Golden) {
			return Outcome{Status: OK, Runs: runs}
		}
		if err := os.WriteFile(t.Golden, []byte(got.Format()), 0o644); err != nil {
			return Outcome{Status: Fail, Runs: runs, Message: err.Error() + "\n"}
		}
		return Outcome{Status: OK, Runs: runs, Updated: true}
	}
	if d := Diff(want, got.Result, "golden", "got", got.trace.Where) + OrderDiff(want, got.Result, got.trace, t.Golden); d != "" {
		what := "the run differs"
		if runs > 1 {
			what = fmt.Sprintf("all %d runs differ the same way", runs)
		}
		return Outcome{Status: Fail, Runs: runs, Message: fmt.Sprintf("%s from %s:\n%s", what, t.Golden, d)}
	}
	return Outcome{Status: OK, Runs: runs}
}

// matches reports whether a run printed the transcript want describes.
func matches(want Result, ru run, wantName string) bool {
	return Same(want, ru.Result) && OrderDiff(want, ru.Result, ru.trace, wantName) == ""
}

// flakyMessage shows how runs differed: each other transcript against the
// one that matches the golden file, or against the most common one.
func flakyMessage(groups []*outcomeGroup, want Result, haveWant bool, runs int, goldenName string) string {
	base := 0
	for i, g := range groups {
		if haveWant && matches(want, g.run, goldenName) {
			base = i
			break
		}
		if g.n > groups[base].n {
			base = i
		}
	}
	var b strings.Builder
	matching := 0
	if haveWant && matches(want, groups[base].run, goldenName) {
		matching = groups[base].n
	}
	fmt.Fprintf(&b, "%d different transcripts in %d runs", len(groups), runs)
	if haveWant {
		fmt.Fprintf(&b, "; %d of %d match the golden file", matching, runs)
	}
	b.WriteString(":\n")
	baseLabel := fmt.Sprintf("run %d", groups[base].first)
	if matching > 0 {
		baseLabel = "golden"
	}
	const maxShown = 2
	shown := 0
	for i, g := range groups {
		if i == base {
			continue
		}
		if shown == maxShown {
			fmt.Fprintf(&b, "(%d more different transcripts not shown)\n", len(groups)-1-maxShown)
			break
		}
		shown++
		label := fmt.Sprintf("run %d", g.first)
		if g.n > 1 {
			fmt.Fprintf(&b, "%s (and %d more like it):\n", label, g.n-1)
		} else {
			fmt.Fprintf(&b, "%s:\n", label)
		}
		b.WriteString(Diff(groups[base].run.Result, g.run.Result, baseLabel, label, g.run.trace.Where))
		// Runs in different groups may differ only in the order of related
		// lines; each run's own pairs are checked against the other's order.
		// Lines are numbered in the run's transcript: the golden file's
		// may interleave independent lines otherwise.
		baseName := fmt.Sprintf("run %d", groups[base].first)
		b.WriteString(OrderDiff(groups[base].run.Result, g.run.Result, g.run.trace, baseName))
		b.WriteString(OrderDiff(g.run.Result, groups[base].run.Result, groups[base].run.trace, label))
	}
	return b.String()
}

func (r *Runner) timeoutMessage(ctx context.Context, i, count int, ru run) string {
	var b strings.Builder
	if ctx.Err() != nil {
		fmt.Fprintf(&b, "interrupted (run %d of %d)", i, count)
	} else {
		fmt.Fprintf(&b, "timed out after %v (run %d of %d)", r.timeout(), i, count)
	}
	if ru.killed {
		fmt.Fprintf(&b, "; still running %v after SIGTERM, killed with SIGKILL", r.grace())
	} else {
		fmt.Fprintf(&b, "; stopped with SIGTERM, exit %d", ru.Exit)
	}
	b.WriteString("\n")
	for _, l := range ru.leaks {
		fmt.Fprintf(&b, "left behind: %s\n", l)
	}
	if ru.Stderr != "" {
		b.WriteString("stderr:\n")
		writeBlock(&b, ru.Stderr)
	}
	if ru.Stdout != "" {
		b.WriteString("transcript so far:\n")
		lines := splitLines(ru.Stdout)
		const maxLines = 40
		if len(lines) > maxLines {
			fmt.Fprintf(&b, "  ... (%d lines before)\n", len(lines)-maxLines)
			lines = lines[len(lines)-maxLines:]
		}
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// runOnce runs the script once and cleans up after it: a run that has to
// be stopped gets SIGTERM (ipcsh then stops its children and removes its
// objects, exit 143), then SIGKILL to its whole process group after the
// grace period, then `ipcsh clean` for what a killed run left.
func (r *Runner) runOnce(ctx context.Context, t Test, args []string, stall time.Duration) (ru run) {
	base, err := mkdirTemp("golden-run-")
	if err != nil {
		return run{err: err}
	}
	defer os.RemoveAll(base)
	tmpdir := filepath.Join(base, "tmp")
	tracePath := filepath.Join(base, "trace.jsonl")
	if err := os.Mkdir(tmpdir, 0o700); err != nil {
		return run{err: err}
	}
	stdout, err := os.Create(filepath.Join(base, "stdout"))
	if err != nil {
		return run{err: err}
	}
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(base, "stderr"))
	if err != nil {
		return run{err: err}
	}
	defer stderr.Close()

	argv := append([]string{"--stall", stall.String(), "--trace", tracePath, "--", filepath.Base(t.Script)}, args...)
	cmd := exec.Command(r.Binary, argv...)
	cmd.Dir = filepath.Dir(t.Script)
	env := r.env(tmpdir)
	// A journal directory of its own when the binary can clean up: `ipcsh
	// clean` after a killed run then touches that run's objects only, and
	// a journal left behind shows what a run failed to remove.
	journal := ""
	if r.hasClean() {
		journal = filepath.Join(base, "journal")
		env = append(env, "IPCSH_JOURNAL_DIR="+journal)
	}
	cmd.Env = env
	// Files, not pipes: a grandchild that outlives the run cannot keep
	// Wait from returning.
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return run{err: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	timer := time.NewTimer(r.timeout())
	defer timer.Stop()
	var waitErr error
	select {
	case waitErr = <-done:
	case <-timer.C:
		ru.timedOut = true
	case <-ctx.Done():
		ru.timedOut = true
	}
	if ru.timedOut {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case waitErr = <-done:
		case <-time.After(r.grace()):
			ru.killed = true
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			waitErr = <-done
		}
	}
	ru.Exit, err = exitCode(waitErr)
	if err != nil {
		return run{err: err}
	}
	// 130 and 143 are ipcsh's own orderly exits after SIGINT/SIGTERM; a
	// run ended by a signal itself had no chance to clean up.
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	signaled := ws.Signaled()

	// Children of the run are in the run's own process group, not ours:
	// find them by the private TMPDIR they inherited.
	procs := waitProcsGone(tmpdir, 2*time.Second)
	for _, p := range procs {
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
	}
	if ru.killed || signaled {
		// A killed run could not clean up; its journal says what to remove.
		r.clean(env)
	} else {
		for _, p := range procs {
			ru.leaks = append(ru.leaks, fmt.Sprintf("process %d (%s) still running", p.pid, p.cmd))
		}
		for _, f := range tmpLeftovers(tmpdir) {
			ru.leaks = append(ru.leaks, "$TMPDIR/"+f)
		}
	}
	if journal != "" {
		// A journal outlives its run only while the run's SysV objects do.
		entries, _ := os.ReadDir(journal)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(journal, e.Name()))
			ru.leaks = append(ru.leaks, fmt.Sprintf("clean-up journal %s, which lists:\n    %s", e.Name(), strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", "\n    ")))
		}
	}

	out, _ := os.ReadFile(stdout.Name())
	errText, _ := os.ReadFile(stderr.Name())
	ru.Stdout, ru.Stderr = string(out), string(errText)
	if f, err := os.Open(tracePath); err == nil {
		ru.trace = ReadTrace(f, cmd.Dir)
		f.Close()
	}
	return ru
}

func (r *Runner) env(tmpdir string) []string {
	env := append(os.Environ(), r.Env...)
	// os/exec keeps the last of duplicate variables.
	return append(env, "TMPDIR="+tmpdir)
}

// exitCode is the status a shell would show: 128+N for a run ended by
// signal N.
func exitCode(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return 0, err
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return exit.ExitCode(), nil
}

// hasClean reports whether this binary has `ipcsh clean` (its usage
// says so).
func (r *Runner) hasClean() bool {
	r.cleanOnce.Do(func() {
		cmd := exec.Command(r.Binary, "help")
		cmd.Env = append(os.Environ(), r.Env...)
		out, _ := cmd.Output()
		r.cleanAvail = bytes.Contains(out, []byte("ipcsh clean"))
	})
	return r.cleanAvail
}

// clean runs `ipcsh clean`, if this binary has it, with the environment
// of the run, so it finds the run's journal.
func (r *Runner) clean(env []string) {
	if !r.hasClean() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Binary, "clean")
	cmd.Env = env
	_ = cmd.Run()
}

// tmpLeftovers lists what a run left in its TMPDIR.
func tmpLeftovers(dir string) []string {
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	sort.Strings(left)
	return left
}

type proc struct {
	pid int
	cmd string
}

// procsWithTmpdir lists the live processes whose environment has
// TMPDIR=tmpdir: every process a run started inherits it. Zombies have
// no environment to read and are not listed.
func procsWithTmpdir(tmpdir string) []proc {
	want := []byte("TMPDIR=" + tmpdir + "\x00")
	entries, _ := os.ReadDir("/proc")
	var found []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !(bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		found = append(found, proc{pid, strings.TrimSpace(string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))})
	}
	return found
}

// waitProcsGone gives the processes of a finished run a moment to go (a
// child killed by its parent's death is not gone at once), and returns
// those still there.
func waitProcsGone(tmpdir string, patience time.Duration) []proc {
	deadline := time.Now().Add(patience)
	for {
		procs := procsWithTmpdir(tmpdir)
		if len(procs) == 0 || time.Now().After(deadline) {
			return procs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RunAll checks tests with up to jobs at a time and calls report with
// each outcome, in the order of tests, as soon as it and all before it
// are known. After ctx is cancelled, tests not yet started are skipped.
func (r *Runner) RunAll(ctx context.Context, tests []Test, jobs int, report func(Outcome)) {
	jobs = max(jobs, 1)
	results := make([]chan Outcome, len(tests))
	for i := range results {
		results[i] = make(chan Outcome, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(tests)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] <- r.Check(ctx, tests[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range tests {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()
	for i := range tests {
		select {
		case o := <-results[i]:
			report(o)
		case <-workersDone:
			// Tests start in order: once the workers are done, a test
			// without a result was never started (ctx was cancelled), nor
			// was any after it.
			select {
			case o := <-results[i]:
				report(o)
			default:
				return
			}
		}
	}
}

// mkdirTemp is os.MkdirTemp with a name of one length (the prefix and 8
// hex digits), as the run's own tmp directory has: os.MkdirTemp's random
// part has 1 to 10 digits, and the length of a path under $TMP shows in a
// transcript ("(67 bytes)"), which must not change from run to run.
func mkdirTemp(prefix string) (string, error) {
	for {
		d := filepath.Join(os.TempDir(), fmt.Sprintf("%s%08x", prefix, rand.Uint32()))
		if err := os.Mkdir(d, 0o700); !os.IsExist(err) {
			return d, err
		}
	}
}
