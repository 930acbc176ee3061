package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// The gap between ipcsh and C on a ping-pong is mostly not the
// interpreter's work but what the Go runtime does around each blocking
// call (sysmon retaking the P, waking a spinning thread that parks again:
// futex and nanosleep). Those calls are counted here, per iteration, with
// the kernel's syscall tracepoints through perf: strace would stop the
// process at every call and change what the scheduler does.

// runtimeCalls are the system calls a C ping-pong does not make and the Go
// runtime does when its scheduler gets involved. A POSIX semaphore's own
// futex calls are not the runtime's: the table subtracts C's count of the
// same calls.
var runtimeCalls = []string{"futex", "nanosleep", "clock_nanosleep", "sched_yield", "epoll_pwait"}

// callCounts is the calls of one iteration: "all" and each of runtimeCalls.
type callCounts map[string]float64

// runtimeSum is the count of the runtime's calls in c.
func (c callCounts) runtimeSum() float64 {
	var s float64
	for _, n := range runtimeCalls {
		s += c[n]
	}
	return s
}

// perfPath is perf's path when it can read the syscall tracepoints here
// (root, or perf_event_paranoid low enough), else "".
func perfPath() string {
	p, err := exec.LookPath("perf")
	if err != nil {
		return ""
	}
	if exec.Command(p, "stat", "-x,", "-e", "raw_syscalls:sys_enter", "--", "true").Run() != nil {
		return ""
	}
	return p
}

// countCalls counts the system calls of one iteration of c by the same
// differential as the timings: a run of n iterations and one of 2n, under
// perf stat, their difference over n.
func (r *runner) countCalls(perf string, g group, c contestant, n int) (callCounts, error) {
	short, err := r.perfRun(perf, c.argv(n), g.pinned)
	if err != nil {
		return nil, err
	}
	long, err := r.perfRun(perf, c.argv(2*n), g.pinned)
	if err != nil {
		return nil, err
	}
	out := callCounts{}
	for k, v := range long {
		out[k] = (v - short[k]) / float64(n)
	}
	return out, nil
}

// perfRun runs argv under perf stat and returns the counts of its calls,
// children included.
func (r *runner) perfRun(perf string, argv []string, pinned bool) (callCounts, error) {
	f, err := os.CreateTemp("", "ipcsh-bench-perf-")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	events := []string{"raw_syscalls:sys_enter"}
	for _, n := range runtimeCalls {
		events = append(events, "syscalls:sys_enter_"+n)
	}
	cmd := append([]string{perf, "stat", "-x,", "-o", f.Name(), "-e", strings.Join(events, ","), "--"}, argv...)
	if _, err := r.run(cmd, pinned); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	return parsePerfStat(string(b))
}

// parsePerfStat reads perf stat -x, output: "count,unit,event,...".
func parsePerfStat(s string) (callCounts, error) {
	out := callCounts{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue // "<not counted>" or "<not supported>"
		}
		switch ev := f[2]; {
		case ev == "raw_syscalls:sys_enter":
			out["all"] = v
		case strings.HasPrefix(ev, "syscalls:sys_enter_"):
			out[strings.TrimPrefix(ev, "syscalls:sys_enter_")] = v
		}
	}
	if _, ok := out["all"]; !ok {
		return nil, fmt.Errorf("perf stat printed no syscall count: %q", firstLine(s))
	}
	return out, nil
}

// printCalls prints the system calls per iteration of C and ipcsh for the
// scenarios counted.
func printCalls(w io.Writer, counts map[string]map[string]callCounts, why string) {
	fmt.Fprintln(w, "\nSystem calls per iteration (perf stat on the syscall tracepoints; (2N run − N run) / N, pinned like the timings):")
	fmt.Fprintln(w)
	if why != "" {
		fmt.Fprintf(w, "not counted: %s\n", why)
		return
	}
	fmt.Fprintln(w, "| scenario | C, all calls | ipcsh, all calls | ipcsh's runtime calls beyond C's (futex, nanosleep, sched_yield, epoll_pwait) | target |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return groupOrder(names[i]) < groupOrder(names[j]) })
	for _, name := range names {
		c, i := counts[name]["C"], counts[name]["ipcsh"]
		if c == nil || i == nil {
			continue
		}
		extra := i.runtimeSum() - c.runtimeSum()
		var parts []string
		for _, n := range runtimeCalls {
			if d := i[n] - c[n]; d >= 0.005 || d <= -0.005 {
				parts = append(parts, fmt.Sprintf("%s %.2f", n, d))
			}
		}
		detail := ""
		if len(parts) > 0 {
			detail = " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.3f%s | ≤ 0.1 |\n", name, c["all"], i["all"], extra, detail)
	}
}

// pingPongs are the scenarios whose calls are counted: a blocking call
// on each side per iteration, where the runtime's calls show.
var pingPongs = []string{"pipe", "fifo", "msg", "sem", "pmq", "psem", "shm"}

// groupOrder is a counted scenario's place in the main table, or
// len(pingPongs) for the others.
func groupOrder(name string) int {
	for i, n := range pingPongs {
		if n == name {
			return i
		}
	}
	return len(pingPongs)
}
