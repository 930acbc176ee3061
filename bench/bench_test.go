package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestScenariosRun runs every benchmark program once at a tiny size, so
// that the benchmarks cannot rot between two `make bench`: each must exit
// 0 and leave no SysV object, file or process behind. ipcsh scripts whose
// statements are not available yet may stop with that message (and must
// still leave nothing). No timing is asserted.
func TestScenariosRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every benchmark program")
	}
	if _, err := exec.LookPath("cc"); err != nil && os.Getenv("CC") == "" {
		t.Skip("no C compiler (cc): the C baselines cannot be built")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := build(root, out, "", testLog{t}); err != nil {
		t.Fatal(err)
	}
	e := findEnv(root, out)
	base := runner{taskset: tasksetPath(), timeout: time.Minute, attr: ipcNamespace()}
	// Each run has an IPC namespace of its own (as under `make bench`),
	// and a shell in it lists what SysV objects the run left: a global
	// before/after look would see the objects of tests running at the
	// same time in other packages.
	if base.attr != nil {
		base.wrap = func(argv []string) []string {
			return append([]string{"/bin/sh", "-c", listObjects, "sh"}, argv...)
		}
	} else {
		t.Log("no IPC namespace available: SysV leaks are left to make test's no-leaks check")
	}

	t.Run("first event", func(t *testing.T) {
		saved := launches
		launches = 2
		defer func() { launches = saved }()
		r := base
		r.wrap = nil
		tmp := t.TempDir()
		r.extraEnv = []string{"TMPDIR=" + tmp, "IPCSH_JOURNAL_DIR=" + filepath.Join(t.TempDir(), "journal")}
		if _, err := cFirstEvent(e, &r); err != nil {
			t.Error(err)
		}
		if _, err := ipcshFirstEvent(e, &r); err != nil {
			t.Error(err)
		}
		if names, _ := os.ReadDir(tmp); len(names) > 0 {
			t.Errorf("files left in TMPDIR: %v", names)
		}
	})

	for _, g := range e.groups() {
		for _, c := range g.cs {
			t.Run(g.name+"/"+c.who, func(t *testing.T) {
				if c.skip != "" {
					t.Skip(c.skip)
				}
				r := base
				// ipcsh makes the journal directory itself, private (0700).
				tmp, journals := t.TempDir(), filepath.Join(t.TempDir(), "journal")
				r.dir = tmp
				r.extraEnv = []string{"TMPDIR=" + tmp, "IPCSH_JOURNAL_DIR=" + journals}
				res, err := r.run(c.argv(g.tiny), g.pinned)
				switch {
				case errors.Is(err, errNotYet):
					t.Log("ipcsh: not available yet")
				case err != nil:
					t.Fatal(err)
				}
				if r.wrap != nil {
					if left := strings.TrimSpace(res.stdout); left != "" {
						t.Errorf("SysV objects left behind (from /proc/sysvipc in the run's namespace):\n%s", left)
					}
				}
				if names, _ := os.ReadDir(tmp); len(names) > 0 {
					t.Errorf("files left in TMPDIR: %v", names)
				}
				if names, _ := os.ReadDir(journals); len(names) > 0 {
					t.Errorf("ipcsh clean-up journals left: %v", names)
				}
				if !groupGone(res.pgid) {
					syscall.Kill(-res.pgid, syscall.SIGKILL)
					t.Errorf("processes of the run still alive after it ended")
				}
			})
		}
	}
}

// TestScriptsCheck: every ipcsh benchmark script parses, including those
// whose statements cannot run yet.
func TestScriptsCheck(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	scripts, _ := filepath.Glob(filepath.Join(root, "bench", "ipcsh", "*.ipc"))
	if len(scripts) == 0 {
		t.Fatal("no scripts in bench/ipcsh")
	}
	out := t.TempDir()
	cmd := exec.Command(goTool(), "build", "-o", filepath.Join(out, "ipcsh"), "./cmd/ipcsh")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	if b, err := exec.Command(filepath.Join(out, "ipcsh"), append([]string{"check"}, scripts...)...).CombinedOutput(); err != nil {
		t.Errorf("ipcsh check: %v\n%s", err, b)
	}
}

// listObjects runs the command with its stdout discarded, then prints the
// SysV objects of the current IPC namespace (/proc/sysvipc shows the
// reader's namespace), without the header lines.
const listObjects = `"$@" >/dev/null; st=$?; for f in msg sem shm; do tail -n +2 /proc/sysvipc/$f; done; exit $st`

// groupGone waits for the run's process group to empty: orphans being
// reaped by init still count for a moment after the leader exits.
func groupGone(pgid int) bool {
	for range 100 {
		if syscall.Kill(-pgid, 0) == syscall.ESRCH {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
BenchmarkParse10kLines-2   	       3	 100000000 ns/op	   0.20 MB/s	      7450 lines/s
BenchmarkParse10kLines-2   	       3	 100000000 ns/op	   0.20 MB/s	      8000 lines/s
BenchmarkParse10kLines-2   	       3	 100000000 ns/op	   0.20 MB/s	      9000 lines/s
BenchmarkParseOther-2   	       3	 1 ns/op	   1 lines/s
PASS`
	if got := parseGoBench(out); got.err != nil || got.linesPerSec != 8000 || got.runs != 3 {
		t.Errorf("with a lines/s metric: got %+v, want the median 8000 of 3 runs", got)
	}
	// Without the metric, lines/s comes from ns/op: 10,000 lines in 0.1 s.
	if got := parseGoBench("BenchmarkParse10kLines 10 100000000 ns/op\n"); got.err != nil || got.linesPerSec != 100000 {
		t.Errorf("from ns/op: got %+v, want 100000", got)
	}
	if got := parseGoBench("BenchmarkLexer-2 10 5 ns/op\nok\n"); got.err == nil {
		t.Errorf("no parse benchmark: got %+v, want an n/a error", got)
	}
}

// TestTableVerdicts checks the met? column against issue 7's targets on
// made-up figures (ns per iteration).
func TestTableVerdicts(t *testing.T) {
	// One round of n=1 whose T(2n) − T(n) is ns.
	m := func(ns time.Duration) *measurement {
		return &measurement{n: 1, short: []time.Duration{1000}, long: []time.Duration{1000 + ns}}
	}
	res := map[string]map[string]*measurement{
		"pipe":    {"C": m(6000), "ipcsh": m(7000), "ipcsh loud": m(14000)},
		"fifo":    {"C": m(6000), "ipcsh": m(9000)},
		"msg":     {"C": m(8000), "Perl": m(12000), "Python": m(11000), "ipcsh": {err: errNotYet}},
		"sem":     {"C": m(6000), "Perl": m(7000), "Python": {err: errors.New("n/a (python3-sysv-ipc not installed)")}, "ipcsh": m(6500)},
		"bulk":    {"C": m(20000), "ipcsh": m(21000)},
		"spawn":   {"C": m(800e3), "C fork": m(200e3), "ipcsh": m(450e3)},
		"family":  {"C": m(10e6), "ipcsh": m(25e6)},
		"startup": {"C": m(0.5e6), "Perl": m(3e6), "Python": m(15e6), "Go": m(3.2e6), "ipcsh": m(4e6)},
		"loop":    {"Perl": m(24), "Python": m(25), "ipcsh": m(19)},
	}
	first := firstEvent{c: value{v: 0.8, ok: true}, ipcsh: value{v: 0.4, ok: true}}
	tb := buildTable(res, first, parseFigure{linesPerSec: 150000}, statMedian)
	want := map[string]string{
		"pipe ping-pong, 1 B, quiet":                      "yes",     // 1.17×
		"pipe ping-pong, transcript on":                   "—",       // no target
		"FIFO ping-pong, 1 B":                             "no",      // 1.5×
		"SysV msg ping-pong, 2 types":                     "pending", // not available yet
		"SysV sem ping-pong, 2 sems":                      "yes",     // 1.08×, < Perl, Python not measured
		"4 KiB shm slot + sem hand-off":                   "—",       // not run
		"bulk pipe, 64 KiB writes":                        "yes",     // 0.95× the bandwidth
		"spawn, to its first event (C: fork+exec)":        "yes",     // 0.4 ms, < 0.8 ms
		"spawn+wait cycle (C: fork+exec+wait)":            "yes",     // 0.56× C
		"spawn w[i] × 64, wait w (C: fork+exec 64, reap)": "no",      // 2.5× C
		"start-up: -c 'print 1' / -e 1 / -c pass":         "no",      // 4 ms > 3 ms
		"start-up (C column: a Go hello world)":           "yes",     // 1.25× Go
		"quiet repeat N { x += 1 }":                       "yes",
		"parse a 10,000-line script":                      "yes",
	}
	for _, r := range tb.rows {
		if w, ok := want[r.scenario]; ok && r.met != w {
			t.Errorf("%s: met %q, want %q", r.scenario, r.met, w)
		}
		if r.scenario == "pipe ping-pong, transcript on" && r.target != "none: 2.00× quiet" {
			t.Errorf("transcript on: target %q, want the ratio to quiet 2.00×", r.target)
		}
	}
}

// TestSpawnLatency reads spawn and first-event times from a trace.
func TestSpawnLatency(t *testing.T) {
	trace := `{"t_ns":1000000,"proc":"main","verb":"spawn","obj":"proc:c"}
{"t_ns":1400000,"proc":"c","verb":"","obj":""}
{"t_ns":1500000,"proc":"c","verb":"exit","obj":"proc:c"}
{"t_ns":5000000,"proc":"main","verb":"spawn","obj":"proc:c"}
{"t_ns":5200000,"proc":"c"}
{"t_ns":9000000,"proc":"main","verb":"spawn","obj":"proc:c"}
{"t_ns":9900000,"proc":"c"}
`
	got, err := spawnLatency(strings.NewReader(trace))
	if err != nil || got != 0.4 {
		t.Errorf("spawnLatency = %v, %v; want the median 0.4 ms of 0.4, 0.2, 0.9", got, err)
	}
}

func TestStatistics(t *testing.T) {
	// n=10; T(n) and T(2n) of three rounds, the second one hit by load.
	m := measurement{n: 10,
		short: []time.Duration{1000, 5000, 1100},
		long:  []time.Duration{1200, 5600, 1250},
	}
	// Round costs: 20, 60, 15 ns; their median is 20.
	if got := m.cost(statMedian); got != 20 {
		t.Errorf("median: got %v ns, want 20", got)
	}
	// Fastest runs: (1200 − 1000) / 10.
	if got := m.cost(statBest); got != 20 {
		t.Errorf("best: got %v ns, want 20", got)
	}
	m.long[0] = 1150 // now the fastest T(2n) is 1150: (1150 − 1000) / 10
	if got := m.cost(statBest); got != 15 {
		t.Errorf("best: got %v ns, want 15", got)
	}
	if got := (measurement{}).cost(statMedian); got != 0 {
		t.Errorf("no rounds: got %v, want 0", got)
	}
}
