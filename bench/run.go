package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// notYet is how ipcsh reports a statement that parses but is not
// implemented yet; such a scenario is shown as n/a instead of failing.
const notYet = "is not available yet"

// errNotYet marks an ipcsh run that stopped at a statement not available yet.
var errNotYet = errors.New("n/a (not available yet)")

// runner starts the benchmark programs.
type runner struct {
	taskset string // path of taskset, "" when pinning is impossible
	timeout time.Duration
	// attr, when set, gives each run an IPC namespace of its own: a
	// contestant that crashes cannot leave SysV objects on the machine,
	// and the test can list what a run left. SysV calls cost the same
	// in any namespace.
	attr func() *syscall.SysProcAttr
	// wrap, when set, rewrites the command (the test runs it under a shell
	// that lists the namespace's SysV objects afterwards).
	wrap func(argv []string) []string
	// dir and extraEnv are the child's working directory and additions to
	// its environment (the test gives each run its own TMPDIR).
	dir      string
	extraEnv []string
}

// ipcNamespace returns the attributes that start a child in a new IPC
// namespace: directly when privileged, else inside a new user namespace;
// nil when neither is allowed here.
func ipcNamespace() func() *syscall.SysProcAttr {
	candidates := []func() *syscall.SysProcAttr{
		func() *syscall.SysProcAttr { return &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWIPC} },
		func() *syscall.SysProcAttr {
			return &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWIPC | syscall.CLONE_NEWUSER,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}},
			}
		},
	}
	for _, attr := range candidates {
		cmd := exec.Command("/bin/sh", "-c", "cat /proc/sysvipc/msg >/dev/null")
		cmd.SysProcAttr = attr()
		if cmd.Run() == nil {
			return attr
		}
	}
	return nil
}

// runResult is one finished run.
type runResult struct {
	elapsed time.Duration
	stdout  string // only kept when the test wraps the command
	pgid    int
}

// run starts argv, pinned to CPU 0 when asked, and returns how long it
// took from start to exit. Its stdout goes to /dev/null unless wrapped;
// stderr is kept for the error. The child gets a process group of its
// own, so a run that hangs is stopped with everything it started.
func (r *runner) run(argv []string, pinned bool) (runResult, error) {
	if pinned && r.taskset != "" {
		argv = append([]string{r.taskset, "-c", "0"}, argv...)
	}
	shown := strings.Join(argv, " ")
	if r.wrap != nil {
		argv = r.wrap(argv)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = r.dir
	if len(r.extraEnv) > 0 {
		cmd.Env = append(os.Environ(), r.extraEnv...)
	}
	// Output goes to unlinked files, not pipes: with a pipe, Wait would
	// also wait for every process still holding it, which would hide a
	// leftover process from the test and add to the time.
	stderr, err := scratchFile()
	if err != nil {
		return runResult{}, err
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	var stdout *os.File
	if r.wrap != nil {
		if stdout, err = scratchFile(); err != nil {
			return runResult{}, err
		}
		defer stdout.Close()
		cmd.Stdout = stdout
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if r.attr != nil {
		cmd.SysProcAttr = r.attr()
	}
	cmd.SysProcAttr.Setpgid = true

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return runResult{}, err
	}
	pgid := cmd.Process.Pid
	// SIGTERM first: the C programs and peers remove their SysV objects
	// on SIGTERM, and so does ipcsh. SIGKILL only if that did not work.
	timer := time.AfterFunc(r.timeout, func() {
		syscall.Kill(-pgid, syscall.SIGTERM)
		time.AfterFunc(3*time.Second, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
	})
	err = cmd.Wait()
	elapsed := time.Since(start)
	timedOut := !timer.Stop()
	errText := readBack(stderr, 4096)
	res := runResult{elapsed: elapsed, pgid: pgid}
	if stdout != nil {
		res.stdout = readBack(stdout, 1<<20)
	}
	if timedOut {
		return res, fmt.Errorf("%s: stopped after %v: %s", shown, r.timeout, tail(errText))
	}
	if err != nil {
		if strings.Contains(errText, notYet) {
			return res, errNotYet
		}
		return res, fmt.Errorf("%s: %v: %s", shown, err, tail(errText))
	}
	return res, nil
}

// tail keeps the last lines of a program's stderr for an error message.
func tail(s string) string {
	s = strings.TrimSpace(s)
	lines := strings.Split(s, "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}

// scratchFile is an anonymous file for a child's output.
func scratchFile() (*os.File, error) {
	f, err := os.CreateTemp("", "ipcsh-bench-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// readBack returns the first max bytes written to f.
func readBack(f *os.File, max int) string {
	b := make([]byte, max)
	n, _ := f.ReadAt(b, 0)
	return string(b[:n])
}

// measurement is what the table needs of one contestant.
type measurement struct {
	n     int             // iterations of the short run (the long one does 2n)
	short []time.Duration // T(n) of each round
	long  []time.Duration // T(2n) of each round
	err   error           // set when the contestant could not be measured
}

// A statistic turns the rounds into one cost per iteration.
type statistic string

const (
	// statMedian: the median over rounds of (T(2n) − T(n)) / n.
	statMedian statistic = "median"
	// statBest: (min T(2n) − min T(n)) / n. Noise from other work on the
	// machine only ever adds time, so on a busy machine the fastest runs
	// are the closest to the cost itself.
	statBest statistic = "best"
)

// costs are the per-iteration costs of the rounds, in ns.
func (m measurement) costs() []float64 {
	var c []float64
	for i := range m.short {
		c = append(c, float64(m.long[i]-m.short[i])/float64(m.n))
	}
	return c
}

// cost is the cost of one iteration in ns by statistic s; 0 without rounds.
func (m measurement) cost(s statistic) float64 {
	if len(m.short) == 0 {
		return 0
	}
	if s == statBest {
		return float64(slices.Min(m.long)-slices.Min(m.short)) / float64(m.n)
	}
	return median(m.costs())
}

func median(d []float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := append([]float64(nil), d...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// calibrate picks n so that the iterations of a run (its time minus the
// time of a tiny run, mostly start-up) take about target. The tiny run
// doubles as the check that the contestant works at all. n grows from the
// tiny size and is corrected until a run lands within a factor of two of
// the target: an estimate made at a small n is easily thrown off by one
// stall on a busy machine, one made near the target is not. Each size is
// timed twice and the faster kept, since noise only ever adds time.
func (r *runner) calibrate(g group, c contestant, target time.Duration) (int, error) {
	base, err := r.fastest(c.argv(g.tiny), g.pinned)
	if err != nil {
		return 0, err
	}
	if g.fixedN > 0 {
		return g.fixedN, nil
	}
	limit := 1 << 30
	n := min(limit, g.tiny*8)
	for step := 0; step < 12; step++ {
		t, err := r.fastest(c.argv(n), g.pinned)
		if err != nil {
			return 0, err
		}
		work := t - base
		if work >= target/2 && work <= 2*target || n >= limit {
			break
		}
		// Scale towards the target, by at most 8× a step either way.
		f := 8.0
		if work > 0 {
			f = min(8, max(1.0/8, float64(target)/float64(work)))
		}
		n = min(limit, max(g.tiny+1, int(float64(n)*f)))
	}
	return n, nil
}

// fastest is the shorter time of two runs of argv.
func (r *runner) fastest(argv []string, pinned bool) (time.Duration, error) {
	var best time.Duration
	for i := 0; i < 2; i++ {
		res, err := r.run(argv, pinned)
		if err != nil {
			return 0, err
		}
		if i == 0 || res.elapsed < best {
			best = res.elapsed
		}
	}
	return best, nil
}

// differential measures one round: T(n) and T(2n). The cost of an
// iteration is then (T(2n) − T(n)) / n, which removes start-up, building
// of the script, fork of the child and the like, identically for every
// contestant.
func (r *runner) differential(g group, c contestant, n int) (short, long time.Duration, err error) {
	s, err := r.run(c.argv(n), g.pinned)
	if err != nil {
		return 0, 0, err
	}
	l, err := r.run(c.argv(2*n), g.pinned)
	if err != nil {
		return 0, 0, err
	}
	return s.elapsed, l.elapsed, nil
}

// measureGroup calibrates each contestant, then runs rounds of all of
// them in turn (A B C A B C ...) and keeps each one's cost per round.
// progress gets one line per contestant.
func (r *runner) measureGroup(g group, rounds int, target time.Duration, progress func(string)) map[string]*measurement {
	out := map[string]*measurement{}
	var live []contestant
	for _, c := range g.cs {
		m := &measurement{}
		out[c.who] = m
		if c.skip != "" {
			m.err = errors.New(c.skip)
			continue
		}
		n, err := r.calibrate(g, c, target)
		if err != nil {
			m.err = err
			continue
		}
		m.n = n
		live = append(live, c)
	}
	for round := 0; round < rounds; round++ {
		for _, c := range live {
			m := out[c.who]
			if m.err != nil {
				continue
			}
			short, long, err := r.differential(g, c, m.n)
			if err != nil {
				m.err = err
				continue
			}
			m.short = append(m.short, short)
			m.long = append(m.long, long)
		}
	}
	for _, c := range g.cs {
		m := out[c.who]
		if m.err != nil {
			progress(fmt.Sprintf("  %-10s %v", c.who, firstLine(m.err.Error())))
			continue
		}
		var each []string
		for _, d := range m.costs() {
			each = append(each, fmt.Sprintf("%.4g", d))
		}
		progress(fmt.Sprintf("  %-10s n=%d: median %.4g, best %.4g ns per iteration (rounds: %s)",
			c.who, m.n, m.cost(statMedian), m.cost(statBest), strings.Join(each, " ")))
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
