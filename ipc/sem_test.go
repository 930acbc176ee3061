package ipc

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func semVal(t *testing.T, id, num int) int {
	t.Helper()
	v, err := SemGetVal(id, num)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSemopNowaitAndTimeout(t *testing.T) {
	s := newSemSet(t, 2)
	if err := SemSetVal(s, 0, 1); err != nil {
		t.Fatal(err)
	}
	p := []Sembuf{{Num: 0, Op: -1, Flg: unix.IPC_NOWAIT}}
	if err := Semop(s, p, -1, nil); err != nil {
		t.Fatal("P on 1:", err)
	}
	wantErrno(t, Semop(s, p, -1, nil), unix.EAGAIN)

	start := time.Now()
	err := Semop(s, []Sembuf{{Num: 0, Op: -1}}, 50*time.Millisecond, nil)
	wantErrno(t, err, unix.EAGAIN)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("semtimedop gave up after %v, before its 50ms", d)
	}
	wantErrno(t, Semop(s, []Sembuf{{Num: 1, Op: -1}}, 0, nil), unix.EAGAIN) // zero timeout: one try

	// One atomic operation on two semaphores: all or nothing.
	both := []Sembuf{{Num: 0, Op: 2}, {Num: 1, Op: -1, Flg: unix.IPC_NOWAIT}}
	wantErrno(t, Semop(s, both, -1, nil), unix.EAGAIN)
	if v := semVal(t, s, 0); v != 0 {
		t.Fatalf("a failed semop changed semaphore 0 to %d", v)
	}
	if err := Semop(s, []Sembuf{{Num: 1, Op: 1}}, -1, nil); err != nil {
		t.Fatal(err)
	}
	if err := Semop(s, both, time.Second, nil); err != nil {
		t.Fatal(err)
	}
	if a, b := semVal(t, s, 0), semVal(t, s, 1); a != 2 || b != 0 {
		t.Fatalf("values %d %d, want 2 0", a, b)
	}
	if pid, err := SemGetPid(s, 0); pid != os.Getpid() || err != nil {
		t.Fatalf("GETPID = %d, %v; want %d", pid, err, os.Getpid())
	}

	wantErrno(t, Semop(s, nil, -1, nil), unix.EINVAL)
	wantErrno(t, Semop(s, []Sembuf{{Num: 2, Op: 1}}, -1, nil), unix.EFBIG) // no semaphore 2
}

func TestSemAllAndRange(t *testing.T) {
	s := newSemSet(t, 3)
	if err := SemSetAll(s, []uint16{3, 0, SEMVMX}); err != nil {
		t.Fatal(err)
	}
	vals := make([]uint16, 3)
	if err := SemGetAll(s, vals); err != nil || vals[0] != 3 || vals[1] != 0 || vals[2] != SEMVMX {
		t.Fatalf("GETALL = %v, %v", vals, err)
	}
	for _, n := range []int{2, 4} {
		if err := SemGetAll(s, make([]uint16, n)); !errors.Is(err, unix.EINVAL) {
			t.Errorf("GETALL into %d values of 3: %v, want EINVAL", n, err)
		}
		if err := SemSetAll(s, make([]uint16, n)); !errors.Is(err, unix.EINVAL) {
			t.Errorf("SETALL from %d values of 3: %v, want EINVAL", n, err)
		}
	}
	if err := SemSetAll(s, []uint16{SEMVMX + 1, 0, 0}); !errors.Is(err, unix.ERANGE) {
		t.Errorf("SETALL above SEMVMX: %v, want ERANGE", err)
	}

	wantErrno(t, SemSetVal(s, 0, SEMVMX+1), unix.ERANGE)
	wantErrno(t, SemSetVal(s, 0, -1), unix.ERANGE)
	wantErrno(t, Semop(s, []Sembuf{{Num: 2, Op: 1}}, -1, nil), unix.ERANGE) // 32767 + 1
	if err := SemSetVal(s, 1, 42); err != nil || semVal(t, s, 1) != 42 {
		t.Fatalf("SETVAL 42: %v", err)
	}

	if ds, _ := SemctlStat(s); ds.Otime != 0 {
		t.Fatalf("otime %d before any successful semop", ds.Otime)
	}
	if err := Semop(s, []Sembuf{{Num: 0, Op: -1}}, -1, nil); err != nil {
		t.Fatal(err)
	}
	ds, err := SemctlStat(s)
	if err != nil || ds.Nsems != 3 || ds.Perm.Mode&0o777 != 0o600 || ds.Ctime == 0 || ds.Otime == 0 {
		t.Fatalf("IPC_STAT = %+v, %v", ds, err)
	}
}

func TestSemNcntZcnt(t *testing.T) {
	s := newSemSet(t, 2)
	if err := SemSetVal(s, 1, 1); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { done <- Semop(s, []Sembuf{{Num: 0, Op: -1}}, -1, nil) }() // waits to decrement
	go func() { done <- Semop(s, []Sembuf{{Num: 1, Op: 0}}, -1, nil) }()  // waits for zero
	eventually(t, "one waiter of each kind", func() bool {
		n, _ := SemGetNcnt(s, 0)
		z, _ := SemGetZcnt(s, 1)
		return n == 1 && z == 1
	})
	if n, _ := SemGetNcnt(s, 1); n != 0 {
		t.Errorf("semaphore 1 has %d waiters to decrement", n)
	}
	if err := Semop(s, []Sembuf{{Num: 0, Op: 1}, {Num: 1, Op: -1}}, -1, nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal("a waiter:", err)
		}
	}
	if n, _ := SemGetNcnt(s, 0); n != 0 {
		t.Errorf("ncnt %d after the waiter left", n)
	}
}

// SEM_UNDO is undone when the process exits, so it needs a second process.
func TestSemUndo(t *testing.T) {
	s := newSemSet(t, 1)
	pid := helper(t, "sem-v-undo", s)
	if v := semVal(t, s, 0); v != 0 {
		t.Fatalf("after a helper's V with SEM_UNDO exited, the value is %d, want 0", v)
	}
	if got, _ := SemGetPid(s, 0); got != pid {
		t.Errorf("GETPID = %d, want the helper's %d (the undo counts as its operation)", got, pid)
	}
	helper(t, "sem-v", s)
	if v := semVal(t, s, 0); v != 1 {
		t.Fatalf("after a helper's V without SEM_UNDO, the value is %d, want 1", v)
	}
}

func TestSemRemovedWhileWaiting(t *testing.T) {
	s := newSemSet(t, 1)
	done := make(chan error, 1)
	go func() { done <- Semop(s, []Sembuf{{Num: 0, Op: -1}}, -1, nil) }()
	eventually(t, "the waiter", func() bool { n, _ := SemGetNcnt(s, 0); return n == 1 })
	if err := SemctlRmid(s); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, <-done, unix.EIDRM)
}

// semtimedop is never restarted after a signal, and the kernel does not
// report the time left: Semop retries with what remains, so signals do not
// stretch the timeout. The test signals the waiting thread every 10ms for
// far longer than the timeout; a retry with the full timeout each time
// would only return once the signals stop.
func TestSemtimedopRetriesWithTimeLeft(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, name := range []string{"nil", "Interrupter"} {
		t.Run(name, func(t *testing.T) {
			s := newSemSet(t, 1)
			var it *Interrupter
			if name == "Interrupter" {
				it = NewInterrupter()
			}
			done := make(chan error, 1)
			var elapsed time.Duration
			tid := lockedTid(func() {
				start := time.Now()
				err := Semop(s, []Sembuf{{Num: 0, Op: -1}}, timeout, it)
				elapsed = time.Since(start)
				done <- err
			})
			waitInSyscall(t, tid, unix.SYS_SEMTIMEDOP)
			// Signal for 5s at most: far longer than the timeout, short
			// enough that a wrong implementation fails in finite time.
			signals := 0
			var err error
			returned := false
			for i := 0; i < 500 && !returned; i++ {
				select {
				case err = <-done:
					returned = true
				case <-time.After(10 * time.Millisecond):
					if unix.Tgkill(os.Getpid(), tid, unix.SIGURG) == nil {
						signals++
					}
				}
			}
			if !returned {
				select {
				case err = <-done:
				case <-time.After(10 * time.Second):
					t.Fatal("semtimedop never returned")
				}
			}
			wantErrno(t, err, unix.EAGAIN)
			if signals < 5 {
				t.Fatalf("only %d signals were sent; the test proves nothing", signals)
			}
			if elapsed < timeout || elapsed > 2*time.Second {
				t.Fatalf("semtimedop of %v with %d signals returned after %v", timeout, signals, elapsed)
			}
		})
	}
}

func TestSemopDoesNotAllocate(t *testing.T) {
	s := newSemSet(t, 1)
	v := []Sembuf{{Num: 0, Op: 1}}
	p := []Sembuf{{Num: 0, Op: -1}}
	for _, it := range []*Interrupter{nil, NewInterrupter()} {
		for _, timeout := range []time.Duration{-1, time.Second} {
			allocs := testing.AllocsPerRun(200, func() {
				if err := Semop(s, v, timeout, it); err != nil {
					t.Fatal(err)
				}
				if err := Semop(s, p, timeout, it); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("Semop (timeout %v, Interrupter %v) allocated %v times per run", timeout, it != nil, allocs)
			}
		}
	}
}
