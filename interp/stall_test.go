package interp

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/lang"
)

// A deadlock stops the run with exit 3 and names where each process is
// blocked; the children are killed and reaped.
func TestStallReport(t *testing.T) {
	start := time.Now()
	_, err := runCfg(t, `pipe a
pipe b
spawn c {
	read b.r
}
read a.r
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"deadlock", "main: t.ipc:6:1: read a.r (blocked", "c: t.ipc:4:2: read b.r (blocked"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stall stop took %v", d)
	}
	if z := zombies(t); z != 0 {
		t.Errorf("%d zombies after a stall stop", z)
	}
}

// A process sleeping or computing is not stalled.
func TestNoFalseStall(t *testing.T) {
	_, err := runCfg(t, `pipe p
spawn c { sleep 600ms; write p.w "late" }
read p.r
wait c
`, Config{Stall: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("a slow but live run was stopped: %v", err)
	}
}

// The wait at the end of a script (and of a block) is no statement of the
// script: the deadlock report names the file's end, never ":0:0".
func TestStallReportAtEndOfScript(t *testing.T) {
	_, err := runCfg(t, `pipe p
spawn outer {
	spawn inner { read p.r }
}
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"main: t.ipc: end of script: waiting for outer (blocked", "outer: t.ipc: end of block: waiting for inner (blocked", "inner: t.ipc:3:16: read p.r (blocked"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if strings.Contains(se.Report, ":0:0") {
		t.Errorf("report has no position:\n%s", se.Report)
	}
}

// A program started with exec is watched from the first tick, as a
// process of the interpreter is: the report comes one stall time after
// everything blocked, not two (it came after 2.5 s for a 1 s stall).
func TestStallReportWithExecChild(t *testing.T) {
	start := time.Now()
	_, err := runCfg(t, `pipe p
spawn c exec cat stdin=p.r
read p.r
`, Config{Stall: time.Second})
	elapsed := time.Since(start)
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"main: t.ipc:3:1: read p.r (blocked at least 1s)", "c: a program, in read(2) (blocked at least 1s)"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if elapsed > 1900*time.Millisecond {
		t.Errorf("the report came %v after the start, for a stall of 1s", elapsed)
	}
}

// A program waiting for its own child (a shell running a command, cc
// running cc1) is blocked only while that child is: cc compiling for
// longer than the stall time was reported as a deadlock, "a program, in
// wait4(2)".
func TestNoFalseStallProgramWaitingForItsChild(t *testing.T) {
	_, err := runCfg(t, `spawn s exec sh -c 'sleep 0.6; true'
wait s
`, Config{Stall: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("a program whose child sleeps was taken for stalled: %v", err)
	}
	// ...and one whose child computes.
	_, err = runCfg(t, `spawn s exec sh -c 'sh -c "i=0; while [ \$i -lt 100000 ]; do i=\$((i+1)); done"; true'
wait s
`, Config{Stall: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("a program whose child computes was taken for stalled: %v", err)
	}
}

// A program whose child is blocked for good is still part of a deadlock,
// and the report names the program's own wait.
func TestStallReportProgramWaitingForBlockedChild(t *testing.T) {
	_, err := runCfg(t, `pipe p
spawn c exec sh -c 'cat; true' stdin=p.r
read p.r
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	if want := "c: a program, in wait4(2)"; !strings.Contains(se.Report, want) {
		t.Errorf("report lacks %q:\n%s", want, se.Report)
	}
}

// TestHasEndedLooksAtTheLatestOfAName: a wait is about to return when the
// process it waits for has exited, reaped or not; an earlier process of
// the same name, long waited for, says nothing about the current one.
func TestHasEndedLooksAtTheLatestOfAName(t *testing.T) {
	b, err := newBoard()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if b.hasEnded("c") {
		t.Error("a name never claimed has ended")
	}
	first, err := b.claim("c", kindInterp)
	if err != nil {
		t.Fatal(err)
	}
	if b.hasEnded("c") {
		t.Error("a running c has ended")
	}
	b.exited(first)
	if !b.hasEnded("c") {
		t.Error("an exited c, not yet waited for, has not ended")
	}
	b.done(first)
	if !b.hasEnded("c") {
		t.Error("a c that was waited for has not ended")
	}
	if _, err := b.claim("c", kindInterp); err != nil {
		t.Fatal(err)
	}
	if b.hasEnded("c") {
		t.Error("the second c, running, counts as ended because the first did")
	}
}

// The stall detector takes a blocked call whose thread is runnable as
// woken, not stuck: threadRunnable tells a running thread from one
// asleep in a system call.
func TestThreadRunnable(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid := int32(os.Getpid())
	if !threadRunnable(pid, int32(unix.Gettid())) {
		t.Error("the running thread is not taken as runnable")
	}
	tids := make(chan int32)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		tids <- int32(unix.Gettid())
		ts := unix.Timespec{Nsec: 300e6}
		_ = unix.Nanosleep(&ts, nil)
		runtime.UnlockOSThread()
		close(done)
	}()
	tid := <-tids
	time.Sleep(100 * time.Millisecond)
	if threadRunnable(pid, tid) {
		t.Error("a thread asleep in nanosleep is taken as runnable")
	}
	<-done
	if threadRunnable(pid, 0) || threadRunnable(0, tid) {
		t.Error("no thread is runnable")
	}
}

// A call that has returned in the kernel but has not yet left the board
// (its goroutine waiting for a P, its thread asleep, not runnable) looks
// blocked for as long as that lasts: make test once saw a false deadlock
// so, main's recv reported alone after its sender had sent and exited.
// Here main's recv leaves the board only once the watcher has seen the
// run stalled: a verdict needs two such ticks in a row, and given on the
// first it would stop this run with code 3.
func TestNoFalseStallCallReturnedNotYetLeft(t *testing.T) {
	prog, err := lang.Parse("t.ipc", "msgget q key=private create\nspawn c { sleep 100ms\nsend q \"x\" }\nrecv q\nwait c\n")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r, err := New(Config{Stdout: &out, Stall: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stalled := make(chan struct{})
	var held atomic.Pointer[slot]
	var once sync.Once
	r.testLeave = func(s *slot) {
		if !strings.HasPrefix(cstr(s.stmt[:]), "recv") {
			return
		}
		once.Do(func() {
			// The child's send has come; stay "blocked" until the watcher
			// has seen it so, as a goroutine without a P would: its
			// thread asleep, running nothing else.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			held.Store(s)
			select {
			case <-stalled:
			case <-time.After(5 * time.Second):
				t.Error("the watcher never held back a verdict")
			}
		})
	}
	r.testSuspect = func() {
		s := held.Load()
		if s == nil {
			return
		}
		// The recv leaves the board before the watcher looks again.
		c := atomic.LoadUint64(&s.counter)
		select {
		case stalled <- struct{}{}:
		default:
			return
		}
		for atomic.LoadUint64(&s.counter) == c {
			time.Sleep(time.Millisecond)
		}
	}
	runErr := r.End(r.Run(prog))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		t.Fatalf("a recv that had its message was taken for a deadlock: %v\n%s", runErr, out.String())
	}
	if !strings.Contains(out.String(), `main: recv q -> type=1 "x"`) {
		t.Errorf("transcript:\n%s", out.String())
	}
}
