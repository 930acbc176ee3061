package interp

import (
	"sync"
	"syscall"
	"time"
)

// SIGCHLD comes through Go's handler — the runtime unblocks it on every
// thread, so the signal thread cannot take it with its siginfo — and so
// without the kernel's si_pid. Its sender is the child whose exit raised
// it, and the run's reapers see every exit (reap, reapWarm): a SIGCHLD is
// named after the first exit since the one before it, as the kernel's
// si_pid would be (a SIGCHLD raised while one is pending is not queued,
// and the pending one keeps the first sender). With no exit to show for
// it within chldWait — `kill -CHLD` from a shell — it is another-process.
type chldLog struct {
	mu    sync.Mutex
	names []string      // of the processes that exited, oldest first
	seen  chan struct{} // wakes a SIGCHLD waiting for its exit
}

// chldWait bounds how long a SIGCHLD waits for its reaper: the exit is
// reaped within microseconds of the signal.
const chldWait = 200 * time.Millisecond

// childExited records an exit the reapers saw. The name is kept, not
// looked up on the board when a SIGCHLD comes: the board may be closed by
// then (the end of a run).
func (r *Runner) childExited(name string) {
	l := &r.chld
	l.mu.Lock()
	if len(l.names) < 1024 {
		l.names = append(l.names, name)
	}
	if l.seen == nil {
		l.seen = make(chan struct{}, 1)
	}
	l.mu.Unlock()
	select {
	case l.seen <- struct{}{}:
	default:
	}
}

// forgetExits drops the exits recorded so far: a trap or sigwait of
// SIGCHLD that starts now is not about them.
func (r *Runner) forgetExits() {
	r.chld.mu.Lock()
	r.chld.names = nil
	r.chld.mu.Unlock()
}

// senderOf names the sender of a signal that came through Go's handler.
func (r *Runner) senderOf(s syscall.Signal) string {
	if s != syscall.SIGCHLD {
		return "another-process"
	}
	l := &r.chld
	deadline := time.NewTimer(chldWait)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		if l.seen == nil {
			l.seen = make(chan struct{}, 1)
		}
		seen := l.seen
		if len(l.names) > 0 {
			name := l.names[0]
			l.names = nil
			l.mu.Unlock()
			return name
		}
		l.mu.Unlock()
		select {
		case <-seen:
		case <-deadline.C:
			return "another-process"
		}
	}
}
