// Command bench prints the benchmark table of BENCHMARKS.md: ipcsh
// against C programs doing the same system calls, and against the Perl
// and Python peers, scenario by scenario.
//
//	go run ./bench [-gobench FILE] [-rounds N] [-quick] [-stat median|best] [-only REGEXP] [-ipcsh BINARY]
//
// It builds bench/c/*.c with the system cc and ipcsh with go into
// bench/out/, then for each scenario runs every contestant in turn
// (A B C A B C ...) for several rounds and reports the median. The cost of
// one iteration is (T(2N) − T(N)) / N for every contestant alike, which
// takes start-up out of the figure. Scenarios where two processes talk are
// pinned to CPU 0 with taskset: on a VM a round trip between two CPUs costs
// 10× one on a single CPU and varies from run to run.
//
// BENCH_ROUNDS=N, BENCH_QUICK=1 and BENCH_STAT=best in the environment set
// -rounds, -quick and -stat.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rounds := fs.Int("rounds", envInt("BENCH_ROUNDS", 0), "interleaved rounds per scenario (default 5; 3 with -quick)")
	quick := fs.Bool("quick", os.Getenv("BENCH_QUICK") == "1", "short runs and fewer rounds, for a first look")
	goBench := fs.String("gobench", "", "file with the output of `go test -bench` for ./lang/ (default: run BenchmarkParse10kLines)")
	stat := fs.String("stat", envString("BENCH_STAT", string(statMedian)), "how rounds become one figure: median (of each round's cost) or best (fastest runs; steadier on a busy machine)")
	prebuilt := fs.String("ipcsh", "", "measure this ipcsh binary instead of building ./cmd/ipcsh")
	only := fs.String("only", "", "run only the scenarios whose name matches this regexp (pipe fifo msg sem semself pmq psem shm bulk spawn family startup loop parse)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *rounds <= 0 {
		*rounds = 5
		if *quick {
			*rounds = 3
		}
	}
	// target is the time the iterations of the short run should take;
	// the long run takes twice that.
	target := 250 * time.Millisecond
	if *quick {
		target = 50 * time.Millisecond
	}
	if s := statistic(*stat); s != statMedian && s != statBest {
		fmt.Fprintln(stderr, "bench: -stat must be median or best")
		return 2
	}
	var pick *regexp.Regexp
	if *only != "" {
		var err error
		if pick, err = regexp.Compile(*only); err != nil {
			fmt.Fprintln(stderr, "bench: -only:", err)
			return 2
		}
	}

	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	out := filepath.Join(root, "bench", "out")
	fmt.Fprintln(stderr, "bench: building into", out)
	if err := build(root, out, *prebuilt, stderr); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	e := findEnv(root, out)
	r := &runner{taskset: tasksetPath(), timeout: 2 * time.Minute, attr: ipcNamespace()}
	if r.attr != nil {
		// A journal names SysV ids of the run's own namespace: keep it out
		// of the place where `ipcsh clean` looks for the machine's.
		r.extraEnv = []string{"IPCSH_JOURNAL_DIR=" + filepath.Join(out, "journal")}
	}

	groups := e.groups()
	if *quick {
		// A quick look does not need a full GiB through the pipe.
		for i := range groups {
			if groups[i].fixedN > 0 {
				groups[i].fixedN /= 8
			}
		}
	}
	loadBefore := loadAvg()
	results := map[string]map[string]*measurement{}
	calls := map[string]map[string]callCounts{}
	perf, noPerf := perfPath(), ""
	if perf == "" {
		noPerf = "perf cannot read the syscall tracepoints here (needs perf, and root or kernel.perf_event_paranoid ≤ -1)"
	}
	for _, g := range groups {
		if pick != nil && !pick.MatchString(g.name) {
			continue
		}
		fmt.Fprintf(stderr, "bench: %s\n", g.name)
		results[g.name] = r.measureGroup(g, *rounds, target, func(s string) { fmt.Fprintln(stderr, s) })
		if groupOrder(g.name) < len(pingPongs) && perf != "" {
			calls[g.name] = map[string]callCounts{}
			for _, c := range g.cs {
				if m := results[g.name][c.who]; (c.who == "C" || c.who == "ipcsh") && m != nil && m.err == nil && m.n > 0 {
					// 4n: start-up's own calls vary by more than a
					// short run's iterations make.
					cc, err := r.countCalls(perf, g, c, 4*m.n)
					if err != nil {
						fmt.Fprintf(stderr, "bench: %s, %s: counting system calls: %v\n", g.name, c.who, err)
						continue
					}
					calls[g.name][c.who] = cc
				}
			}
		}
	}
	first := firstEvent{c: value{text: "not run"}, ipcsh: value{text: "not run"}}
	if pick == nil || pick.MatchString("spawn") {
		fmt.Fprintf(stderr, "bench: spawn, to the first event\n")
		first = measureFirstEvent(e, r, *rounds)
	}
	parse := parseFigure{err: fmt.Errorf("not run (-only)")}
	if pick == nil || pick.MatchString("parse") {
		parse = parseSpeed(root, *goBench, stderr)
	}

	fmt.Fprintln(stdout)
	printMachine(stdout, e, r, *rounds, statistic(*stat), target, loadBefore)
	fmt.Fprintln(stdout)
	t := buildTable(results, first, parse, statistic(*stat))
	t.print(stdout)
	printCalls(stdout, calls, noPerf)
	failed := false
	for _, g := range groups {
		for _, c := range g.cs {
			if m := results[g.name][c.who]; m != nil && m.err != nil && c.skip == "" && m.err != errNotYet {
				if !failed {
					fmt.Fprintln(stdout, "\nErrors:")
				}
				failed = true
				fmt.Fprintf(stdout, "- %s, %s: %v\n", g.name, c.who, m.err)
			}
		}
	}
	if failed {
		return 1
	}
	return 0
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// moduleRoot finds the directory of ipcsh's go.mod from the working
// directory up: `go run ./bench` runs from the root, tests from bench/.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module ipcsh\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module ipcsh above the working directory")
		}
		dir = parent
	}
}

// build compiles every bench/c/*.c with the system cc (or $CC) and ipcsh
// with go into out; with prebuilt set, it copies that ipcsh binary instead.
func build(root, out, prebuilt string, log io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	srcs, err := filepath.Glob(filepath.Join(root, "bench", "c", "*.c"))
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return fmt.Errorf("no C baselines in bench/c")
	}
	for _, src := range srcs {
		bin := filepath.Join(out, strings.TrimSuffix(filepath.Base(src), ".c"))
		cmd := exec.Command(cc, "-O2", "-Wall", "-o", bin, src)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s -O2 %s: %v", cc, src, err)
		}
	}
	// The Go references (start-up; a system call that may block), built
	// by the same go as ipcsh.
	for _, prog := range []string{"gohello", "gosem"} {
		cmd := exec.Command(goTool(), "build", "-o", filepath.Join(out, prog), "./bench/"+prog)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build ./bench/%s: %v", prog, err)
		}
	}
	if prebuilt != "" {
		b, err := os.ReadFile(prebuilt)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, "ipcsh"), b, 0o755)
	}
	cmd := exec.Command(goTool(), "build", "-o", filepath.Join(out, "ipcsh"), "./cmd/ipcsh")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/ipcsh: %v", err)
	}
	return nil
}

// goTool is $GO (the Makefile's), else go on PATH, else the usual place.
func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	if g, err := exec.LookPath("go"); err == nil {
		return g
	}
	return "/usr/local/go/bin/go"
}

// tasksetPath is taskset's path when this process may run on CPU 0, else
// "" (the rows are then not pinned, and the table says so).
func tasksetPath() string {
	p, err := exec.LookPath("taskset")
	if err != nil {
		return ""
	}
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) != nil || !set.IsSet(0) {
		return ""
	}
	return p
}

// printMachine says what the figures were measured on and how.
func printMachine(w io.Writer, e env, r *runner, rounds int, stat statistic, target time.Duration, loadBefore string) {
	var uts unix.Utsname
	kernel := "?"
	if unix.Uname(&uts) == nil {
		kernel = unix.ByteSliceToString(uts.Release[:])
	}
	fmt.Fprintf(w, "- machine: %d cores, %s, Linux %s; load average %s at start, %s at end\n",
		runtime.NumCPU(), cpuModel(), kernel, loadBefore, loadAvg())
	if r.taskset != "" {
		fmt.Fprintln(w, "- pinning: rows marked `cpu0` run under `taskset -c 0` (parent and children on one CPU); the others unpinned")
	} else {
		fmt.Fprintln(w, "- pinning: NONE (no taskset, or CPU 0 not allowed): latency figures between two CPUs are not comparable")
	}
	if r.attr != nil {
		fmt.Fprintln(w, "- isolation: each run in an IPC namespace of its own (nothing a crashed run makes outlives it)")
	}
	how := fmt.Sprintf("median of %d interleaved rounds of (T(2N) − T(N)) / N", rounds)
	if stat == statBest {
		how = fmt.Sprintf("best of %d interleaved rounds: (min T(2N) − min T(N)) / N (-stat best)", rounds)
	}
	fmt.Fprintf(w, "- method: cost per iteration = %s, T the wall-clock time of a run, N chosen so the iterations take ~%v\n", how, target)
	tools := []string{firstOutputLine("cc", "--version"), runtime.Version()}
	if e.perl != "" {
		tools = append(tools, "perl "+firstOutputLine(e.perl, "-e", "print $^V"))
	}
	if e.python != "" {
		py := firstOutputLine(e.python, "-V")
		if e.sysvIPC {
			py += " + sysv_ipc " + firstOutputLine(e.python, "-c", "import sysv_ipc; print(sysv_ipc.VERSION)")
		} else {
			py += " (no sysv_ipc: apt-get install python3-sysv-ipc)"
		}
		tools = append(tools, py)
	}
	fmt.Fprintf(w, "- tools: %s\n", strings.Join(tools, "; "))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "CPU ?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "CPU ?"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func firstOutputLine(name string, args ...string) string {
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return name + " ?"
	}
	return firstLine(strings.TrimSpace(string(b)))
}
