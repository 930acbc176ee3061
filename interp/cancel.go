package interp

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// StopError ends a run from outside the script: a signal (130, 143) or
// the stall detector (3, with its report).
type StopError struct {
	Code   int
	Report string
}

func (e *StopError) Error() string {
	if e.Report != "" {
		return e.Report
	}
	return fmt.Sprintf("stopped (exit %d)", e.Code)
}

// canceler stops the blocking call of the main process. Children are not
// cancelled: a stopped run kills them. Every blocking call of main waits
// on its fd and an eventfd together (poll), or on a channel, so a stop
// takes effect at once without signals racing system calls (DESIGN.md:
// a read on a pipe is restarted after a signal, so a signal cannot stop it).
type canceler struct {
	efd   int
	ch    chan struct{}
	once  sync.Once
	fired atomic.Bool
	err   *StopError
	mu    sync.Mutex
	hook  func() // undoes a blocking open(2) of a FIFO
}

func newCanceler() (*canceler, error) {
	efd, err := ipc.Eventfd()
	if err != nil {
		return nil, err
	}
	return &canceler{efd: efd, ch: make(chan struct{})}, nil
}

// fire cancels the current and every later blocking call. The first
// reason wins.
func (c *canceler) fire(reason *StopError) {
	c.once.Do(func() {
		c.err = reason
		c.fired.Store(true)
		close(c.ch)
		_ = ipc.EventfdSignal(c.efd)
		c.mu.Lock()
		if c.hook != nil {
			c.hook()
		}
		c.mu.Unlock()
	})
}

func (c *canceler) setHook(f func()) {
	c.mu.Lock()
	c.hook = f
	c.mu.Unlock()
	if f != nil && c.fired.Load() {
		c.mu.Lock()
		f()
		c.mu.Unlock()
	}
}

// Cancel stops the run: the blocked statement returns, clean-up runs, and
// Run or End returns a *StopError with this code and report.
func (r *Runner) Cancel(code int, report string) {
	if r.cancel != nil {
		r.cancel.fire(&StopError{Code: code, Report: report})
	}
}

// stopped returns the stop error once the run was cancelled.
func (p *Proc) stopped() error {
	if c := p.run.cancel; c != nil && c.fired.Load() {
		return c.err
	}
	return nil
}

// waitFD waits until fd is ready for events, or the run is stopped. Only
// the main process has a canceler; elsewhere the call itself blocks.
func (p *Proc) waitFD(fd int, events int16) error {
	c := p.run.cancel
	if c == nil {
		return nil
	}
	fds := [2]unix.PollFd{{Fd: int32(fd), Events: events}, {Fd: int32(c.efd), Events: unix.POLLIN}}
	if _, err := ipc.Poll(fds[:], -1); err != nil {
		return err
	}
	if fds[1].Revents != 0 {
		// The eventfd says fire ran; its channel, closed after c.err was
		// set, is what orders the read of c.err after that write.
		<-c.ch
		return c.err
	}
	return nil
}

// waitChan waits for ch to close, or for the run to stop.
func (p *Proc) waitChan(ch chan struct{}) error {
	c := p.run.cancel
	if c == nil {
		<-ch
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-c.ch:
		return c.err
	}
}

// pause sleeps for d, or until the run is stopped.
func (p *Proc) pause(d time.Duration) error {
	c := p.run.cancel
	if c == nil {
		ts := unix.NsecToTimespec(int64(d))
		for {
			var rem unix.Timespec
			if err := unix.Nanosleep(&ts, &rem); err != unix.EINTR {
				return nil
			}
			ts = rem
		}
	}
	select {
	case <-time.After(d):
		return nil
	case <-c.ch:
		return c.err
	}
}

// enter and leave bracket a blocking call on the board: the stall
// detector sees the process blocked at this statement. Plain stores into
// shared memory, no system call.
func (p *Proc) enter(pos lang.Pos, stmt string) {
	s := p.boardSlot()
	if s == nil {
		return
	}
	atomic.StoreInt32(&s.line, int32(pos.Line))
	atomic.StoreInt32(&s.col, int32(pos.Column))
	if stmt != p.lastStmt {
		setCstr(s.stmt[:], stmt)
		p.lastStmt = stmt
	}
	if pos.Filename != p.lastFile {
		setCstr(s.file[:], pos.Filename)
		p.lastFile = pos.Filename
	}
	atomic.StoreInt64(&s.since, p.em.now())
	atomic.StoreUint32(&s.state, slotBlocked)
}

func (p *Proc) leave() {
	s := p.boardSlot()
	if s == nil {
		return
	}
	atomic.StoreUint32(&s.state, slotRunning)
	atomic.AddUint64(&s.counter, 1)
}

func (p *Proc) boardSlot() *slot {
	if p.run.board == nil || p.slot < 0 {
		return nil
	}
	return p.run.board.slot(p.slot)
}

// failText reports a failed system call of a statement that is not a
// generic command (spawn).
func (p *Proc) failText(pos lang.Pos, phase Phase, text string, err error, explain string) error {
	e := sysErr(pos, text, err, explain)
	if phase == PhasePublish {
		phase = PhaseRepeat
	}
	p.emit(EvCall, phase, pos, text, errResult(e))
	e.shown = true
	return e
}
