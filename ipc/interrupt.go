package ipc

import (
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// ErrInterrupted is returned by a call made with an Interrupter that has
// been fired: the call was cancelled, not failed by the kernel.
var ErrInterrupted = errors.New("interrupted")

// An Interrupter cancels the blocking SysV calls made with it (Msgsnd,
// Msgrcv, Semop), for Ctrl-C in the REPL, the stall detector and the end of
// a run.
//
// Why signals: msgsnd, msgrcv, semop and semtimedop sleep in the kernel
// with no file descriptor to poll, but signal(7) guarantees they are never
// restarted after a signal handler ran, even with SA_RESTART. So a call
// records the thread it runs on, and Fire sends that thread SIGURG until
// the call has returned; the call then sees EINTR, notices the Interrupter
// was fired and returns ErrInterrupted instead of retrying. SIGURG is the
// signal the Go runtime itself uses to preempt goroutines, so its handler is
// installed in every Go program and every Go thread already tolerates
// stray ones.
//
// Calls that cannot block (IPC_NOWAIT, a semop that only adds) just check
// Fired first; only calls that may wait pay for the thread bookkeeping
// (LockOSThread and a gettid, about 100ns).
//
// An Interrupter serves one blocking call at a time (a process runs one
// statement at a time): a second call while one is in progress panics, as
// the first could no longer be cancelled. Fire and Reset may be called
// from any goroutine. The zero value is ready to use; a nil *Interrupter is
// allowed and never fires.
type Interrupter struct {
	fired atomic.Bool
	// tid is the thread blocked in, or about to enter, a call made with
	// this Interrupter, or 0. Its thread is locked to the calling goroutine
	// for the duration of the call, so the number stays right.
	tid atomic.Int32
}

// NewInterrupter returns an Interrupter that has not fired.
func NewInterrupter() *Interrupter { return new(Interrupter) }

// Fire cancels the call made with it now, if any, and every later one until
// Reset. It returns once the call in progress has returned, which takes
// microseconds to a few milliseconds.
func (it *Interrupter) Fire() {
	if it == nil {
		return
	}
	it.fired.Store(true)
	pid := unix.Getpid()
	// One signal is not enough: it can arrive after the call checked
	// Fired but before it entered the kernel, where it is lost. Keep
	// sending until the call is seen to have left.
	pause := 50 * time.Microsecond
	for {
		tid := it.tid.Load()
		if tid == 0 {
			return
		}
		// ESRCH cannot happen (the thread is locked and alive while tid is
		// set); any other failure would only leave the call blocked, and
		// there is nothing better to do than try again.
		_ = unix.Tgkill(pid, int(tid), unix.SIGURG)
		time.Sleep(pause)
		if pause < 2*time.Millisecond {
			pause *= 2
		}
	}
}

// Reset makes the Interrupter usable again after a cancelled statement. It
// must not race with a call still in progress: that call may or may not be
// cancelled.
func (it *Interrupter) Reset() {
	if it != nil {
		it.fired.Store(false)
	}
}

// Fired reports whether Fire was called since the last Reset.
func (it *Interrupter) Fired() bool {
	return it != nil && it.fired.Load()
}

// enter prepares a blocking call: it pins the goroutine to its thread and
// publishes the thread for Fire. Every successful enter must be paired with
// leave. With a nil Interrupter both do nothing, so plain callers pay
// nothing.
func (it *Interrupter) enter() error {
	if it == nil {
		return nil
	}
	runtime.LockOSThread()
	if !it.tid.CompareAndSwap(0, int32(unix.Gettid())) {
		runtime.UnlockOSThread()
		panic("ipc: one Interrupter used by two calls at the same time")
	}
	// Checked after publishing the tid, never only before: Fire sets fired
	// and then reads tid, so either Fire sees this thread and signals it, or
	// this load sees fired. (sync/atomic operations are sequentially
	// consistent.)
	if it.fired.Load() {
		it.leave()
		return ErrInterrupted
	}
	return nil
}

// leave ends what enter began. The thread is unlocked every time: a
// goroutine that exits while locked takes its thread down with it, and with
// the thread any child process started from it (go.dev/issue/27505).
func (it *Interrupter) leave() {
	if it == nil {
		return
	}
	it.tid.Store(0)
	runtime.UnlockOSThread()
}
