package interp

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The stall detector (LANGUAGE.md §5): when every live process of the run
// is blocked in an IPC call and nothing has happened for the stall time,
// the run stops with exit 3 and a report of where each process is blocked.
// It reads the board, so it costs the processes nothing; programs started
// with exec report nothing, so they are looked at in /proc.

// blockingSyscalls are the x86-64 system calls a program can wait in
// forever for another process: I/O, opens of FIFOs, polls, waits, SysV IPC
// and futexes (a program's threads waiting on each other while one reads).
var blockingSyscalls = map[int]string{
	0: "read", 1: "write", 2: "open", 7: "poll", 17: "pread64", 18: "pwrite64", 19: "readv", 20: "writev",
	23: "select", 34: "pause", 61: "wait4", 65: "semop", 69: "msgsnd", 70: "msgrcv",
	130: "rt_sigsuspend", 202: "futex", 220: "semtimedop", 232: "epoll_wait", 247: "waitid",
	257: "openat", 270: "pselect6", 271: "ppoll", 281: "epoll_pwait", 441: "epoll_pwait2",
}

type stallRow struct {
	name, where string
	blocked     time.Duration
	obj         blockObj // what it waits on, if the process said (explain.go)
}

// watch runs in the main process until the run ends.
func (r *Runner) watch(stall time.Duration) {
	// Three ticks are the most a report can come late: one to see a call
	// blocked, one past the stall time, one to see nothing changed since.
	tick := max(min(stall/10, 100*time.Millisecond), 10*time.Millisecond)
	// A verdict is only given when the tick before saw the same processes
	// blocked in the same calls. Between two ticks the watcher gives up
	// its P: a call of this process that has returned in the kernel but
	// not yet left the board (its goroutine waiting for a P, its thread
	// asleep, not runnable) has run by then. make test once saw a false
	// deadlock so: main's recv, whose message had come and whose sender
	// had exited, reported alone.
	suspect := ""
	type seen struct {
		since int64
		cpu   string
	}
	progs := map[int32]*seen{}
	// A process's slot tells whether it is inside a blocking call and how
	// many it has finished; the watcher notes when it first saw the same
	// call still blocked, so that processes never read a clock for it.
	type slotSeen struct {
		counter uint64
		since   int64
	}
	slots := map[int]*slotSeen{}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-r.stopWatch:
			return
		}
		now := r.main.em.now()
		n := int(atomic.LoadUint32(&r.board.header().next))
		for i := 0; i < n; i++ {
			s := r.board.slot(i)
			st := atomic.LoadUint32(&s.state)
			if atomic.LoadUint32(&s.kind) == kindExec {
				// A program's wait is timed from the first tick that saw
				// it blocked, as a slot's is: looked at only once the run
				// had been quiet for the stall time, it was reported a
				// whole stall time late.
				pid := atomic.LoadInt32(&s.pid)
				if st != slotRunning && st != slotBlocked {
					delete(progs, pid)
				} else if _, cpu, ok := programBlocked(int(pid)); !ok {
					delete(progs, pid)
				} else if e := progs[pid]; e == nil || e.cpu != cpu {
					progs[pid] = &seen{since: now, cpu: cpu}
				}
				continue
			}
			c := atomic.LoadUint64(&s.counter)
			if st != slotBlocked {
				delete(slots, i)
			} else if e := slots[i]; e == nil || e.counter != c {
				slots[i] = &slotSeen{counter: c, since: now}
			}
		}
		if now-r.lastEvent.Load() < int64(stall) {
			suspect = ""
			continue
		}
		var rows []stallRow
		var unfinished []func(note string) // for the trace, once the run is known stalled
		var blockedNow strings.Builder     // the calls blocked, for the next tick to compare
		live, stalled := 0, true
		for i := 0; i < n && stalled; i++ {
			s := r.board.slot(i)
			st := atomic.LoadUint32(&s.state)
			if st != slotRunning && st != slotBlocked {
				continue
			}
			live++
			name := cstr(s.name[:])
			if atomic.LoadUint32(&s.kind) == kindExec {
				pid := atomic.LoadInt32(&s.pid)
				call, cpu, ok := programBlocked(int(pid))
				e := progs[pid]
				if !ok || e == nil || e.cpu != cpu {
					stalled = false
					continue
				}
				d := time.Duration(now - e.since)
				if d < stall {
					stalled = false
					continue
				}
				rows = append(rows, stallRow{name: name, where: "a program, in " + call + "(2)", blocked: d})
				fmt.Fprintf(&blockedNow, "p%d:%s ", pid, cpu)
				continue
			}
			e := slots[i]
			if st != slotBlocked || e == nil || e.counter != atomic.LoadUint64(&s.counter) || now-e.since < int64(stall) {
				stalled = false
				continue
			}
			if threadRunnable(atomic.LoadInt32(&s.pid), atomic.LoadInt32(&s.tid)) {
				// Woken (its message came, its semaphore rose) but not
				// yet run: on a loaded machine that can outlast the
				// stall time, and it is no deadlock. The soak saw it
				// once in 10 runs of make test (a recv woken by the
				// send, the child not scheduled for 300ms).
				stalled = false
				continue
			}
			obj := decodeBlockObj(cstr(s.obj[:]))
			if child, ok := strings.CutPrefix(obj.tag, "proc:"); ok && r.board.hasEnded(child) {
				// A wait whose child has exited is about to return: its
				// reaper has not told it yet, or has and the wait has not
				// left the board yet (a moment on a loaded machine, which
				// twice made a false deadlock).
				stalled = false
				continue
			}
			since := e.since
			fmt.Fprintf(&blockedNow, "s%d:%d ", i, e.counter)
			where := fmt.Sprintf("%s:%d:%d: %s", cstr(s.file[:]), atomic.LoadInt32(&s.line), atomic.LoadInt32(&s.col), cstr(s.stmt[:]))
			if atomic.LoadInt32(&s.line) == 0 { // the implicit wait at the end
				where = fmt.Sprintf("%s: %s", cstr(s.file[:]), cstr(s.stmt[:]))
			}
			rows = append(rows, stallRow{name, where, time.Duration(now - since), obj})
			unfinished = append(unfinished, r.unfinishedAt(s, name, since))
		}
		if !stalled || live == 0 {
			suspect = ""
			continue
		}
		if blockedNow.String() != suspect {
			suspect = blockedNow.String()
			if r.testSuspect != nil {
				r.testSuspect()
			}
			continue
		}
		why := r.explain(rows)
		if t := r.tmpPath(); t != "" && !r.cfg.Verbose {
			why = strings.ReplaceAll(why, t, "$TMP") // as the transcript shows it
		}
		// The first record of the deadlock carries the chains of
		// waits, for a picture of the run to show them.
		note := whyLines(why)
		for _, f := range unfinished {
			f(note)
			note = ""
		}
		report := stallReport(stall, rows, r.cfg.Verbose) + why
		if t := r.tmpPath(); t != "" && !r.cfg.Verbose {
			report = strings.ReplaceAll(report, t, "$TMP")
		}
		r.Cancel(3, report)
		return
	}
}

// stallReport names where each process is blocked and for how long. Like
// the transcript, it shows exact times only with -v: otherwise each wait
// is "at least" the stall time, which every row is by the report's own
// rule. A whole number of stall periods was not what a deadlock looks
// like every time: a process that blocked while the others were still
// starting had waited two periods on a slow run, and a golden report
// differed from run to run.
func stallReport(stall time.Duration, rows []stallRow, verbose bool) string {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].name == "main" && rows[j].name != "main" })
	var b strings.Builder
	fmt.Fprintf(&b, "deadlock: every process is blocked and nothing has happened for %s:", stall)
	for _, row := range rows {
		if verbose {
			fmt.Fprintf(&b, "\n  %s: %s (blocked %.3fs)", row.name, row.where, row.blocked.Seconds())
		} else {
			fmt.Fprintf(&b, "\n  %s: %s (blocked at least %s)", row.name, row.where, stall)
		}
	}
	return b.String()
}

// programBlocked reports whether every thread of pid sits in a system call
// that waits for another process, with its CPU time as a progress mark.
// A thread in wait4 or waitid waits for the program's own children, which
// are no processes of the run: the program is blocked only if each of
// them is too, and their CPU times join the mark. Otherwise cc, waiting
// while cc1 compiles, or a shell running `sleep`, looked deadlocked.
// threadRunnable says whether thread tid of process pid is running or
// runnable (state R in /proc): not waiting, whatever its board says.
func threadRunnable(pid, tid int32) bool {
	if pid <= 0 || tid <= 0 {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/task/" + strconv.Itoa(int(tid)) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'R'
}

func programBlocked(pid int) (call, cpu string, ok bool) {
	return programBlockedDepth(pid, 0)
}

// maxProgramDepth bounds how far down a program's descendants the
// detector looks: a deeper tree is taken as busy.
const maxProgramDepth = 8

func programBlockedDepth(pid, depth int) (call, cpu string, ok bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", "", false
	}
	// Fields after the command name, which may hold spaces: state is the
	// first, utime and stime the 12th and 13th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 13 || (f[0] != "S" && f[0] != "D") {
		return "", "", false
	}
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/syscall")
	if len(tasks) == 0 {
		return "", "", false
	}
	waitsForChild := false
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			return "", "", false
		}
		nr, err := strconv.Atoi(strings.Fields(string(b) + " x")[0])
		name, blocking := blockingSyscalls[nr]
		if err != nil || !blocking {
			return "", "", false
		}
		if call == "" || name != "futex" {
			call = name
		}
		waitsForChild = waitsForChild || name == "wait4" || name == "waitid"
	}
	cpu = f[11] + "/" + f[12]
	if waitsForChild {
		if depth >= maxProgramDepth {
			return "", "", false
		}
		children, err := programChildren(pid)
		if err != nil {
			// No way to look at the children (a kernel without
			// /proc/PID/task/TID/children): judge the program alone.
			return call, cpu, true
		}
		for _, c := range children {
			_, ccpu, ok := programBlockedDepth(c, depth+1)
			if !ok {
				return "", "", false
			}
			cpu += " " + strconv.Itoa(c) + ":" + ccpu
		}
	}
	return call, cpu, true
}

// programChildren lists the children of every thread of pid.
func programChildren(pid int) ([]int, error) {
	files, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if len(files) == 0 {
		return nil, os.ErrNotExist
	}
	var pids []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, w := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(w); err == nil {
				pids = append(pids, c)
			}
		}
	}
	return pids, nil
}

// unfinishedAt returns what records, in the trace, the call slot s is
// blocked in (EvUnfinished): when it began, if the process stamped it
// (it does when the run traces), or else when the detector first saw it
// blocked. The processes have stopped emitting: the event goes out
// through main's emitter, with the blocked process's pid. The detector reads only the
// board, never a process's own state, which another goroutine owns.
func (r *Runner) unfinishedAt(s *slot, name string, since int64) func(note string) {
	if r.cfg.Trace == nil {
		return func(string) {}
	}
	start := atomic.LoadInt64(&s.start)
	if start <= 0 || start > since {
		start = since
	}
	e := Event{Kind: EvUnfinished, Proc: name, Pid: atomic.LoadInt32(&s.pid), File: cstr(s.file[:]), Line: atomic.LoadInt32(&s.line), Col: atomic.LoadInt32(&s.col),
		Stmt: cstr(s.stmt[:]), Result: "deadlock", Start: start}
	return func(note string) { e.Note = note; _ = r.main.em.emitNow(&e) }
}

// whyLines keeps the chains of an explanation ("why: ..." lines), without
// their prefix, one a line.
func whyLines(explained string) string {
	var out []string
	for _, l := range strings.Split(explained, "\n") {
		if w, ok := strings.CutPrefix(strings.TrimSpace(l), "why: "); ok {
			out = append(out, w)
		}
	}
	return strings.Join(out, "\n")
}
