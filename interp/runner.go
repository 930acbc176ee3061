package interp

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// Config is what the command line decides for a run. The interpreter never
// touches os.Stdout or os.Stderr itself: the caller injects them.
type Config struct {
	Stdout  io.Writer // the transcript
	Args    []string  // args[0], args[1], ...
	Quiet   bool      // -q: print and errors only
	Verbose bool      // -v: pids, fds, ids
	// Stall is how long every process may stay blocked before the run
	// stops with a deadlock report; 0 turns the detector off.
	Stall time.Duration
	// Trace, when set, receives every event as one JSON object per line.
	Trace io.Writer
	// Exiting says the process exits after Close (the command line): Close
	// then leaves the signal handlers of the run installed instead of
	// paying a thread round trip per signal to remove them.
	Exiting bool
}

// Runner runs programs in one session: a script is one program, a REPL
// session many, sharing variables and handles.
type Runner struct {
	chld   chldLog // exits, to name a SIGCHLD's sender (sigchld.go)
	cfg    Config
	main   *Proc
	sup    *supervisor
	out    *printer
	evW    int
	closed bool
	child  bool // a spawned block's runner: it prints nothing, owns no tmp

	board *board
	// Set by tests only: testLeave runs when a call has returned, before
	// the board says so; testSuspect when the watcher first sees the run
	// stalled. Next to board, which leave loads anyway.
	testLeave   func(*slot)
	testSuspect func()

	cancel    *canceler
	pgid      int // the run's process group: every child is in it
	nullFD    int
	lastEvent atomic.Int64
	stopWatch chan struct{}
	outBroken chan struct{} // closed when the transcript could not be written
	outCode   atomic.Int32  // and the exit code that asks for
	watchDone chan struct{} // closed when the stall watcher has returned
	straggler bool          // a child was not reaped in time: keep the board mapped

	script string   // the file of the program last run, for the end-of-script wait
	hist   *history // who released what, from the events (explain.go)

	mu     sync.Mutex // tmpDir is read by Abort from a signal goroutine
	tmpDir string

	// journal records the SysV objects the run creates, in any of its
	// processes, so that they are removed at its end (journal.go).
	journal *journal

	pool    *pool      // warm child interpreters for spawn (pool.go)
	startMu sync.Mutex // one child start at a time: they share pgid

	sig    *sigState                // traps and signals waiting for them (signal.go)
	sigPub atomic.Pointer[sigState] // sig, for other goroutines (Trapped)
	// sigArrived counts, per signal number, the signals a trap or sigwait
	// took (arrive), for a process that signals itself (awaitOwnSignal).
	sigArrived [65]atomic.Uint32
	fatal      chan os.Signal // main's: signals whose default action would end it
	// fatalReady is closed once fatal catches them all; fatalOff is set
	// when Close leaves them caught for a process about to exit.
	fatalReady chan struct{}
	fatalOff   atomic.Bool
}

// New starts a session: the event pipe and its supervisor.
func New(cfg Config) (*Runner, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	b, err := newBoard()
	if err != nil {
		return nil, fmt.Errorf("status board: %w", err)
	}
	cancel, err := newCanceler()
	if err != nil {
		b.close()
		return nil, fmt.Errorf("canceler: %w", err)
	}
	r, w, err := ipc.Pipe(false)
	if err != nil {
		b.close()
		return nil, fmt.Errorf("event pipe: %w", err)
	}
	run := &Runner{cfg: cfg, evW: w, board: b, cancel: cancel, stopWatch: make(chan struct{}), journal: newJournal("")}
	run.out = &printer{w: cfg.Stdout, verbose: cfg.Verbose, quiet: cfg.Quiet, tmp: run.tmpPath, failed: run.outputFailed}
	run.outBroken = make(chan struct{})
	run.hist = newHistory()
	tr := newTracer(cfg.Trace)
	run.sup = startSupervisor(r, func(e *Event) {
		tr.trace(e)
		if e.Kind == EvUnfinished {
			return // for the trace only; nothing happened, for the stall detector
		}
		run.lastEvent.Store(e.Time)
		run.hist.record(e)
		run.out.print(e)
	}, run.out.flush)
	run.catchFatal() // SIGUSR1 and the like end the run, with its clean-up
	run.takeSignals()
	run.main = newProc("main", run, newEmitter(w))
	run.lastEvent.Store(run.main.em.now())
	si, err := b.claim("main", kindInterp)
	if err != nil {
		return nil, err
	}
	b.setPid(si, unix.Getpid())
	b.sigsReady(si) // no child can signal main before Run, which waits for catchFatal
	run.main.slot = si
	run.watchDone = make(chan struct{})
	if cfg.Stall > 0 {
		go func() {
			defer close(run.watchDone)
			run.watch(cfg.Stall)
		}()
	} else {
		close(run.watchDone)
	}
	return run, nil
}

// Run compiles and runs one program in the session's main process. Static
// errors come back as lang.ErrorList (nothing ran); run-time errors as
// *Error; `exit` as *ExitError.
func (r *Runner) Run(prog *lang.Program) error {
	r.fatalCaught()
	code, spawns, err := compileProgram(r.main.syms, prog)
	if err != nil {
		return err
	}
	r.script = prog.Base.Filename
	if spawns {
		r.warmUp()
	}
	r.main.grow()
	// The main goroutine stays on one thread while it runs, so that its
	// blocking calls can be interrupted without asking the thread's id
	// each time (ipc.Interrupter.Pin).
	if r.cancel != nil {
		r.cancel.intr.Pin()
		defer r.cancel.intr.Unpin()
		if s := r.main.boardSlot(); s != nil {
			atomic.StoreInt32(&s.tid, r.cancel.intr.Owner())
		}
	}
	err = r.main.runGuarded(code)
	// Ctrl-C stops an entry, not the session: re-arm, also when it came
	// after the entry's last statement and so stopped nothing.
	if r.cancel != nil {
		r.cancel.reset()
	}
	switch {
	case errors.Is(err, errBreak), errors.Is(err, errContinue):
		return nil // compile rejects them outside loops; a REPL line cannot leak one
	}
	return err
}

// runGuarded runs code with faults turned into errors. Every memory view
// is checked before it is touched, so a fault means the memory went away
// behind the script's back (a mapped file truncated by another process:
// SIGBUS); it must still end as an error with clean-up, not a crash.
func (p *Proc) runGuarded(code []stmtFn) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			re, ok := r.(runtime.Error)
			if !ok || !strings.Contains(re.Error(), "fault") {
				panic(r)
			}
			err = errorf(p.faultAt, "memory fault in a view (%v): was the file behind a mapping truncated?", re)
		}
	}()
	return p.runBlock(code)
}

// Sync waits until every event emitted so far has been printed.
func (r *Runner) Sync() {
	token := fmt.Sprintf("sync-%p", r)
	ch := r.sup.expectSync(token)
	if err := r.main.em.emit(&Event{Kind: EvSync, Stmt: token}); err != nil {
		return
	}
	<-ch
}

// Close ends the session: flushes the transcript, closes what the session
// opened and removes its tmp directory.
func (r *Runner) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stopSignals()
	close(r.stopWatch)
	<-r.watchDone // it reads the board, which goes away below
	// A session closed without End (a REPL, a test) still stops and reaps
	// its children before the board they write to goes away.
	for _, h := range r.main.children {
		if !h.waited {
			r.killAll()
			break
		}
	}
	_ = r.main.em.flush()
	r.reapAll()
	if r.pool != nil {
		r.pool.close()
	}
	r.sweepGroup()
	r.main.closeAll()
	var jerr error
	if !r.child {
		jerr = r.journal.finish()
	}
	_ = ipc.Close(r.evW)
	<-r.sup.done
	_ = ipc.Close(r.sup.rfd)
	if !r.straggler {
		r.board.close()
	}
	if r.nullFD > 0 {
		_ = ipc.Close(r.nullFD)
	}
	return errors.Join(jerr, r.removeTmp())
}

// sweepGroup kills what is left in the run's process group once every
// child is reaped: processes that programs started and left behind
// (`sh -c 'daemon &'`). The run ends when its own processes have, and
// leaves none running; the transcript says which were killed.
func (r *Runner) sweepGroup() {
	pg := r.group()
	if pg <= 0 || r.child || unix.Kill(-pg, 0) != nil {
		return
	}
	var names []string
	for _, h := range groupMembers(pg) {
		names = append(names, h.name(r.cfg.Verbose))
	}
	_ = unix.Kill(-pg, unix.SIGKILL)
	if len(names) > 0 {
		r.main.emit(EvCall, PhaseOnce, lang.Pos{}, "left running: "+strings.Join(names, ", "), "killed")
		_ = r.main.em.flush()
	}
}

// outputFailed stops the run when its standard output fails: a broken
// pipe is a stop by SIGPIPE (exit 141, as a shell reports it, and nothing
// more printed), any other write error exit 1 with the error. Either way
// the clean-up is a stop's: children killed, objects removed.
func (r *Runner) outputFailed(err error) {
	code, report := 141, ""
	if !errors.Is(err, unix.EPIPE) {
		code, report = 1, fmt.Sprintf("writing the transcript: %v", err)
	}
	r.outCode.Store(int32(code))
	close(r.outBroken)
	r.Cancel(code, report)
}

// OutputBroken is closed when the transcript could not be written; the
// run is then stopping with OutputCode.
func (r *Runner) OutputBroken() <-chan struct{} { return r.outBroken }

// OutputCode is the exit code a failed standard output asks for, or 0.
// It outranks the run's own result: a run whose last lines could not be
// written did not show what it did.
func (r *Runner) OutputCode() int { return int(r.outCode.Load()) }

// Abort removes what a session leaves on disk when it is stopped by a
// signal, without waiting for anything that might be blocked.
func (r *Runner) Abort() {
	if pg := r.group(); pg > 0 {
		_ = unix.Kill(-pg, unix.SIGKILL)
	}
	_ = r.journal.finish()
	_ = r.removeTmp()
}

func (r *Runner) removeTmp() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tmpDir == "" {
		return nil
	}
	err := os.RemoveAll(r.tmpDir)
	r.tmpDir = ""
	return err
}

// tmpPath is the tmp directory if one was made, for the printer.
func (r *Runner) tmpPath() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tmpDir
}

// tmp returns the run's private directory, made on first use.
func (r *Runner) tmp() (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tmpDir == "" {
		d, err := mkdirTemp("ipcsh-")
		if err != nil {
			return "", err
		}
		// Recorded first, so that `ipcsh clean` removes it after a SIGKILL.
		if err := r.journal.tmpdir(d); err != nil {
			_ = os.Remove(d)
			return "", fmt.Errorf("recording tmp for clean-up: %w", err)
		}
		r.tmpDir = d
	}
	return r.tmpDir, nil
}

// mkdirTemp is os.MkdirTemp with a name of one length (the prefix and 8
// hex digits), where os.MkdirTemp's random part has 1 to 10 digits: a
// path's length shows in the transcript ("(67 bytes)"), and must not
// change from one run of a script to the next.
func mkdirTemp(prefix string) (string, error) {
	for {
		d := filepath.Join(os.TempDir(), fmt.Sprintf("%s%08x", prefix, rand.Uint32()))
		if err := os.Mkdir(d, 0o700); !os.IsExist(err) {
			return d, err
		}
	}
}

// Proc is one process of a run: its variables, handles and emitter.
type Proc struct {
	name     string
	run      *Runner
	em       *emitter
	syms     *symtab
	slots    []Value
	quiet    int // depth of `quiet` (-q is the printer's: it hides, quiet skips)
	errName  string
	handles  []*fdHandle   // open fds in the order they were made, for `fds`
	children []*procHandle // in spawn order
	slot     int           // on the board
	lastStmt string        // what the board slot holds, to skip copies
	lastFile string
	lastObj  blockObj
	curStmt  string   // the statement of the blocking call in progress
	curPos   lang.Pos // (or of the last one), for an interrupt's report
	faultAt  lang.Pos // the memory view being accessed, for a fault's report
	ev       evNote   // what the next event says beyond its text (event.go)
	depth    int      // nested procedure calls (procs.go)
	ret      Value    // the value of the return that ends a call

	sysv    []*sysvObj    // SysV objects this process opened or created
	mems    []*memHandle  // attachments and mappings
	msgBuf  []byte        // recv's buffer, reused
	readBuf []byte        // read's buffer, reused
	semOps  []ipc.Sembuf  // semop's operations, reused
	psems   []*psemHandle // named POSIX semaphores, unmapped at the end
	popened []posixEntry  // POSIX objects this process opened, for ipcs
}

func newProc(name string, run *Runner, em *emitter) *Proc {
	return &Proc{name: name, run: run, em: em, syms: newSymtab(), slot: -1}
}

// grow makes room for names the compiler added.
func (p *Proc) grow() {
	if n := len(p.syms.names); n > len(p.slots) {
		p.slots = append(p.slots, make([]Value, n-len(p.slots))...)
	}
}

func (p *Proc) runBlock(code []stmtFn) error {
	for _, s := range code {
		// A stop (a signal that ends the run, Ctrl-C) takes effect before
		// the next statement, not at the next blocking call or loop round:
		// `kill main` is not followed by the script's next line.
		if c := p.run.cancel; c != nil && c.fired.Load() {
			return c.stopErr()
		}
		if g := p.run.sig; g != nil && g.pending.Load() {
			if err := p.runTraps(); err != nil {
				return err
			}
		}
		if err := s(p); err != nil {
			return err
		}
	}
	return nil
}

func (p *Proc) closeAll() {
	p.closePosix()
	p.closeMems()
	for _, h := range p.handles {
		if !h.closed {
			_ = ipc.Close(h.fd)
			h.closed = true
		}
	}
	p.handles = nil
}

// emitting reports whether a successful call should print its line.
func (p *Proc) emitting() bool { return p.quiet == 0 }

func (p *Proc) emit(kind EventKind, phase Phase, pos lang.Pos, stmt, result string) {
	note := p.ev
	p.ev = evNote{}
	p.emitNote(p.name, 0, note, kind, phase, pos, stmt, result)
}

// emitAs writes an event on behalf of a process that cannot write its own:
// an exec'd program's output. Output capture runs in goroutines of its
// own, so it must not touch p.ev.
func (p *Proc) emitAs(proc string, pid int32, kind EventKind, phase Phase, pos lang.Pos, stmt, result string) {
	e := Event{Kind: kind, Phase: phase, Proc: proc, Pid: pid, File: pos.Filename, Line: int32(pos.Line), Col: int32(pos.Column), Stmt: stmt, Result: result}
	_ = p.em.emitNow(&e)
}

func (p *Proc) emitNote(proc string, pid int32, note evNote, kind EventKind, phase Phase, pos lang.Pos, stmt, result string) {
	e := Event{Kind: kind, Phase: phase, Proc: proc, Pid: pid, File: pos.Filename, Line: int32(pos.Line), Col: int32(pos.Column), Stmt: stmt, Result: result,
		Verb: note.verb, Obj: note.obj, N: note.n, Ops: note.ops, Err: note.err}
	if phase == PhaseConsume {
		e.Start = note.start
	}
	// An event that cannot be written has nowhere else to go; the run's
	// errors still reach stderr through the return path.
	_ = p.em.emit(&e)
}

// Error is a run-time error: where, which statement, and why. A failed
// system call carries its errno, so errors.Is(err, unix.EAGAIN) works.
type Error struct {
	Pos   lang.Pos
	Stmt  string     // the statement as the transcript shows it, for system-call errors
	Errno unix.Errno // 0 when the error is not a system call's
	Msg   string     // the explanation, or the whole message
	// shown is set when a transcript line already reported the error.
	shown bool
}

// Error is e on one line: Report's two parts joined.
func (e *Error) Error() string {
	line, why := e.Report()
	if why != "" {
		return line + ": " + why
	}
	return line
}

// Report is e as the command line shows it: first the line the language
// fixes (docs/language.md, "Errors and exit codes"),
// `FILE:LINE:COL: STATEMENT: ENAME (message)`, which a program may match
// whole, then what ipcsh found out about the failure
// (why, or "" when there is nothing to add), for a line of its own. An
// error that is no system call's is its message, on the first line.
func (e *Error) Report() (line, why string) {
	at := fmt.Sprintf("%s:%d:%d: ", e.Pos.Filename, e.Pos.Line, e.Pos.Column)
	if e.Errno == 0 {
		return at + e.Msg, ""
	}
	return at + fmt.Sprintf("%s: %s (%s)", e.Stmt, ipc.ErrnoName(e.Errno), ipc.ErrnoMessage(e.Errno)), e.Msg
}

func (e *Error) Unwrap() error {
	if e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// Name is what `err` holds after a `try` caught this error.
func (e *Error) Name() string {
	if e.Errno != 0 {
		return ipc.ErrnoName(e.Errno)
	}
	return "ERROR"
}

// ExitError is `exit N`.
type ExitError struct {
	Code int
	Pos  lang.Pos
}

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

type ctlSignal struct{ name string }

func (c *ctlSignal) Error() string { return c.name + " outside a loop" }

var (
	errBreak    = &ctlSignal{"break"}
	errContinue = &ctlSignal{"continue"}
)

func errorf(pos lang.Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Binding is a name of the session and the type of its value ("fd",
// "pipe", "process", "queue", "segment", "semaphore set", "attachment",
// "mapping", "int", "string"...), for the REPL's completion.
type Binding struct{ Name, Kind string }

// Bindings lists the names of the main process that hold a value.
func (r *Runner) Bindings() []Binding {
	p := r.main
	var out []Binding
	for i, name := range p.syms.names {
		// A procedure's own names (f.x) are not the session's.
		if i < len(p.slots) && p.slots[i].K != KUndef && !strings.Contains(name, ".") {
			out = append(out, Binding{Name: name, Kind: p.slots[i].typeName()})
		}
	}
	for _, name := range p.syms.procNames() {
		out = append(out, Binding{Name: name, Kind: "procedure"})
	}
	return out
}
