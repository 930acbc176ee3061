package ipc

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// callerTid waits until a call made with it has published its thread.
func callerTid(t *testing.T, it *Interrupter) int {
	t.Helper()
	var tid int
	eventually(t, "a call to start", func() bool { tid = int(it.tid.Load()); return tid != 0 })
	return tid
}

// fireAndWait fires it while a call made with it is blocked in system
// call nr, and returns that call's error. The bound of 2s is loose on
// purpose: the cancellation normally takes microseconds.
func fireAndWait(t *testing.T, it *Interrupter, nr uintptr, done <-chan error) error {
	t.Helper()
	waitInSyscall(t, callerTid(t, it), nr)
	start := time.Now()
	it.Fire()
	select {
	case err := <-done:
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the call took %v to cancel", d)
		}
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the call was not cancelled")
		return nil
	}
}

func TestInterruptBlockedMsgrcv(t *testing.T) {
	q := newQueue(t)
	it := NewInterrupter()
	done := make(chan error, 1)
	go func() {
		_, _, err := Msgrcv(q, make([]byte, MsgHeader+16), 0, 0, it)
		done <- err
	}()
	if err := fireAndWait(t, it, unix.SYS_MSGRCV, done); err != ErrInterrupted {
		t.Fatalf("cancelled Msgrcv = %v, want ErrInterrupted", err)
	}
	if !it.Fired() {
		t.Fatal("Fired() is false after Fire")
	}

	// Fired stays in force for later calls, until Reset.
	mustSend(t, q, 1, "after")
	if _, _, err := Msgrcv(q, make([]byte, MsgHeader+16), 0, 0, it); err != ErrInterrupted {
		t.Fatalf("Msgrcv after Fire = %v, want ErrInterrupted", err)
	}
	if ds, _ := MsgctlStat(q); ds.Qnum != 1 {
		t.Fatalf("a call cancelled before it started took a message: qnum %d", ds.Qnum)
	}
	it.Reset()
	if it.Fired() {
		t.Fatal("Fired() after Reset")
	}
	buf := make([]byte, MsgHeader+16)
	if _, n, err := Msgrcv(q, buf, 0, 0, it); err != nil || string(buf[MsgHeader:MsgHeader+n]) != "after" {
		t.Fatalf("Msgrcv after Reset = %q, %v", buf[MsgHeader:MsgHeader+n], err)
	}
}

func TestInterruptBlockedMsgsnd(t *testing.T) {
	q := newQueue(t)
	ds, _ := MsgctlStat(q)
	ds.Qbytes = 10
	if err := MsgctlSet(q, &ds); err != nil {
		t.Fatal(err)
	}
	mustSend(t, q, 1, "0123456789") // the queue is full
	it := NewInterrupter()
	done := make(chan error, 1)
	go func() { done <- Msgsnd(q, 1, []byte("more"), 0, it) }()
	if err := fireAndWait(t, it, unix.SYS_MSGSND, done); err != ErrInterrupted {
		t.Fatalf("cancelled Msgsnd = %v, want ErrInterrupted", err)
	}
	if ds, _ := MsgctlStat(q); ds.Qnum != 1 {
		t.Fatalf("qnum %d after a cancelled send", ds.Qnum)
	}
}

func TestInterruptBlockedSemop(t *testing.T) {
	for _, timeout := range []time.Duration{-1, time.Hour} {
		t.Run(fmt.Sprint("timeout ", timeout), func(t *testing.T) {
			s := newSemSet(t, 1)
			it := NewInterrupter()
			done := make(chan error, 1)
			go func() { done <- Semop(s, []Sembuf{{Num: 0, Op: -1}}, timeout, it) }()
			nr := uintptr(unix.SYS_SEMOP)
			if timeout >= 0 {
				nr = unix.SYS_SEMTIMEDOP
			}
			if err := fireAndWait(t, it, nr, done); err != ErrInterrupted {
				t.Fatalf("cancelled Semop = %v, want ErrInterrupted", err)
			}
			if n, _ := SemGetNcnt(s, 0); n != 0 {
				t.Fatalf("ncnt %d after the waiter was cancelled", n)
			}
		})
	}
}

// Fire with no call in progress returns at once, and a nil Interrupter is
// allowed everywhere.
func TestInterrupterIdle(t *testing.T) {
	it := NewInterrupter()
	it.Fire()
	s := newSemSet(t, 1)
	if err := Semop(s, []Sembuf{{Num: 0, Op: 1}}, -1, it); err != ErrInterrupted {
		t.Fatalf("Semop with a fired Interrupter = %v", err)
	}
	if v := semVal(t, s, 0); v != 0 {
		t.Fatalf("a cancelled V happened: value %d", v)
	}
	// Calls that cannot block are refused all the same once fired.
	q := newQueue(t)
	if err := Msgsnd(q, 1, []byte("x"), unix.IPC_NOWAIT, it); err != ErrInterrupted {
		t.Fatalf("Msgsnd nowait with a fired Interrupter = %v", err)
	}
	if err := Msgsnd(q, 1, []byte("x"), 0, it); err != ErrInterrupted {
		t.Fatalf("Msgsnd with a fired Interrupter = %v", err)
	}
	if _, _, err := Msgrcv(q, make([]byte, 16), 0, unix.IPC_NOWAIT, it); err != ErrInterrupted {
		t.Fatalf("Msgrcv nowait with a fired Interrupter = %v", err)
	}
	if ds, _ := MsgctlStat(q); ds.Qnum != 0 {
		t.Fatalf("a cancelled send happened: qnum %d", ds.Qnum)
	}

	var none *Interrupter
	none.Fire()
	none.Reset()
	if none.Fired() {
		t.Fatal("a nil Interrupter fired")
	}
}

// A normal exchange through a queue is unaffected by an Interrupter that
// does not fire, even when its threads are interrupted by signals all the
// time: those EINTRs are retried.
func TestPingPongWithInterrupters(t *testing.T) {
	q := newQueue(t)
	const rounds = 2000
	pinger, ponger := NewInterrupter(), NewInterrupter()
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// The noise: SIGURG at whichever thread is in a call, as Fire would
	// send, but without firing.
	signals := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
			for _, it := range []*Interrupter{pinger, ponger} {
				if tid := it.tid.Load(); tid != 0 && unix.Tgkill(os.Getpid(), int(tid), unix.SIGURG) == nil {
					signals++
				}
			}
		}
	}()

	errs := make(chan error, 2)
	wg.Add(1)
	go func() { // the ponger answers type 1 with type 2, adding one
		defer wg.Done()
		buf := make([]byte, MsgHeader+8)
		for range rounds {
			_, n, err := Msgrcv(q, buf, 1, 0, ponger)
			if err != nil {
				errs <- fmt.Errorf("ponger receive: %w", err)
				return
			}
			var v int
			fmt.Sscan(string(buf[MsgHeader:MsgHeader+n]), &v)
			if err := Msgsnd(q, 2, fmt.Append(nil, v+1), 0, ponger); err != nil {
				errs <- fmt.Errorf("ponger send: %w", err)
				return
			}
		}
	}()
	buf := make([]byte, MsgHeader+8)
	for i := range rounds {
		if err := Msgsnd(q, 1, fmt.Append(nil, i), 0, pinger); err != nil {
			t.Fatal("pinger send:", err)
		}
		_, n, err := Msgrcv(q, buf, 2, 0, pinger)
		if err != nil {
			select {
			case e := <-errs:
				t.Fatal(e)
			default:
			}
			t.Fatal("pinger receive:", err)
		}
		if got := string(buf[MsgHeader : MsgHeader+n]); got != fmt.Sprint(i+1) {
			t.Fatalf("round %d: answer %q", i, got)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d rounds with %d stray signals", rounds, signals)
}

func TestInterrupterServesOneCall(t *testing.T) {
	q := newQueue(t)
	mustSend(t, q, 2, "there") // so that the second call, if allowed, returns
	it := NewInterrupter()
	done := make(chan error, 1)
	go func() {
		_, _, err := Msgrcv(q, make([]byte, MsgHeader), 1, 0, it)
		done <- err
	}()
	callerTid(t, it)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a second call with a busy Interrupter did not panic")
			}
		}()
		Msgrcv(q, make([]byte, MsgHeader+8), 2, 0, it)
	}()
	it.Fire()
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Fatalf("first call = %v", err)
	}
}
