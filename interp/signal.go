package interp

import (
	"errors"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// sigState is a process's traps and the trapped signals that arrived and
// wait for their blocks. A trap's block runs between statements, on the
// process's own goroutine, never inside a system call. The signals of
// takenSet come from the signal thread with the kernel's siginfo (the
// sender, a sigqueue value), whoever sent them (sigtake.go); the others
// (SIGTERM, SIGINT, SIGHUP, SIGCHLD...), which Go's runtime keeps
// unblocked on its threads, come the same way when a process of the run
// sends them (to that thread), and through os/signal, without siginfo,
// from outside the run: `from` is another-process and `value` 0.
type sigState struct {
	mu      sync.Mutex
	traps   map[unix.Signal]*trapDef
	queue   []sigRec
	pending atomic.Bool   // queue is not empty: one load between statements
	wake    chan struct{} // a signal came: ends a sleep, a wait
	ch      chan os.Signal
	running bool // a trap's block is running: the next waits for it
	ignored map[unix.Signal]bool
	// waiting is the set a sigwait in progress takes, and waitCh where
	// arrive hands it the signal (or the timeout's EAGAIN).
	waiting map[unix.Signal]bool
	waitCh  chan sigWaited
	// also is the Interrupter of a call made with one of its own (recv
	// with timeout=), which a trapped signal must end too.
	also atomic.Pointer[ipc.Interrupter]
}

type sigWaited struct {
	rec sigRec
	err error
}

type trapDef struct {
	code    []stmtFn
	restart bool
	pos     lang.Pos
}

type sigRec struct {
	sig   unix.Signal
	value int64
	from  string
}

// defaultSignals are the signals Go's runtime catches and then drops
// when nobody asked for them, where C's default action ends the process.
// The interrupter's own signal (40) is not among them.
func defaultSignals() []unix.Signal {
	out := []unix.Signal{unix.SIGUSR1, unix.SIGUSR2, unix.SIGALRM, unix.SIGVTALRM}
	for s := unix.Signal(35); s <= 64; s++ {
		if s != 40 {
			out = append(out, s)
		}
	}
	return out
}

// resetSignals gives the process C's default dispositions for the
// signals above: os/signal forgets them (so that a later trap installs
// Go's handler again), then rt_sigaction sets SIG_DFL.
func resetSignals() {
	for _, s := range defaultSignals() {
		setDefault(s)
	}
}

func setDefault(s unix.Signal) {
	signal.Ignore(s)
	_ = ipc.SetDefault(s)
}

func (p *Proc) sigs() *sigState {
	if p.run.sig == nil {
		g := &sigState{traps: map[unix.Signal]*trapDef{}, ignored: map[unix.Signal]bool{}, waiting: map[unix.Signal]bool{}, wake: make(chan struct{}, 1), ch: make(chan os.Signal, 16)}
		p.run.sig = g
		p.run.sigPub.Store(g)
		if c := p.run.cancel; c != nil {
			// A signal that comes as a call is on its way in ends it too
			// (ipc.SetPending): arrive sets pending before it kicks.
			c.intr.SetPending(g.handleNow)
		}
		go g.watch(p)
		sigRunner.Store(p.run)
		ipc.TheSigThread().SetDeliver(deliverSignal)
	}
	return p.run.sig
}

// handleNow says whether a trapped signal waits for its block and no block
// is running: a call starting now must end, as it would have, had the
// signal come a moment later.
func (g *sigState) handleNow() bool {
	if !g.pending.Load() {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.running && len(g.queue) > 0
}

// watch queues each trapped signal and ends the call the process is
// blocked in, if any, as the kernel would (cut, sigCut).
func (g *sigState) watch(p *Proc) {
	for s := range g.ch {
		sig := s.(syscall.Signal)
		g.arrive(p.run, sigRec{sig: sig, from: p.run.senderOf(sig)})
	}
}

// arrive queues a trapped signal for its block and ends the call the
// process is blocked in, if any. It says whether a trap or a sigwait took
// the signal.
func (g *sigState) arrive(run *Runner, r sigRec) bool {
	g.mu.Lock()
	if g.waiting[r.sig] {
		select {
		case g.waitCh <- sigWaited{rec: r}:
		default: // one came first: this one is lost, as a second standard signal would be
		}
		g.mu.Unlock()
		run.noteArrived(r.sig)
		return true
	}
	if g.traps[r.sig] == nil {
		g.mu.Unlock()
		return false
	}
	g.queue = append(g.queue, r)
	g.pending.Store(true)
	g.mu.Unlock()
	run.noteArrived(r.sig)
	select {
	case g.wake <- struct{}{}:
	default:
	}
	if c := run.cancel; c != nil {
		c.mu.Lock()
		if !c.fired.Load() {
			c.intr.Kick()
			g.also.Load().Kick()
		}
		c.mu.Unlock()
	}
	return true
}

// isIgnored says whether the script set `trap s ignore`.
func (g *sigState) isIgnored(s unix.Signal) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ignored[s]
}

// threadSet is the trapped signals the signal thread takes: all but those
// Go's runtime needs on every thread (faults, preemption, profiling) and
// the interrupter's own.
func (g *sigState) threadSet() ipc.Sigset {
	var set ipc.Sigset
	add := func(s unix.Signal) {
		switch s {
		case unix.SIGURG, unix.SIGSEGV, unix.SIGBUS, unix.SIGFPE, unix.SIGILL, unix.SIGTRAP, unix.SIGPROF, unix.SIGSYS, 32, 33, 40:
			return
		}
		set.Add(s)
	}
	for s := range g.traps {
		add(s)
	}
	for s := range g.waiting {
		add(s)
	}
	if sigTaken {
		set |= takenSet
	}
	return set
}

// signalArg is the statement's signal: a bare word or a number.
func signalArg(c *command) (unix.Signal, error) {
	for i, a := range c.args {
		switch {
		case a.kind == aWord:
			sig := signalByName(a.name)
			if sig == 0 {
				return 0, unknownSignal(c, a.name)
			}
			c.args[i].name = sigName(sig)
			return sig, nil
		case a.kind == aParam:
			v := c.vals[i]
			if v.K != KInt || v.I <= 0 || v.I > 64 {
				return 0, errorf(c.pos, "%s: a signal is a name or a number from 1 to 64, found %s", c.verb, v.quote(false))
			}
			return unix.Signal(v.I), nil
		}
	}
	return 0, errorf(c.pos, "%s: expected a signal", c.verb)
}

func execTrap(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	sig, err := signalArg(c)
	if err != nil {
		return Value{}, err
	}
	ignore, def := c.flags["ignore"], c.flags["default"]
	if c.block == nil && !ignore && !def {
		return Value{}, errorf(c.pos, "trap: give a block, ignore or default (usage: trap SIGNAL { ... } [restart] | trap SIGNAL ignore|default)")
	}
	if c.block != nil && (ignore || def) {
		return Value{}, errorf(c.pos, "trap: a block and %s exclude each other", map[bool]string{true: "ignore", false: "default"}[ignore])
	}
	if sig == unix.SIGKILL || sig == unix.SIGSTOP {
		// Passed to the kernel, which refuses.
		if err := ipc.TrySigaction(sig); err != nil {
			return Value{}, p.fail(c, PhaseOnce, err, unix.SignalName(sig)+" cannot be caught, blocked or ignored: sigaction(2) refuses it")
		}
	}
	if sig == 40 {
		// Not the kernel's refusal: the interpreter's own, to stay whole.
		return Value{}, errorf(c.pos, "trap: SIGRTMIN+6 (40) is the signal ipcsh interrupts its own blocking calls with; trap another")
	}
	g := p.sigs()
	g.mu.Lock()
	delete(g.traps, sig)
	delete(g.ignored, sig)
	switch {
	case ignore:
		signal.Ignore(sig)
		g.ignored[sig] = true
	case def:
		p.run.restoreDefault(sig)
	default:
		g.traps[sig] = &trapDef{code: c.block, restart: c.flags["restart"], pos: c.pos}
		if sig == unix.SIGCHLD {
			p.run.forgetExits()
		}
		if !isTaken(sig) {
			signal.Notify(g.ch, sig) // Go's handler: no siginfo from outside the run
		}
	}
	set := g.threadSet()
	g.mu.Unlock()
	ipc.TheSigThread().Set(set)
	if p.emitting() {
		p.emit(EvCall, PhaseOnce, c.pos, c.text(p), "")
	}
	return Value{}, nil
}

// runTraps runs the blocks of the trapped signals that have arrived, in
// the order they came, and says whether every one of them had `restart`.
func (p *Proc) runTraps() error {
	_, err := p.runTrapsRestart()
	return err
}

func (p *Proc) runTrapsRestart() (restart bool, err error) {
	g := p.run.sig
	restart = true
	if g == nil {
		return restart, nil
	}
	for {
		g.mu.Lock()
		if g.running || len(g.queue) == 0 {
			g.pending.Store(false)
			if g.running && len(g.queue) > 0 {
				g.pending.Store(true) // for after the running block
			}
			g.mu.Unlock()
			return restart, nil
		}
		r := g.queue[0]
		g.queue = g.queue[1:]
		t := g.traps[r.sig]
		if t == nil {
			g.mu.Unlock()
			continue
		}
		g.running = true
		g.mu.Unlock()
		restart = restart && t.restart
		err = p.runTrap(t, r)
		g.mu.Lock()
		g.running = false
		g.mu.Unlock()
		if err != nil {
			return restart, err
		}
	}
}

func (p *Proc) runTrap(t *trapDef, r sigRec) error {
	name := sigName(r.sig)
	text := "signal " + name + " from " + r.from
	if r.value != 0 {
		text += " value=" + strconv.FormatInt(r.value, 10)
	}
	// The trap may run inside a blocking call, whose own line comes after
	// the block: that line must keep its statement's note, not the last
	// one the block's statements made.
	saved := p.ev
	defer func() { p.ev = saved }()
	// The signal line's object is its sender, for the arrow from the kill.
	p.ev = evNote{verb: "signal", obj: "proc:" + r.from, n: int64(r.sig)}
	if p.emitting() {
		p.emit(EvCall, PhaseConsume, t.pos, text, "")
	}
	if slot, ok := p.syms.slots["sig"]; ok {
		p.grow()
		p.slots[slot] = Value{K: KRecord, R: &Record{Names: []string{"signal", "value", "from"}, Values: []Value{strV(name), intV(r.value), strV(r.from)}}}
	}
	if err := p.runBlock(t.code); err != nil {
		var e *Error
		if errors.As(err, &e) && !e.shown {
			e.Msg += " (in the trap of " + name + " set at line " + strconv.Itoa(t.pos.Line) + ")"
		}
		return err
	}
	return nil
}

// sigErr is a blocking call that a trapped signal ended: EINTR, or, for a
// call the kernel restarts under SA_RESTART, a request to make it again.
type sigErr struct{ restart bool }

func (e *sigErr) Error() string { return "interrupted system call" }
func (e *sigErr) Unwrap() error { return unix.EINTR }

// restartable reports whether err asks the call to be made again: a
// trapped signal ended it and every trap that ran had `restart`.
func restartable(err error) bool {
	var e *sigErr
	return errors.As(err, &e) && e.restart
}

// sigCut is cut for a call that a trapped signal, not a stop, ended: the
// Interrupter is re-armed, the traps' blocks run (as the handler would
// have, during the call), and the call ends with EINTR or is restarted.
func (p *Proc) sigCut(c *canceler) error {
	c.mu.Lock()
	if !c.fired.Load() {
		c.intr.Reset()
	}
	c.mu.Unlock()
	restart, err := p.runTrapsRestart()
	if err != nil {
		return err
	}
	return &sigErr{restart: restart}
}

// sigWake is the channel a trapped signal's arrival wakes, or nil.
func (p *Proc) sigWake() chan struct{} {
	if g := p.run.sig; g != nil {
		return g.wake
	}
	return nil
}

// sleepCut is a sleep that a trapped signal ended early: not an error.
type sleepCut struct{ sig string }

func (e *sleepCut) Error() string { return "interrupted by " + e.sig }

// sleepSignal runs the traps of what arrived during a sleep; it returns
// nil when nothing trapped did (a stale wake-up).
func (p *Proc) sleepSignal() error {
	g := p.run.sig
	g.mu.Lock()
	if len(g.queue) == 0 || g.running {
		g.mu.Unlock()
		return nil
	}
	name := sigName(g.queue[0].sig)
	g.mu.Unlock()
	if err := p.runTraps(); err != nil {
		return err
	}
	return &sleepCut{sig: name}
}

func isSigErr(err error) bool {
	var e *sigErr
	return errors.As(err, &e)
}

// errRestart asks a POSIX call to be made again (posixInterrupted).
var errRestart = errors.New("restart the call")

// posixInterrupted is the end of a POSIX queue or semaphore call that the
// Interrupter cut: the run's stop, or, after a trapped signal's blocks
// ran, errRestart when the kernel would restart the call (canRestart) and
// every trap that ran has `restart`, else EINTR. mq_send and mq_receive,
// timed or not, and an untimed futex wait are restarted under SA_RESTART
// (signal(7)).
func (p *Proc) posixInterrupted(canRestart bool) error {
	err := p.sysvStop()
	if !isSigErr(err) {
		return err
	}
	if canRestart && restartable(err) {
		return errRestart
	}
	return unix.EINTR
}

// isStop says whether err ends the run (a stop or cancel), not the call.
func isStop(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := err.(*StopError); ok {
		return true
	}
	return !errors.Is(err, unix.EINTR) && !isErrno(err)
}

// isErrno says whether err is a kernel errno.
func isErrno(err error) bool {
	var e unix.Errno
	return errors.As(err, &e)
}

// sendSignal is kill's system call. To a spawned block that has a signal
// thread (it set a trap), the signal goes to that thread (tgkill, or
// rt_tgsigqueueinfo for value=), so that the receiver gets the kernel's
// siginfo: who sent it, and the value. Otherwise it is kill(2), or
// sigqueue(3) for value=.
func sendSignal(r *Runner, h *procHandle, sig unix.Signal, c *command) error {
	v, hasValue := c.opt("value")
	if hasValue && v.K != KInt {
		return errorf(c.pos, "kill: value= expects an int, found %s", v.typeName())
	}
	r.awaitSigs(h)
	if h.pid == unix.Getpid() {
		// C's kill(getpid(), sig) has the handler run, or the process
		// die, before kill returns. Here the signal reaches a thread of
		// the runtime's or the signal thread: wait until it is queued
		// for its trap or has stopped the run, so that the next
		// statement comes after it, and a second kill is a second signal
		// rather than one merged with the first while both were pending.
		seen := r.arrived(sig)
		err := sendSignalNow(h, sig, hasValue, v.I)
		if err == nil {
			r.awaitOwnSignal(sig, seen)
		}
		return err
	}
	return sendSignalNow(h, sig, hasValue, v.I)
}

func sendSignalNow(h *procHandle, sig unix.Signal, hasValue bool, value int64) error {
	if !h.exec {
		if tid := ipc.SigThreadOf(h.pid); tid > 0 {
			if hasValue {
				return ipc.Tgsigqueue(h.pid, tid, sig, value)
			}
			return unix.Tgkill(h.pid, tid, sig)
		}
	}
	if hasValue {
		return ipc.Sigqueue(h.pid, sig, value)
	}
	return unix.Kill(h.pid, sig)
}

// awaitSigs waits, before a signal goes to a spawned block, until the
// child has the dispositions a C child would have (RunChild marks its
// board slot). A child is a Go program: from its runtime's start until
// RunChild resets them, Go's own handler takes a SIGUSR1 or a real-time
// signal nobody asked for and drops it, where a C child would die of it.
// `spawn c { ... }` then `kill c SIGUSR1` lost the signal about one run
// in five. A warm child is ready within its hand-off, a re-executed one
// within its start-up; a child that ends first ends the wait.
func (r *Runner) awaitSigs(h *procHandle) {
	if h.exec || h.slot < 0 || r.board == nil {
		return // a program: exec gave it the default dispositions already
	}
	deadline := time.Now().Add(5 * time.Second)
	for d := 20 * time.Microsecond; !r.board.sigsSet(h.slot) && time.Now().Before(deadline); d = min(2*d, time.Millisecond) {
		select {
		case <-h.done:
			return
		default:
		}
		time.Sleep(d)
	}
}

// arrived counts the signals of each number that a trap or sigwait has
// taken (arrive), for a process that signals itself (awaitOwnSignal).
func (r *Runner) arrived(sig unix.Signal) uint32 {
	if sig < 1 || int(sig) >= len(r.sigArrived) {
		return 0
	}
	return r.sigArrived[sig].Load()
}

func (r *Runner) noteArrived(sig unix.Signal) {
	if sig >= 1 && int(sig) < len(r.sigArrived) {
		r.sigArrived[sig].Add(1)
	}
}

// awaitOwnSignal waits, after a process signalled itself, until the
// signal has done what it does here: a trap or sigwait took it (arrived
// moved past seen), or the run is stopping. A signal that does neither
// (ignored, or one whose default action the kernel carries out at once)
// is not waited for.
func (r *Runner) awaitOwnSignal(sig unix.Signal, seen uint32) {
	if !r.takesOwn(sig) {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for d := 10 * time.Microsecond; time.Now().Before(deadline); d = min(2*d, time.Millisecond) {
		if r.arrived(sig) != seen || (r.cancel != nil && r.cancel.fired.Load()) {
			return
		}
		time.Sleep(d)
	}
}

// takesOwn says whether sig, sent by this process to itself, reaches a
// trap or stops the run, rather than being ignored or acted on by the
// kernel in kill's own return.
func (r *Runner) takesOwn(sig unix.Signal) bool {
	if sig < 1 || int(sig) >= len(r.sigArrived) {
		return false
	}
	if g := r.sigPub.Load(); g != nil {
		g.mu.Lock()
		trapped := g.traps[sig] != nil
		g.mu.Unlock()
		if trapped {
			return true
		}
	}
	if h, _, err := ipc.Sigaction(sig); err == nil && h == 1 {
		return false // SIG_IGN
	}
	switch {
	case r.child:
		return sigTaken && isTaken(sig) // the signal thread ends the process (deliverSignal)
	case sig == unix.SIGINT || sig == unix.SIGTERM || sig == unix.SIGHUP || sig == unix.SIGQUIT:
		return r.cfg.Exiting // the command line's handler stops the run
	default:
		return slices.Contains(defaultSignals(), sig) // catchFatal, or the signal thread, stops it
	}
}

// stop ends the session's traps: the signals get their default actions
// back (a later session, or the test binary, starts as a new process would)
// and the watcher returns.
func (g *sigState) stop(r *Runner) {
	if g == nil {
		return
	}
	signal.Stop(g.ch)
	g.mu.Lock()
	for s := range g.traps {
		r.restoreDefault(s)
	}
	g.traps = map[unix.Signal]*trapDef{}
	g.mu.Unlock()
	if sigTaken {
		ipc.TheSigThread().Set(takenSet)
	} else {
		ipc.TheSigThread().Set(0)
	}
	close(g.ch)
}

// signalArgs are the statement's signals, bare words or numbers.
func signalArgs(c *command) ([]unix.Signal, error) {
	var out []unix.Signal
	for i, a := range c.args {
		switch a.kind {
		case aWord:
			sig := signalByName(a.name)
			if sig == 0 {
				return nil, unknownSignal(c, a.name)
			}
			c.args[i].name = sigName(sig)
			out = append(out, sig)
		case aParam:
			v := c.vals[i]
			if v.K != KInt || v.I <= 0 || v.I > 64 {
				return nil, errorf(c.pos, "%s: a signal is a name or a number from 1 to 64, found %s", c.verb, v.quote(false))
			}
			out = append(out, unix.Signal(v.I))
		}
	}
	return out, nil
}

func sigRecord(r sigRec) Value {
	return Value{K: KRecord, R: &Record{Names: []string{"signal", "value", "from"}, Values: []Value{strV(sigName(r.sig)), intV(r.value), strV(r.from)}}}
}

// execSigwait is sigwait(3) as the kernel does it: the signal thread,
// which blocks the signals, takes one with rt_sigtimedwait, and its
// siginfo is the record. With timeout= the thread's rt_sigtimedwait has
// that timeout and its EAGAIN is the statement's. Signals sent to the
// process as a whole come through Go's handler, as for a trap. A trapped
// signal that comes meanwhile ends the wait with EINTR after its block,
// as its handler would (sigtimedwait is never restarted, signal(7)).
func execSigwait(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	sigs, err := signalArgs(c)
	if err != nil {
		return Value{}, err
	}
	var deadline time.Time
	if t, ok := c.opt("timeout"); ok {
		if t.K != KInt || t.I < 0 {
			return Value{}, errorf(c.pos, "sigwait: timeout= expects a duration such as 500ms")
		}
		deadline = time.Now().Add(time.Duration(t.I))
	}
	g := p.sigs()
	st := ipc.TheSigThread()
	wch := make(chan os.Signal, 4)
	g.mu.Lock()
	g.waitCh = make(chan sigWaited, 1)
	waitCh := g.waitCh
	for _, s := range sigs {
		g.waiting[s] = true
		if s == unix.SIGCHLD {
			p.run.forgetExits()
		}
	}
	set := g.threadSet()
	g.mu.Unlock()
	var notify []os.Signal
	for _, s := range sigs {
		if !isTaken(s) {
			notify = append(notify, s)
		}
	}
	if len(notify) > 0 {
		signal.Notify(wch, notify...)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-wch:
				sig := s.(syscall.Signal)
				g.arrive(p.run, sigRec{sig: sig, from: p.run.senderOf(sig)})
			case <-done:
				return
			}
		}
	}()
	st.Set(set)
	if !deadline.IsZero() {
		st.SetDeadline(deadline, func() {
			select {
			case waitCh <- sigWaited{err: unix.EAGAIN}:
			default:
			}
		})
	}
	p.enter(c.pos, c.src)
	var got sigWaited
	var cut error
wait:
	for {
		select {
		case got = <-waitCh:
			break wait
		case <-p.run.cancel.current():
			cut = p.cut(p.run.cancel)
			break wait
		case <-g.wake:
			g.mu.Lock()
			n := len(g.queue)
			g.mu.Unlock()
			if n > 0 {
				got.err = unix.EINTR
				break wait
			}
		}
	}
	p.leave()
	// Back to what the traps say: the thread no longer takes these, and
	// those neither trapped nor ignored get their default action again.
	signal.Stop(wch)
	close(done)
	st.SetDeadline(time.Time{}, nil)
	g.mu.Lock()
	for _, s := range sigs {
		delete(g.waiting, s)
		if g.traps[s] == nil && !g.ignored[s] {
			p.run.restoreDefault(s)
		}
	}
	g.waitCh = nil
	set = g.threadSet()
	g.mu.Unlock()
	st.Set(set)
	if cut != nil {
		return Value{}, cut
	}
	if got.err == unix.EINTR {
		if err := p.runTraps(); err != nil {
			return Value{}, err
		}
	}
	if got.err != nil {
		msg := ""
		if got.err == unix.EAGAIN {
			msg = "no signal came within the timeout"
		}
		return Value{}, p.fail(c, PhaseConsume, got.err, msg)
	}
	v := sigRecord(got.rec)
	if p.emitting() {
		p.note("proc:"+got.rec.from, int64(got.rec.sig)) // its sender, as for a trap's line
		p.done(c, PhaseConsume, v.quote(false))
	}
	return v, nil
}

// waitSignal is a trapped signal's arrival during wait(2): the traps run,
// then wait goes on (restart) or ends with EINTR.
func (p *Proc) waitSignal() error {
	if !p.run.sig.pending.Load() {
		return nil // a wake-up left from a signal handled between statements
	}
	restart, err := p.runTrapsRestart()
	if err != nil {
		return err
	}
	if !restart {
		return &sigErr{}
	}
	return nil
}

// unknownSignal names the nearest signal (SIGUSR3: did you mean SIGUSR1?).
func unknownSignal(c *command, word string) error {
	var names []string
	for s := unix.Signal(1); s < 32; s++ {
		if n := unix.SignalName(s); n != "" {
			names = append(names, n)
		}
	}
	w := word
	if !strings.HasPrefix(w, "SIG") {
		w = "SIG" + w
	}
	if n := lang.Nearest(w, names); n != "" {
		return errorf(c.pos, "%s: unknown signal %s (did you mean %s?)", c.verb, word, n)
	}
	return errorf(c.pos, "%s: unknown signal %s (try USR1, USR2, TERM, INT, HUP, RTMIN+1, or a number)", c.verb, word)
}

// rtSignalWord is the word SIGRTMIN+N or SIGRTMAX-N that `RTMIN+1` (parsed
// as an expression) names, or "".
func rtSignalWord(e lang.Expr) string {
	b, ok := e.(*lang.BinaryExpr)
	if !ok || (b.Op != "+" && b.Op != "-") {
		return ""
	}
	name, ok := lang.IdentOf(b.X)
	lit, isLit := b.Y.(*lang.Literal)
	if !ok || !isLit || lit.Kind != lang.LitInt {
		return ""
	}
	name = strings.TrimPrefix(name, "SIG")
	if (name == "RTMIN" && b.Op == "+") || (name == "RTMAX" && b.Op == "-") {
		return "SIG" + name + b.Op + lit.Raw
	}
	return ""
}

// rtSignal is SIGRTMIN+N or SIGRTMAX-N as C counts them: glibc keeps the
// kernel's 32 and 33 for itself, so SIGRTMIN is 34.
func rtSignal(word string) unix.Signal {
	word = strings.TrimPrefix(word, "SIG")
	for _, base := range []struct {
		pre  string
		at   int
		sign int
	}{{"RTMIN+", 34, 1}, {"RTMAX-", 64, -1}, {"RTMIN", 34, 0}, {"RTMAX", 64, 0}} {
		rest, ok := strings.CutPrefix(word, base.pre)
		if !ok {
			continue
		}
		n := 0
		if base.sign != 0 {
			var err error
			if n, err = strconv.Atoi(rest); err != nil {
				return 0
			}
		} else if rest != "" {
			continue
		}
		if s := base.at + base.sign*n; s >= 34 && s <= 64 {
			return unix.Signal(s)
		}
		return 0
	}
	return 0
}

// sigName is the signal's name as C programs spell it: SIGUSR1, and
// SIGRTMIN+N for the real-time ones (SIGRTMIN is 34 under glibc).
func sigName(s unix.Signal) string {
	if s >= 34 && s <= 64 {
		return "SIGRTMIN+" + strconv.Itoa(int(s)-34)
	}
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return "signal " + strconv.Itoa(int(s))
}

// ignoredSignals are the signals this process ignores (trap ... ignore),
// for a spawned block, which starts with them ignored as a forked child
// would: fork keeps SIG_IGN, and so does exec.
func (p *Proc) ignoredSignals() []int {
	g := p.run.sig
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []int
	for s := range g.ignored {
		out = append(out, int(s))
	}
	sort.Ints(out)
	return out
}

// ignoreSignals is a child's start: what its parent ignored it ignores.
func ignoreSignals(sigs []int) {
	for _, s := range sigs {
		signal.Ignore(unix.Signal(s))
	}
}

// sigKickAlso makes a trapped signal end the calls made with it as well,
// until the returned function is called.
func (p *Proc) sigKickAlso(it *ipc.Interrupter) func() {
	g := p.run.sig
	if g == nil {
		return func() {}
	}
	g.also.Store(it)
	return func() { g.also.Store(nil) }
}

// Trapped says whether the script has a trap for s now: the command
// line's own handling of SIGINT, SIGTERM, SIGHUP and SIGQUIT (stop the
// run, clean up) then gives way to the script's block.
func (r *Runner) Trapped(s os.Signal) bool {
	return r.wanted(s)
}

// catchFatal is main's answer to the signals whose default action ends a
// process (SIGUSR1, SIGALRM, SIGRTMIN+N, and SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, which the command line also watches): untrapped, they stop the
// run as SIGTERM does, with its clean-up, and exit 128+N, the status a
// shell shows for a process the signal killed. Dying at once, as SIG_DFL
// would, leaves the run's SysV objects behind. A spawned block has no
// clean-up of its own to do and gets SIG_DFL (resetSignals).
//
// Each signal os/signal starts to catch costs a round trip to the
// runtime's signal-mask thread (two thread switches, about 0.1 ms on a
// loaded VM; 33 signals were a third of `ipcsh -c 'print 1'`). So the
// handlers go in on a goroutine of their own, alongside the parse and
// set-up, and Run waits for them (fatalReady) before the first statement:
// no statement runs, and so nothing is made that needs a clean-up, before
// every signal is caught.
func (r *Runner) catchFatal() {
	r.fatal = make(chan os.Signal, 4)
	r.fatalReady = make(chan struct{})
	go func() {
		for _, s := range defaultSignals() {
			if !isTaken(s) { // else the signal thread takes it (deliverSignal)
				signal.Notify(r.fatal, s)
			}
		}
		close(r.fatalReady)
	}()
	go func() {
		for s := range r.fatal {
			if r.wanted(s) || r.fatalOff.Load() {
				continue
			}
			r.Cancel(128+int(s.(syscall.Signal)), "")
		}
	}()
}

// fatalCaught waits until catchFatal's handlers are in.
func (r *Runner) fatalCaught() {
	if r.fatalReady != nil {
		<-r.fatalReady
	}
}

// wanted says whether a trap or a sigwait takes s now.
func (r *Runner) wanted(s os.Signal) bool {
	sig, ok := s.(syscall.Signal)
	g := r.sigPub.Load()
	if !ok || g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.traps[sig] != nil || g.waiting[sig]
}

// restoreDefault gives s its default action again (trap ... default, a
// trap or sigwait that is over): in a spawned block SIG_DFL; in main the
// run's stop with clean-up for a signal that would end it.
func (r *Runner) restoreDefault(s unix.Signal) {
	switch s {
	case unix.SIGPIPE:
		return // ignored by the interpreter, so that a write gets EPIPE
	case unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT:
		if r.fatal != nil {
			return // the command line's handler has them again (Trapped)
		}
	case unix.SIGCHLD, unix.SIGCONT, unix.SIGURG, unix.SIGWINCH, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		setDefault(s) // ignore, continue or stop: nothing to clean up
		return
	}
	if r.fatal == nil || isTaken(s) {
		setDefault(s) // a taken one stays blocked: deliverSignal acts for it
		return
	}
	signal.Notify(r.fatal, s)
}

// stopSignals ends the session's signal handling (Close).
//
// With Config.Exiting the process ends right after Close: the handlers
// stay in (removing them costs what installing them did), and a signal
// that comes now is swallowed, as the command line does with its own.
func (r *Runner) stopSignals() {
	r.sig.stop(r)
	sigRunner.CompareAndSwap(r, nil)
	if r.fatal != nil {
		r.fatalCaught()
		if r.cfg.Exiting {
			r.fatalOff.Store(true)
			return
		}
		signal.Stop(r.fatal)
		close(r.fatal)
	}
}
