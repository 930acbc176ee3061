package ipc

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrInterrupted is returned by a call made with an Interrupter that has
// been fired: the call was cancelled, not failed by the kernel.
var ErrInterrupted = errors.New("interrupted")

// An Interrupter cancels the blocking calls made with it — Msgsnd, Msgrcv,
// Semop, and ReadI, WriteI, OpenI on pipes and FIFOs — for Ctrl-C in the
// REPL, the stall detector and the end of a run.
//
// Why signals: these calls sleep in the kernel, and the SysV ones have no
// file descriptor to poll. A call records the thread it runs on, and Fire
// sends that thread interruptSignal until the call has returned; the call
// then sees EINTR, notices the Interrupter was fired and returns
// ErrInterrupted instead of retrying. signal(7): msgsnd, msgrcv and semop
// are never restarted after a handler ran; read, write and open of a pipe
// or FIFO are, unless the handler lacks SA_RESTART — so interruptSignal is
// a real-time signal that nothing else uses, whose handler (the Go
// runtime's own, installed for every signal) is set again without
// SA_RESTART. Polling the fd instead would cost a system call per read.
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
	// owner is the pinned thread (Pin), or 0. Only the pinning goroutine
	// reads or writes it.
	owner int32
	// pending, when set, says whether something arrived that must end the
	// next call (SetPending).
	pending atomic.Pointer[func() bool]
}

// SetPending gives the Interrupter a second way to end a call: a call
// about to wait returns ErrInterrupted when pending says so, checked after
// the call published its thread. Kick sets nothing when no call is in
// progress, and a signal that comes while a call is on its way in — after
// the caller last looked, before the call published its thread — would
// otherwise find nothing to interrupt and leave the call waiting for it
// (a lost wake-up). Whoever records the arrival before calling Kick
// makes pending true first: either Kick sees the call's thread or the
// call sees pending (sync/atomic is sequentially consistent).
func (it *Interrupter) SetPending(pending func() bool) {
	if it != nil {
		it.pending.Store(&pending)
	}
}

// NewInterrupter returns an Interrupter that has not fired.
func NewInterrupter() *Interrupter {
	prepareSignal()
	return new(Interrupter)
}

// interruptSignal is SIGRTMIN+8 as the C library counts (the kernel's 40):
// Go's runtime catches it, ignores it when nobody asked for it, and
// neither the runtime nor the C library uses it.
const interruptSignal = unix.Signal(40)

// signalOK is set once the Go handler of interruptSignal lacks SA_RESTART.
// Without that, Fire still works for the SysV calls, which a handler
// always interrupts.
var (
	signalOnce sync.Once
	signalOK   bool
)

// kernelSigaction is the kernel's struct sigaction on amd64 and arm64.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const saRestart = 0x10000000

func prepareSignal() {
	signalOnce.Do(func() {
		var act kernelSigaction
		if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(interruptSignal), 0, uintptr(unsafe.Pointer(&act)), 8, 0, 0); e != 0 {
			return
		}
		if act.handler <= 1 { // SIG_DFL would kill the process, SIG_IGN do nothing
			return
		}
		act.flags &^= saRestart
		_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(interruptSignal), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
		signalOK = e == 0
	})
}

// Pin locks the calling goroutine to its thread until Unpin and makes the
// Interrupter's calls from that goroutine cheaper: the thread is known
// once, not asked for (gettid) and locked at every call. The interpreter
// pins its main goroutine for the length of a run.
func (it *Interrupter) Pin() {
	if it == nil {
		return
	}
	runtime.LockOSThread()
	it.owner = int32(unix.Gettid())
}

// Owner is the thread Pin pinned the goroutine to, 0 when not pinned.
func (it *Interrupter) Owner() int32 {
	if it == nil {
		return 0
	}
	return it.owner
}

// Unpin ends Pin.
func (it *Interrupter) Unpin() {
	if it == nil || it.owner == 0 {
		return
	}
	it.owner = 0
	runtime.UnlockOSThread()
}

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
		_ = unix.Tgkill(pid, int(tid), interruptSignal)
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
	reschedIfDue()
	if it == nil {
		return nil
	}
	tid := it.owner
	if tid == 0 {
		runtime.LockOSThread()
		tid = int32(unix.Gettid())
	}
	if !it.tid.CompareAndSwap(0, tid) {
		if it.owner == 0 {
			runtime.UnlockOSThread()
		}
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
	if f := it.pending.Load(); f != nil && (*f)() {
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
	if it.owner == 0 {
		runtime.UnlockOSThread()
	}
}

// CanInterruptIO says whether ReadI, WriteI and OpenI can be interrupted
// (the signal was set up without SA_RESTART). When not, a caller must not
// block in them where it needs to be cancellable.
func CanInterruptIO() bool {
	prepareSignal()
	return signalOK
}

// ReadI is Read that Fire can interrupt while it waits.
func ReadI(fd int, p []byte, it *Interrupter) (int, error) {
	if err := it.enter(); err != nil {
		return 0, err
	}
	defer it.leave()
	for {
		n, err := unix.Read(fd, p)
		if err != unix.EINTR {
			return count(n, err)
		}
		if it.Fired() {
			return 0, ErrInterrupted
		}
	}
}

// WriteI is Write that Fire can interrupt while it waits for room. A write
// interrupted after some bytes went in returns their count, as write(2)
// does; the next call then reports the interruption.
func WriteI(fd int, p []byte, it *Interrupter) (int, error) {
	if err := it.enter(); err != nil {
		return 0, err
	}
	defer it.leave()
	for {
		n, err := unix.Write(fd, p)
		if err != unix.EINTR {
			return count(n, err)
		}
		if it.Fired() {
			return 0, ErrInterrupted
		}
	}
}

// OpenI is Open that Fire can interrupt while open(2) of a FIFO waits for
// the other end.
func OpenI(path string, flags int, mode uint32, it *Interrupter) (int, error) {
	if err := it.enter(); err != nil {
		return -1, err
	}
	defer it.leave()
	for {
		fd, err := unix.Open(path, flags|unix.O_CLOEXEC, mode)
		if err != unix.EINTR {
			if err != nil {
				return -1, err
			}
			return fd, nil
		}
		if it.Fired() {
			return -1, ErrInterrupted
		}
	}
}
