package interp

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// StopError ends a run from outside the script: a signal (130, 143) or
// the stall detector (3, with its report). Interrupted marks the REPL's
// Ctrl-C, which stops only the statement that was running.
type StopError struct {
	Code        int
	Report      string
	Interrupted bool
}

func (e *StopError) Error() string {
	if e.Report != "" {
		return e.Report
	}
	return fmt.Sprintf("stopped (exit %d)", e.Code)
}

// canceler stops the blocking call of the main process. Children are not
// cancelled: a stopped run kills them. The main process's system calls
// that can wait for another process (read, write, open of a FIFO, msgrcv,
// msgsnd, semop) go through one ipc.Interrupter, which the canceler fires:
// it signals the thread blocked in the call (ipc/interrupt.go says why a
// signal, and how a pipe read is kept from restarting). Waits on channels
// (wait, sleep) select on the canceler's channel.
//
// A stop is final. An interrupt (the REPL's Ctrl-C) is reset once the
// interrupted statement has returned, and the session goes on.
type canceler struct {
	fired atomic.Bool
	mu    sync.Mutex // guards everything below, and fire against reset
	ch    chan struct{}
	err   *StopError
	hooks []func() // more to fire: a recv's own timeout Interrupter
	intr  *ipc.Interrupter
}

func newCanceler() (*canceler, error) {
	if !ipc.CanInterruptIO() {
		return nil, errors.New("cannot set up the signal that interrupts blocking calls")
	}
	return &canceler{ch: make(chan struct{}), intr: ipc.NewInterrupter()}, nil
}

// fire cancels the current and every later blocking call. The first
// reason wins, except that a stop overrides an interrupt.
func (c *canceler) fire(reason *StopError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fired.Load() {
		if c.err.Interrupted && !reason.Interrupted {
			c.err = reason
		}
		return
	}
	c.err = reason
	c.fired.Store(true)
	close(c.ch)
	for _, h := range c.hooks {
		h()
	}
	c.intr.Fire()
}

// reset re-arms the canceler after an interrupt; after a stop it does
// nothing. Only the main goroutine calls it, between statements.
func (c *canceler) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fired.Load() || !c.err.Interrupted {
		return
	}
	c.intr.Reset()
	c.ch = make(chan struct{})
	c.err = nil
	c.fired.Store(false)
}

// addHook registers f to run when the canceler fires (at once, if it
// already has) and returns the function that unregisters it.
func (c *canceler) addHook(f func()) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, f)
	if c.fired.Load() {
		f()
	}
	i := len(c.hooks) - 1
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.hooks[i] = func() {}
		if i == len(c.hooks)-1 {
			c.hooks = c.hooks[:0]
		}
	}
}

// current returns the channel that closes when the canceler fires.
func (c *canceler) current() chan struct{} {
	if c == nil {
		return nil // a child's: nothing stops it but its own end
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ch
}

// stopErr returns why the canceler fired.
func (c *canceler) stopErr() *StopError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Cancel stops the run: the blocked statement returns, clean-up runs, and
// Run or End returns a *StopError with this code and report.
func (r *Runner) Cancel(code int, report string) {
	if r.cancel != nil {
		r.cancel.fire(&StopError{Code: code, Report: report})
	}
}

// Interrupt stops the statement the main process is running (blocked or
// looping) and returns it from Run as a *StopError with Interrupted set;
// the session goes on with the next Run. This is the REPL's Ctrl-C.
func (r *Runner) Interrupt() {
	if r.cancel != nil {
		r.cancel.fire(&StopError{Code: 130, Report: "interrupted", Interrupted: true})
	}
}

// stopped returns the stop error once the run was cancelled.
func (p *Proc) stopped() error {
	if c := p.run.cancel; c != nil && c.fired.Load() {
		return c.stopErr()
	}
	return nil
}

// intr is the Interrupter for this process's SysV calls: main's canceler
// fires it; children have none (a stopped run kills them).
func (p *Proc) intr() *ipc.Interrupter {
	if c := p.run.cancel; c != nil {
		return c.intr
	}
	return nil
}

// sysvStop turns an interrupted SysV call into the run's stop error.
func (p *Proc) sysvStop() error {
	if c := p.run.cancel; c != nil && (c.fired.Load() || p.run.sig != nil) {
		return p.cut(c)
	}
	return &StopError{Code: 130, Report: "interrupted"}
}

// waitChan waits for ch to close, or for the run to stop.
func (p *Proc) waitChan(ch chan struct{}) error {
	c := p.run.cancel
	if c == nil && p.run.sig == nil {
		<-ch
		return nil
	}
	for {
		select {
		case <-ch:
			return nil
		case <-c.current():
			return p.cut(c)
		case <-p.sigWake():
			if err := p.waitSignal(); err != nil {
				return err
			}
		}
	}
}

// pause sleeps for d, or until the run is stopped.
func (p *Proc) pause(d time.Duration) error {
	_ = p.em.flush()
	c := p.run.cancel
	if c == nil && p.run.sig == nil {
		ts := unix.NsecToTimespec(int64(d))
		for {
			var rem unix.Timespec
			if err := unix.Nanosleep(&ts, &rem); err != unix.EINTR {
				return nil
			}
			ts = rem
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return nil
		case <-c.current(): // a nil channel when there is no canceler
			return p.cut(c)
		case <-p.sigWake():
			if err := p.sleepSignal(); err != nil {
				return err
			}
		}
	}
}

// cut is the error of a blocking call the canceler stopped. An interrupt
// names the statement it cut short, for the REPL to say what it cancelled.
func (p *Proc) cut(c *canceler) error {
	if !c.fired.Load() && p.run.sig != nil {
		return p.sigCut(c)
	}
	e := c.stopErr()
	if e == nil || !e.Interrupted || p.curStmt == "" {
		return e
	}
	at := p.curPos
	p.emitUnfinished("cancelled")
	return &StopError{Code: e.Code, Interrupted: true, Report: fmt.Sprintf("cancelled %s at %s:%d:%d", p.curStmt, at.Filename, at.Line, at.Column)}
}

// enter and leave bracket a blocking call on the board: the stall
// detector sees the process blocked at this statement. Plain stores into
// shared memory, no system call.
func (p *Proc) enter(pos lang.Pos, stmt string) { p.enterOn(pos, stmt, blockObj{}) }

// enterOn is enter for a call that waits on a known object: the deadlock
// report then explains the wait by the object's state (explain.go).
func (p *Proc) enterOn(pos lang.Pos, stmt string, obj blockObj) {
	p.curStmt, p.curPos = stmt, pos
	// Lines held back go out before the process may block for long.
	_ = p.em.flush()
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
	if obj != p.lastObj {
		obj.put(s.obj[:])
		p.lastObj = obj
	}
	if p.emitting() {
		p.ev.start = p.em.now() // for the trace: when this call began
		atomic.StoreInt64(&s.start, p.ev.start)
	}
	atomic.StoreUint32(&s.state, slotBlocked)
}

func (p *Proc) leave() {
	s := p.boardSlot()
	if s == nil {
		return
	}
	if p.run.testLeave != nil {
		p.run.testLeave(s)
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
	p.ev.err = true
	p.emit(EvCall, phase, pos, text, errResult(e))
	e.shown = true
	return e
}

// emitUnfinished records, for the trace only, that the call this process
// is blocked in will never return (EvUnfinished): a picture of the run
// draws it as still waiting. Only the main goroutine calls it.
func (p *Proc) emitUnfinished(why string) {
	if !p.emitting() || p.curStmt == "" {
		return
	}
	at := p.curPos
	_ = p.em.emitNow(&Event{Kind: EvUnfinished, Proc: p.name, File: at.Filename, Line: int32(at.Line), Col: int32(at.Column),
		Stmt: p.curStmt, Result: why, Start: p.ev.start, Verb: p.ev.verb, Obj: p.ev.obj})
}
