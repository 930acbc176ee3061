package interp

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// Signals sent from outside the run (a shell's kill, a C program's
// sigqueue) are process-directed: the kernel hands them to any thread
// that does not block them, and Go's handler, which runs there, passes on
// the signal's number only. The kernel's siginfo (si_pid, si_code,
// si_value) reaches a thread that takes the signal with rt_sigtimedwait,
// which it can do only for a signal that every thread blocks; otherwise
// the kernel delivers it elsewhere first.
//
// Go's runtime starts each thread with the signal mask the process had at
// start (for the signals it lets a program block: not SIGTERM, SIGINT,
// SIGHUP, SIGQUIT, SIGCHLD), and os/signal.Notify unblocks a signal on a
// thread of its own. So ipcsh starts with the signals of takenSet blocked
// (TakeSignalsAtStart re-executes itself so), never Notifies them, and
// its signal thread takes every one of them, trapped or not, doing for
// the untrapped what their default action would. Children inherit the
// mask through fork and exec; exec'd programs get it cleared by a
// trampoline (ExecArg), as exec from a C shell would give them.

// takenSet is the signals every thread blocks and the signal thread takes:
// those whose default action ends a process and that Go's runtime lets a
// program block (defaultSignals).
var takenSet = func() ipc.Sigset {
	var s ipc.Sigset
	for _, sig := range defaultSignals() {
		s.Add(sig)
	}
	return s
}()

// sigTaken is true when this process started with takenSet blocked (on
// every thread, since the runtime copies the start mask to each).
var sigTaken bool

// isTaken says whether s comes through the signal thread with its siginfo
// whoever sent it.
func isTaken(s unix.Signal) bool { return sigTaken && takenSet.Has(s) }

// noteTakenMask sets sigTaken when the process started with takenSet
// blocked: a run's children inherit the mask of a run that takes them.
func noteTakenMask() {
	sigTaken = ipc.ThreadMask()&takenSet == takenSet
}

// TakeSignalsAtStart makes sure the process runs with takenSet blocked on
// every thread: when the start mask lacks it, it blocks it on this thread
// and executes the same binary (args: os.Args) again, which starts with
// it. Should that exec fail, ipcsh goes on as before (Go's handlers; no
// siginfo from outside the run).
//
// The second start costs as much as the first, so ipcsh pays it only for
// a script that receives signals (ReceivesSignals) and for the REPL: a
// script that traps none has no use for a sender's siginfo, and its
// untrapped signals do their default action either way.
func TakeSignalsAtStart(args []string) {
	mask := ipc.ThreadMask()
	if mask&takenSet == takenSet {
		sigTaken = true
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, err := ipc.BlockThread(takenSet); err != nil {
		return
	}
	_ = syscall.Exec("/proc/self/exe", args, os.Environ())
	_ = ipc.SetThreadMask(mask)
}

// ExecArg is argv[1] of the trampoline through which a run execs a
// program: ipcsh __exec IGNORED ERRFD PATH ARGV... It clears the mask
// ipcsh runs with, sets SIG_IGN on what the script ignored (Go's runtime,
// starting in the trampoline, put its handlers over them; exec keeps only
// SIG_IGN) and execs PATH. A failed exec's errno goes to ERRFD, which
// exec closes, as ForkExec reports its own.
const ExecArg = "__exec"

func execTrampoline(args []string, stderr io.Writer) int {
	errfd, err := strconv.Atoi(args[3])
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: bad %s argument %q\n", ExecArg, args[3])
		return 127
	}
	if errfd >= 0 {
		unix.CloseOnExec(errfd)
	}
	// A signal sent to the program since its spawn is pending here: it
	// must meet the disposition exec would give it once the mask is
	// cleared, not Go's handler, which drops a SIGUSR1 nobody asked for.
	for _, s := range defaultSignals() {
		_ = ipc.SetDefault(s)
	}
	if args[2] != "-" {
		for _, f := range strings.Split(args[2], ",") {
			if s, err := strconv.Atoi(f); err == nil {
				_ = ipc.SetIgnore(unix.Signal(s))
			}
		}
	}
	runtime.LockOSThread()
	_ = ipc.SetThreadMask(ipc.ThreadMask() &^ takenSet)
	err = syscall.Exec(args[4], args[5:], os.Environ())
	errno, _ := err.(syscall.Errno)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(errno))
	if errfd >= 0 {
		_, _ = unix.Write(errfd, b[:])
	} else {
		fmt.Fprintf(stderr, "ipcsh: exec %s: %v\n", args[4], err)
	}
	return 127
}

// trampoline is argv for starting path through execTrampoline, with the
// write end of the pipe that reports a failed exec at fd errfd (-1: none;
// the failure goes to stderr).
func trampoline(ignored []int, errfd int, path string, argv []string) []string {
	ign := "-"
	if len(ignored) > 0 {
		parts := make([]string, len(ignored))
		for i, s := range ignored {
			parts[i] = strconv.Itoa(s)
		}
		ign = strings.Join(parts, ",")
	}
	return append([]string{"ipcsh", ExecArg, ign, strconv.Itoa(errfd), path}, argv...)
}

// execFailed reads what the trampoline reported on the pipe: nothing (the
// exec closed it) or the errno of the exec that failed.
func execFailed(rfd int) error {
	var b [4]byte
	n := 0
	for n < 4 {
		m, err := unix.Read(rfd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if m <= 0 {
			break
		}
		n += m
	}
	if n == 4 {
		return syscall.Errno(binary.LittleEndian.Uint32(b[:]))
	}
	return nil
}

// sigRunner is the session whose processes the signal thread delivers to.
var sigRunner atomic.Pointer[Runner]

// takeSignals makes r the session that gets this process's signals and,
// when they are taken, starts the signal thread: from now on an untrapped
// signal of takenSet does what its default action would.
func (r *Runner) takeSignals() {
	sigRunner.Store(r)
	if !sigTaken {
		return
	}
	st := ipc.TheSigThread()
	st.SetDeliver(deliverSignal)
	st.Set(takenSet)
}

// deliverSignal is the signal thread's hand-off of a signal it took, on
// that thread.
func deliverSignal(info ipc.Siginfo) {
	r := sigRunner.Load()
	if r == nil {
		return
	}
	sig := unix.Signal(info.Signo)
	from := "another-process"
	// Only kill, sigqueue, tgkill and an mq notification give a sender's
	// pid: a signal the kernel raised itself (SIGALRM of a timer) has none.
	switch info.Code {
	case siUser, ipc.SiQueue, siMesgq, ipc.SiTkill:
		if n := r.board.nameOf(int(info.Pid)); n != "" {
			from = n
		}
	}
	var value int64
	if info.Code == ipc.SiQueue || info.Code == siMesgq {
		value = info.Value
	}
	g := r.sigPub.Load()
	if g != nil && g.arrive(r, sigRec{sig: sig, value: value, from: from}) {
		return
	}
	if !isTaken(sig) {
		return
	}
	if h, _, err := ipc.Sigaction(sig); err == nil && h == 1 {
		return // SIG_IGN (trap ignore, or inherited): the kernel would drop it
	}
	if r.child {
		ipc.DieOf(sig) // as SIG_DFL: nothing of its own to clean up
		return
	}
	r.Cancel(128+int(sig), "")
}

// The si_code of kill(2) (SI_USER) and of a message queue's notification
// (SI_MESGQ).
const (
	siUser  = 0
	siMesgq = -3
)

// ReceivesSignals says whether a script's text may receive a signal
// (trap, sigwait, mqnotify). It looks at words, not at the parse, so that
// it can run before anything else: a word in a comment or a string only
// costs the second start of TakeSignalsAtStart.
func ReceivesSignals(src string) bool {
	for _, w := range []string{"trap", "sigwait", "mqnotify"} {
		if strings.Contains(src, w) {
			return true
		}
	}
	return false
}
