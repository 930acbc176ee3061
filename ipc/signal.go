package ipc

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Siginfo is what the kernel says about one signal (the fields of
// siginfo_t that kill(2), tgkill(2) and sigqueue(3) fill in).
type Siginfo struct {
	Signo int32
	Code  int32 // SI_USER, SI_QUEUE, SI_TKILL, ...
	Pid   int32 // the sender's process id
	Uid   uint32
	Value int64 // sigval: only for SI_QUEUE (and other queued codes)
}

// SI_QUEUE and SI_TKILL are the si_code values of sigqueue(3) and tgkill(2).
const (
	SiQueue = -1
	SiTkill = -6
)

// rawSiginfo is the kernel's siginfo_t on 64-bit Linux: three ints, a
// pad to align the union, then the union (kill/rt layout: pid, uid,
// sigval), 128 bytes in all.
type rawSiginfo struct {
	signo int32
	errno int32
	code  int32
	_     int32
	pid   int32
	uid   uint32
	value int64
	_     [96]byte
}

// Sigqueue is sigqueue(3): rt_sigqueueinfo with si_code SI_QUEUE, this
// process's pid and uid, and value as the sigval. The kernel lets a
// process send SI_QUEUE to another (negative codes are allowed).
func Sigqueue(pid int, sig unix.Signal, value int64) error {
	info := rawSiginfo{signo: int32(sig), code: SiQueue, pid: int32(unix.Getpid()), uid: uint32(unix.Getuid()), value: value}
	_, _, e := unix.Syscall(unix.SYS_RT_SIGQUEUEINFO, uintptr(pid), uintptr(sig), uintptr(unsafe.Pointer(&info)))
	if e != 0 {
		return e
	}
	return nil
}

// Tgsigqueue is rt_tgsigqueueinfo: Sigqueue aimed at one thread.
func Tgsigqueue(pid, tid int, sig unix.Signal, value int64) error {
	info := rawSiginfo{signo: int32(sig), code: SiQueue, pid: int32(unix.Getpid()), uid: uint32(unix.Getuid()), value: value}
	_, _, e := unix.Syscall6(unix.SYS_RT_TGSIGQUEUEINFO, uintptr(pid), uintptr(tid), uintptr(sig), uintptr(unsafe.Pointer(&info)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Sigset is a kernel sigset_t (64 signals).
type Sigset uint64

// Add adds sig to the set.
func (s *Sigset) Add(sig unix.Signal) { *s |= 1 << (uint(sig) - 1) }

// Has says whether sig is in the set.
func (s Sigset) Has(sig unix.Signal) bool { return s&(1<<(uint(sig)-1)) != 0 }

// BlockThread sets the calling thread's mask to block exactly set on top
// of what it blocks (SIG_BLOCK) and returns the mask it had. The caller
// must have locked its goroutine to the thread.
func BlockThread(set Sigset) (old Sigset, err error) {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, uintptr(unsafe.Pointer(&set)), uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	if e != 0 {
		return 0, e
	}
	return old, nil
}

// SetThreadMask sets the calling thread's mask to mask (SIG_SETMASK).
func SetThreadMask(mask Sigset) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Sigtimedwait is rt_sigtimedwait: it takes one pending signal of set
// (blocked on the calling thread) with its siginfo, waiting at most
// timeout (< 0: without limit). A timeout is EAGAIN, as the kernel gives it.
func Sigtimedwait(set Sigset, timeout time.Duration) (Siginfo, error) {
	var info rawSiginfo
	var tsp uintptr
	var ts unix.Timespec
	if timeout >= 0 {
		ts = unix.NsecToTimespec(int64(timeout))
		tsp = uintptr(unsafe.Pointer(&ts))
	}
	_, _, e := unix.Syscall6(unix.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&set)), uintptr(unsafe.Pointer(&info)), tsp, 8, 0, 0)
	if e != 0 {
		return Siginfo{}, e
	}
	return Siginfo{Signo: info.signo, Code: info.code, Pid: info.pid, Uid: info.uid, Value: info.value}, nil
}

// SetDefault makes sig's disposition SIG_DFL with a raw rt_sigaction: the
// Go runtime installs its own handler for every signal at start, and for
// one nobody asked for (SIGUSR1) that handler does nothing, where C's
// default action would end the process.
func SetDefault(sig unix.Signal) error {
	var act kernelSigaction // handler 0 is SIG_DFL
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Sigaction reports sig's handler as the kernel has it: 0 for SIG_DFL, 1
// for SIG_IGN, else an address.
func Sigaction(sig unix.Signal) (handler uintptr, flags uint64, err error) {
	var act kernelSigaction
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), 8, 0, 0)
	if e != 0 {
		return 0, 0, e
	}
	return act.handler, act.flags, nil
}

// TrySigaction asks the kernel to set a handler-less action on sig, only to
// hear its answer: for SIGKILL and SIGSTOP that is EINVAL (sigaction(2)).
// It changes nothing for any other signal: it sets what is there.
func TrySigaction(sig unix.Signal) error {
	var act kernelSigaction
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&act)), 8, 0, 0); e != 0 {
		return e
	}
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Kick interrupts the call in progress with it, if there is one, as Fire
// does, but only that call: when none is in progress it changes nothing
// and returns false. A trapped signal uses it to end a blocked call the way
// the kernel would have, had the signal's handler run on that thread.
func (it *Interrupter) Kick() bool {
	if it == nil {
		return false
	}
	it.fired.Store(true)
	if it.tid.Load() == 0 {
		it.fired.Store(false)
		return false
	}
	pause := 50 * time.Microsecond
	for {
		tid := it.tid.Load()
		if tid == 0 {
			return true
		}
		_ = unix.Tgkill(unix.Getpid(), int(tid), interruptSignal)
		time.Sleep(pause)
		if pause < 2*time.Millisecond {
			pause *= 2
		}
	}
}

// sigThreadName is the name (comm) of a process's signal thread, by which
// a sender finds it in /proc/PID/task.
const sigThreadName = "ipcsh-signals"

// A SigThread takes a set of signals, with their siginfo, on a thread of
// its own that blocks them and waits in rt_sigtimedwait. Go's handlers
// give a program the signal's number only; the kernel's siginfo (si_pid,
// si_value) reaches a program that waits for the signal while blocking it.
// A process-directed signal may go to any thread that does not block it,
// so a signal comes here whoever sent it only when every thread blocks it
// (interp starts ipcsh so, for the signals Go's runtime lets a program
// block); others come here when sent to this thread (tgkill,
// rt_tgsigqueueinfo: SigThreadOf finds it) and reach Go's handler else.
//
// The thread is locked for the life of the process: one per process.
type SigThread struct {
	mu      sync.Mutex    // one Set at a time
	want    atomic.Uint64 // the Sigset to take
	tid     atomic.Int32
	applied chan struct{}
	deliver atomic.Pointer[func(Siginfo)]
	// deadline (unix ns, 0: none) bounds the thread's rt_sigtimedwait;
	// when the kernel says EAGAIN for it, expired is called.
	deadline atomic.Int64
	expired  atomic.Pointer[func()]
}

var (
	sigThreadOnce sync.Once
	sigThread     *SigThread
)

// TheSigThread starts the process's signal thread, once, and returns it.
func TheSigThread() *SigThread {
	sigThreadOnce.Do(func() {
		st := &SigThread{applied: make(chan struct{}, 1)}
		ready := make(chan struct{})
		go st.loop(ready)
		<-ready
		sigThread = st
	})
	return sigThread
}

// SetDeliver sets the function that gets each signal taken.
func (st *SigThread) SetDeliver(f func(Siginfo)) { st.deliver.Store(&f) }

// Set makes set the signals the thread takes; it returns once the thread
// blocks exactly those (and its own wake-up signal).
func (st *SigThread) Set(set Sigset) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.want.Store(uint64(set))
	st.poke()
}

// SetDeadline makes the thread's wait end at t (zero: never) with the
// kernel's EAGAIN, which calls expired.
func (st *SigThread) SetDeadline(t time.Time, expired func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.expired.Store(&expired)
	if t.IsZero() {
		st.deadline.Store(0)
	} else {
		st.deadline.Store(t.UnixNano())
	}
	st.poke()
}

// poke wakes the thread and waits until it has taken the new settings.
func (st *SigThread) poke() {
	select { // an old acknowledgement must not answer this request
	case <-st.applied:
	default:
	}
	_ = unix.Tgkill(unix.Getpid(), int(st.tid.Load()), interruptSignal)
	<-st.applied
}

func (st *SigThread) loop(ready chan struct{}) {
	runtime.LockOSThread() // never unlocked: the thread dies with the process
	name := append([]byte(sigThreadName), 0)
	_, _, _ = unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0)
	var wake Sigset
	wake.Add(interruptSignal)
	_, _ = BlockThread(wake)
	st.tid.Store(int32(unix.Gettid()))
	close(ready)
	var cur Sigset
	for {
		timeout := time.Duration(-1)
		d := st.deadline.Load()
		if d != 0 {
			timeout = max(0, time.Duration(d-time.Now().UnixNano()))
		}
		info, err := Sigtimedwait(cur|wake, timeout)
		if err == unix.EAGAIN && d != 0 && st.deadline.CompareAndSwap(d, 0) {
			if f := st.expired.Load(); f != nil && *f != nil {
				(*f)()
			}
			continue
		}
		if err != nil {
			continue // EINTR: a signal of Go's runtime; nothing was taken
		}
		if unix.Signal(info.Signo) == interruptSignal {
			// Set asks for a new set: block it before saying so.
			if want := Sigset(st.want.Load()); want != cur {
				add, drop := want&^cur, cur&^want
				_, _ = BlockThread(add)
				_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&drop)), 0, 8, 0, 0)
				cur = want
			}
			select {
			case st.applied <- struct{}{}:
			default:
			}
			continue
		}
		if f := st.deliver.Load(); f != nil && *f != nil {
			(*f)(info)
		}
	}
}

// SigThreadOf is the thread id of process pid's signal thread, or 0.
func SigThreadOf(pid int) int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(b)) == sigThreadName {
			tid, _ := strconv.Atoi(e.Name())
			return tid
		}
	}
	return 0
}

// ThreadMask is the calling thread's signal mask.
func ThreadMask() Sigset {
	var old Sigset
	_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	return old
}

// SetIgnore makes sig's disposition SIG_IGN with a raw rt_sigaction, for a
// process about to exec: exec keeps SIG_IGN.
func SetIgnore(sig unix.Signal) error {
	act := kernelSigaction{handler: 1} // SIG_IGN
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// DieOf ends the process as sig's default action would, with the wait
// status a shell shows for it: SIG_DFL, the signal sent to this thread,
// then unblocked. The caller's goroutine must be locked to its thread
// (the signal thread is). For a signal whose default is to be ignored it
// returns.
func DieOf(sig unix.Signal) {
	_ = SetDefault(sig)
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), sig)
	set := Sigset(0)
	set.Add(sig)
	_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
}
