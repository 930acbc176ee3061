package interp

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// procHandle is a child process: a spawned block, an exec'd program or a
// popen command. It prints as its name; `.pid` and `.status` are fields.
type procHandle struct {
	name    string
	pid     int
	slot    int
	exec    bool // a program, not an ipcsh block: its exit line is ours to print
	foreign bool // inherited from a parent: it can be signalled, not waited for

	done     chan struct{} // closed once the reaper has the status
	ws       unix.WaitStatus
	waited   bool
	waitedAt lang.Pos
	out      *capture // an exec'd program's captured stdout/stderr
}

func (h *procHandle) Name() string    { return h.name }
func (h *procHandle) Kind() string    { return "process" }
func (h *procHandle) Verbose() string { return fmt.Sprintf("%s(pid %d)", h.name, h.pid) }

func (h *procHandle) field(name string) (Value, bool) {
	switch name {
	case "pid":
		return intV(int64(h.pid)), true
	case "status":
		if h.waited {
			return statusValue(h.ws), true
		}
		return strV("running"), true
	}
	return Value{}, false
}

// statusValue is a wait status as the language sees it: the exit code, or
// "signal SIGTERM" for a process killed by a signal.
func statusValue(ws unix.WaitStatus) Value {
	if ws.Signaled() {
		return strV("signal " + sigName(ws.Signal()))
	}
	return intV(int64(ws.ExitStatus()))
}

func statusText(ws unix.WaitStatus) string { return statusValue(ws).text(false) }

// reap waits for the child in a goroutine of its own (never wait4(-1),
// which would steal other children's statuses), so a child is reaped the
// moment it exits and no zombie lingers.
func (r *Runner) reap(h *procHandle) {
	h.done = make(chan struct{})
	go func() {
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(h.pid, &ws, 0, nil)
			if err != unix.EINTR {
				break
			}
		}
		h.ws = ws
		r.board.exited(h.slot)
		r.childExited(h.name)
		r.releaseHolds(h)
		close(h.done)
	}()
}

// startChild forks and execs with the run's process group and a
// parent-death signal, so no child outlives a killed run.
func (r *Runner) startChild(path string, argv []string, files []uintptr) (int, error) {
	// The warm pool starts children from a goroutine of its own; pgid is
	// decided by whichever start comes first.
	r.startMu.Lock()
	defer r.startMu.Unlock()
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: files,
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pgid: r.pgid, Pdeathsig: syscall.SIGKILL},
	}
	pid, err := syscall.ForkExec(path, argv, attr)
	if err == syscall.EPERM && r.pgid != 0 {
		// Every process of the old group has exited: start a new one.
		attr.Sys.Pgid = 0
		pid, err = syscall.ForkExec(path, argv, attr)
		if err == nil {
			r.pgid = pid
		}
	}
	if err == nil && r.pgid == 0 {
		r.pgid = pid
	}
	return pid, err
}

// group is the run's process group (0 before the first child).
func (r *Runner) group() int {
	r.startMu.Lock()
	defer r.startMu.Unlock()
	return r.pgid
}

// noFD marks a descriptor the child must not have.
const noFD = ^uintptr(0)

// inheritFiles lists every open fd of p at its own number, plus extra, for
// a spawned block: the child sees the fd table a forked child would.
func (p *Proc) inheritFiles(extra ...int) []uintptr {
	for _, h := range p.handles {
		if !h.closed {
			extra = append(extra, h.fd)
		}
	}
	for _, h := range p.mems {
		if h.fd >= 0 {
			extra = append(extra, h.fd) // a child maps the same file again
		}
	}
	extra = append(extra, p.posixFds()...)
	return p.run.fileTable(extra)
}

// fileTable is a child's fd table for ForkExec: /dev/null as stdin, the
// run's stdout and stderr, and each of fds at its own number.
func (r *Runner) fileTable(fds []int) []uintptr {
	top := 2
	for _, fd := range fds {
		top = max(top, fd)
	}
	files := make([]uintptr, top+1)
	for i := range files {
		files[i] = noFD
	}
	files[0], files[1], files[2] = uintptr(r.devnull()), 1, 2
	for _, fd := range fds {
		files[fd] = uintptr(fd)
	}
	return files
}

// devnull is the stdin of every child: a child in the run's background
// process group that read the terminal would be stopped by SIGTTIN.
func (r *Runner) devnull() int {
	if r.nullFD <= 0 {
		fd, err := ipc.Open("/dev/null", unix.O_RDONLY, 0)
		if err != nil {
			return 0
		}
		r.nullFD = fd
	}
	return r.nullFD
}

func (c *compiler) spawnStmt(s *lang.Spawn) stmtFn {
	slot := c.slot(s.Name)
	c.familyCheck(s)
	var index exprFn
	if s.Index != nil {
		index = c.expr(s.Index)
	}
	if s.Body == nil {
		return c.spawnExec(s, slot, index)
	}
	// The child gets its block's statements as parsed here and only its
	// block's text, with the block's position, so it parses nothing and
	// still reports the file's lines and columns.
	b := s.Body
	from, to := b.Pos.Offset+1-c.prog.Base.Offset, b.EndPos.Offset-1-c.prog.Base.Offset
	blk := &childBlock{
		src:  c.prog.Src[from:to],
		base: lang.Pos{Filename: b.Pos.Filename, Offset: b.Pos.Offset + 1, Line: b.Pos.Line, Column: b.Pos.Column + 1},
		code: string(lang.EncodeStmts(b.Stmts)),
	}
	// In a procedure, the block reads the procedure's own names; the
	// child runs it as a program of its own, where they are variables
	// (withLocals gives them their values).
	locals, proc := c.locals, c.proc
	for n := range locals {
		c.syms.define(n)
	}
	c.locals, c.proc = nil, nil
	c.bindAll(b.Stmts) // the child compiles against the same names
	c.spawns = true
	// The child compiles its block when it starts, outside any loop. Do
	// the same here and keep only the errors: a mistake in the block stops
	// the run before anything runs (and `ipcsh check` finds it), rather
	// than ending a child halfway through the run.
	loops := c.loops
	c.loops = 0
	c.block(b)
	c.loops = loops
	c.locals, c.proc = locals, proc
	family, pos := s.Name, s.Pos
	return func(p *Proc) error {
		name, fam, key, err := p.spawnName(pos, family, slot, index)
		if err != nil {
			return err
		}
		h, err := p.spawnBlock(pos, name, blk, locals)
		if err != nil {
			return err
		}
		p.bindSpawned(slot, fam, key, h)
		return nil
	}
}

// spawnName is the name of the process `spawn NAME` or `spawn NAME[EXPR]`
// starts, its family (nil for a single process) and its key there.
func (p *Proc) spawnName(pos lang.Pos, name string, slot int, index exprFn) (string, *familyHandle, Value, error) {
	if index == nil {
		return name, nil, Value{}, singleSlot(p, pos, name, slot)
	}
	key, err := familyKey(p, pos, name, index)
	if err != nil {
		return "", nil, key, err
	}
	f, err := familyOf(p, pos, name, slot)
	if err != nil {
		return "", nil, key, err
	}
	return memberName(name, key), f, key, nil
}

// bindSpawned binds the started process: to NAME, or as a member of NAME.
func (p *Proc) bindSpawned(slot int, fam *familyHandle, key Value, h *procHandle) {
	if fam == nil {
		p.slots[slot] = handleV(h)
		return
	}
	fam.add(key, h)
}

// childBlock is a spawned block as its child gets it (startRecord).
type childBlock struct {
	src  string
	base lang.Pos
	code string // lang.EncodeStmts of the block's statements
}

func (p *Proc) spawnBlock(pos lang.Pos, name string, blk *childBlock, locals map[string]int) (*procHandle, error) {
	r := p.run
	text := "spawn " + name
	si, err := p.claimName(pos, name, kindInterp)
	if err != nil {
		return nil, err
	}
	if p.emitting() {
		p.ev = evNote{verb: "spawn", obj: "proc:" + name}
		p.emit(EvCall, PhasePublish, pos, text, "")
	}
	rec := p.startRecord(name, blk, si, locals)
	data, err := encodeStart(rec)
	if err != nil {
		r.board.release(si)
		return nil, errorf(pos, "spawn %s: %v", name, err)
	}
	// The start record travels in a memfd: unlike the environment it has
	// no size limit, and unlike a pipe it never blocks the parent.
	mfd, err := unix.MemfdCreate("ipcsh-start", unix.MFD_CLOEXEC)
	if err == nil {
		_, err = unix.Pwrite(mfd, data, 0)
	}
	if err != nil {
		r.board.release(si)
		return nil, p.failText(pos, PhaseRepeat, text, err, "")
	}
	files := p.inheritFiles(r.evW, r.board.fd, mfd)
	var pid int
	w := r.spawnWarm(mfd, files)
	if w != nil {
		pid = w.pid
	} else {
		pid, err = r.startChild("/proc/self/exe", []string{"ipcsh", ChildArg, strconv.Itoa(mfd)}, files)
	}
	_ = unix.Close(mfd)
	if err != nil {
		r.board.release(si)
		return nil, p.failText(pos, PhaseRepeat, text, err, "")
	}
	r.board.setPid(si, pid)
	h := &procHandle{name: name, pid: pid, slot: si}
	if w != nil {
		r.reapWarm(h, w)
	} else {
		r.reap(h)
	}
	p.children = append(p.children, h)
	return h, nil
}

// claimName reserves a process name for the whole run.
func (p *Proc) claimName(pos lang.Pos, name string, kind uint32) (int, error) {
	si, err := p.run.board.claim(name, kind)
	switch {
	case errors.Is(err, errNameTaken):
		return -1, errorf(pos, "spawn: a process named %s is already running: process names are unique in a run (wait for it first)", name)
	case err != nil:
		return -1, errorf(pos, "spawn %s: %v", name, err)
	}
	return si, nil
}

func (p *Proc) startRecord(name string, blk *childBlock, si int, locals map[string]int) *startRecord {
	r := p.run
	enc := &wireEncoder{index: map[Handle]int{}}
	for _, h := range p.handles {
		enc.handle(h)
	}
	vals := make([]wireValue, len(p.slots))
	for i, v := range p.slots {
		vals[i] = enc.value(v)
	}
	names, vals := withLocals(p.syms.names, vals, enc, p, locals)
	return &startRecord{
		Name: name, Src: blk.src, Base: blk.base, Code: blk.code, Procs: p.syms.procWires(),
		Names: names, Values: vals, Handles: enc.handles,
		Errname: p.errName, Quiet: p.quiet, Verbose: r.cfg.Verbose, Args: r.cfg.Args,
		Tmp: r.tmpPath(), EventFD: r.evW, BoardFD: r.board.fd, Slot: si, Pgid: r.group(),
		Journal: r.journalPath(), Ignored: p.ignoredSignals(),
	}
}

// ChildArg is argv[1] of a re-executed child; it is not a user command.
const ChildArg = "__child"

// RunChild is the whole life of a spawned block: read the start record,
// rebuild the variables and handles, run the block, wait for its own
// children, and return the exit status.
func RunChild(startFD int, stderr io.Writer) int {
	rec, err := readStart(startFD)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: child: %v\n", err)
		return 1
	}
	// What the parent passed lost close-on-exec on the way in: set it
	// again, so programs this child execs do not inherit every fd.
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	resetSignals() // as after fork and exec: C's default actions
	ignoreSignals(rec.Ignored)
	b, err := mapBoard(rec.BoardFD)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: child %s: board: %v\n", rec.Name, err)
		return 1
	}
	r := &Runner{cfg: Config{Stdout: io.Discard, Args: rec.Args, Verbose: rec.Verbose}, evW: rec.EventFD, board: b, pgid: rec.Pgid, child: true, tmpDir: rec.Tmp,
		journal: &journal{path: rec.Journal, fd: -1, child: true}}
	if cn, err := newCanceler(); err == nil {
		r.cancel = cn // nothing stops a child but a trapped signal (Kick)
	}
	r.takeSignals()
	b.sigsReady(rec.Slot)
	p := newProc(rec.Name, r, newEmitter(rec.EventFD))
	r.main = p
	p.slot, p.quiet, p.errName = rec.Slot, rec.Quiet, rec.Errname
	b.setPid(rec.Slot, unix.Getpid())
	for _, n := range rec.Names {
		p.syms.define(n)
	}
	p.grow()
	dec := &wireDecoder{wires: rec.Handles, built: make([]Handle, len(rec.Handles))}
	for i := range rec.Handles {
		if h, ok := dec.handle(i).(*fdHandle); ok && !h.closed {
			if _, err := unix.FcntlInt(uintptr(h.fd), unix.F_GETFD, 0); err != nil {
				fmt.Fprintf(stderr, "ipcsh: child %s: inherited %s (fd %d) is not open: %v\n", rec.Name, h.name, h.fd, err)
				return 1
			}
			p.handles = append(p.handles, h)
		}
	}
	for i, w := range rec.Values {
		p.slots[i] = dec.value(w)
	}
	p.mems = dec.mems
	p.psems = dec.psems
	if len(dec.errs) > 0 {
		for _, err := range dec.errs {
			fmt.Fprintf(stderr, "ipcsh: child %s: %v\n", rec.Name, err)
		}
		p.closeAll()
		return 1
	}
	var prog *lang.Program
	err = defineProcs(p.syms, rec.Procs)
	if err == nil {
		prog, err = childProgram(rec.Src, rec.Base, rec.Code)
	}
	if err == nil {
		err = r.Run(prog)
	}
	err = r.End(err)
	code := exitCode(err)
	if code != 0 && !isExit(err) {
		fmt.Fprintf(stderr, "ipcsh: %v\n", err)
	}
	if p.emitting() {
		p.ev = evNote{verb: "exit", obj: "proc:" + p.name}
		p.emit(EvCall, PhasePublish, p.endPos(prog), "exit "+strconv.Itoa(code), "")
	}
	// Lines held back for the next publish must not die with the
	// process when no exit line is written (a block ending in `quiet`).
	_ = p.em.flush()
	p.closeAll()
	return code
}

// childProgram is a spawned block or a procedure as a child runs it: the
// statements its parent parsed, decoded, and the text they came from (for
// the transcript's statement text and error lines). The child builds no
// parser (lang.EncodeStmts says why).
func childProgram(src string, base lang.Pos, code string) (*lang.Program, error) {
	stmts, err := lang.DecodeStmts([]byte(code))
	if err != nil {
		return nil, fmt.Errorf("the start record's statements: %w", err)
	}
	return &lang.Program{Pos: base, Stmts: stmts, Src: src, Base: base}, nil
}

func readStart(fd int) (*startRecord, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	buf := make([]byte, st.Size)
	if _, err := unix.Pread(fd, buf, 0); err != nil {
		return nil, err
	}
	_ = unix.Close(fd)
	return decodeStart(buf)
}

func isExit(err error) bool {
	var e *ExitError
	return errors.As(err, &e)
}

// exitCode maps the end of a process to its exit status.
func exitCode(err error) int {
	var ee *ExitError
	var se *StopError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &se):
		return se.Code
	}
	return 1
}

func (p *Proc) endPos(prog *lang.Program) lang.Pos {
	if prog == nil {
		return lang.Pos{}
	}
	return prog.Base
}

// End finishes a program the way a process ends: after success or `exit`
// it waits for every child it has not waited for; after an error or a stop
// it kills them. `exit N` of the main script prints its line here, after
// the children, so each process's exit comes after its children's lines.
func (r *Runner) End(runErr error) error {
	p := r.main
	if runErr == nil || isExit(runErr) {
		// No statement waits here: the position names the file only
		// (line 0), and the deadlock report says "end of script".
		if _, err := p.waitAll(lang.Pos{Filename: r.script}, nil); err != nil {
			runErr = err
		}
	}
	if runErr != nil && !isExit(runErr) {
		r.killAll()
	}
	r.reapAll()
	var ee *ExitError
	if !r.child && errors.As(runErr, &ee) && p.emitting() {
		p.ev = evNote{verb: "exit", obj: "proc:main"}
		p.emit(EvCall, PhasePublish, ee.Pos, "exit "+strconv.Itoa(ee.Code), "")
	}
	return runErr
}

// reapAll waits, without cancellation, until the reaper of every child
// is done: killed children go in moments, and after this no goroutine
// touches the board.
func (r *Runner) reapAll() {
	deadline := time.After(5 * time.Second)
	for _, h := range r.main.children {
		select {
		case <-h.done:
		case <-deadline:
			r.straggler = true
			return
		}
		// A program's output is read to its end, so that its pipe is
		// closed before the run is (a stopped run never waited for it).
		if h.out != nil {
			select {
			case <-h.out.done:
			case <-deadline:
				r.straggler = true
				return
			}
		}
	}
}

// killAll stops every child. The main process kills the run's whole
// group, grandchildren included; a child kills only its own children,
// never its siblings.
func (r *Runner) killAll() {
	if pg := r.group(); pg > 0 && !r.child {
		_ = unix.Kill(-pg, unix.SIGKILL)
	}
	for _, h := range r.main.children {
		if !h.waited {
			_ = unix.Kill(h.pid, unix.SIGKILL)
		}
	}
}

// waitAll waits for every child not yet waited for, in spawn order. With
// a command (`wait` alone) each gets its transcript line. It returns the
// children it reaped.
func (p *Proc) waitAll(pos lang.Pos, c *command) ([]*procHandle, error) {
	var reaped []*procHandle
	for _, h := range p.children {
		if h.waited {
			continue
		}
		stmt := "wait " + h.name
		if c == nil {
			stmt = "end of script: waiting for " + h.name
			if p.run.child {
				stmt = "end of block: waiting for " + h.name
			}
		}
		err := p.waitFor(pos, h, stmt)
		for isSigErr(err) && c == nil {
			// The interpreter's own wait at the end: a trap ran, it goes on.
			err = p.waitFor(pos, h, stmt)
		}
		if isSigErr(err) {
			return reaped, p.fail(c, PhaseConsume, err, "")
		}
		if err != nil {
			return reaped, err
		}
		reaped = append(reaped, h)
		if c != nil && p.emitting() {
			p.ev = evNote{verb: "wait", obj: "proc:" + h.name}
			p.emit(EvCall, PhaseConsume, c.pos, "wait "+h.name, statusText(h.ws))
		}
	}
	return reaped, nil
}

// waitFor blocks until h is reaped or the run is cancelled.
func (p *Proc) waitFor(pos lang.Pos, h *procHandle, stmt string) error {
	p.enterOn(pos, stmt, blockObj{tag: "proc:" + h.name, how: "wait", name: h.name})
	err := p.waitChan(h.done)
	p.leave()
	if err != nil {
		return err
	}
	h.waited, h.waitedAt = true, pos
	p.run.board.done(h.slot)
	if h.exec {
		h.out.finish(p, h.name)
		if p.emitting() {
			p.emitNote(h.name, int32(h.pid), evNote{verb: "exit", obj: "proc:" + h.name}, EvCall, PhasePublish, pos, "exit "+statusText(h.ws), "")
		}
	}
	return nil
}

// procArg returns positional parameter i as a process.
func (c *command) proc(i int) (*procHandle, error) {
	v := c.param(i)
	if v.K == KHandle {
		if h, ok := v.R.(*procHandle); ok {
			return h, nil
		}
	}
	return nil, errorf(c.pos, "%s: expected a process or a family, found %s", c.verb, v.typeName())
}

// family returns positional parameter i as a family, if it is one.
func (c *command) family(i int) (*familyHandle, bool) {
	v := c.param(i)
	if v.K == KHandle {
		f, ok := v.R.(*familyHandle)
		return f, ok
	}
	return nil, false
}

func execWait(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if c.nparams() == 0 {
		reaped, err := p.waitAll(c.pos, c)
		if err != nil {
			return Value{}, err
		}
		if len(reaped) == 0 {
			// As wait(2) with no child to wait for, and `wait w` of a
			// family already waited for.
			why := p.name + " has no child not yet waited for"
			if len(p.children) == 0 {
				why = p.name + " has started no child"
			}
			return Value{}, p.fail(c, PhaseConsume, unix.ECHILD, why)
		}
		// The value of waiting for all: 0, or the first status of the
		// children this wait reaped that is not.
		for _, h := range reaped {
			if v := statusValue(h.ws); v.K != KInt || v.I != 0 {
				return v, nil
			}
		}
		return intV(0), nil
	}
	if f, ok := c.family(0); ok {
		return waitFamily(p, c, f)
	}
	h, err := c.proc(0)
	if err != nil {
		return Value{}, err
	}
	switch {
	case h.foreign:
		return Value{}, p.fail(c, PhaseConsume, unix.ECHILD, h.name+" is not a child of "+p.name)
	case h.waited:
		at := h.waitedAt
		return Value{}, p.fail(c, PhaseConsume, unix.ECHILD, fmt.Sprintf("%s was already waited for at %s:%d:%d", h.name, at.Filename, at.Line, at.Column))
	}
	if err := p.waitFor(c.pos, h, "wait "+h.name); err != nil {
		if isSigErr(err) { // a trap without restart ran
			return Value{}, p.fail(c, PhaseConsume, err, "")
		}
		return Value{}, err
	}
	if p.emitting() {
		p.note("proc:"+h.name, 0)
	}
	p.done(c, PhaseConsume, statusText(h.ws))
	return statusValue(h.ws), nil
}

func execKill(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	f, isFamily := c.family(0)
	var h *procHandle
	if !isFamily {
		var err error
		if h, err = c.proc(0); err != nil {
			return Value{}, err
		}
	}
	sig := unix.SIGTERM
	for i, a := range c.args {
		if i == c.params[0] {
			continue
		}
		switch a.kind {
		case aWord:
			if sig = signalByName(a.name); sig == 0 {
				return Value{}, unknownSignal(c, a.name)
			}
			c.args[i].name = sigName(sig)
		case aParam:
			// A number goes to the kernel as it is, as kill(2) takes it:
			// 0 only checks that the process is there, and a number that
			// is no signal gets the kernel's EINVAL.
			v := c.vals[i]
			if v.K != KInt || v.I < math.MinInt32 || v.I > math.MaxInt32 {
				return Value{}, errorf(c.pos, "kill: a signal is a name or a number that fits a C int, found %s", v.quote(false))
			}
			sig = unix.Signal(v.I)
		}
	}
	if isFamily {
		return Value{}, killFamily(p, c, f, sig)
	}
	if !h.foreign {
		select {
		case <-h.done:
			// The pid may already belong to another process: do not signal it.
			return Value{}, p.fail(c, PhasePublish, unix.ESRCH, h.name+" has already exited")
		default:
		}
	}
	if p.emitting() {
		p.note("proc:"+h.name, int64(sig))
	}
	p.publish(c)
	if err := sendSignal(p.run, h, sig, c); err != nil {
		return Value{}, p.fail(c, PhasePublish, err, "")
	}
	return Value{}, nil
}

// killTarget compiles the process `kill` names. Any process of the run
// may be named (LANGUAGE.md §3): besides the names this process holds,
// `main`, the process itself, and a sibling spawned after it was — names
// it has no value for, found on the board by name when the kill runs.
func (c *compiler) killTarget(word string, e lang.Expr) exprFn {
	var bound exprFn
	if _, ok := c.lookup(word); ok || word != "main" {
		bound = c.expr(e) // an unknown name other than main stays an error before the run
	}
	return func(p *Proc) (Value, error) {
		var err error
		if bound != nil {
			var v Value
			if v, err = bound(p); err == nil {
				return v, nil
			}
		}
		if h := p.run.board.procNamed(word); h != nil {
			return handleV(h), nil
		}
		if err == nil {
			err = errorf(startOf(e), "kill: no process of the run is named %s", word)
		}
		return Value{}, err
	}
}

func signalByName(word string) unix.Signal {
	if n, err := strconv.Atoi(word); err == nil && n > 0 && n <= 64 {
		return unix.Signal(n)
	}
	if s := rtSignal(word); s != 0 {
		return s
	}
	for _, cand := range []string{word, "SIG" + word} {
		if s := unix.SignalNum(cand); s != 0 {
			return s
		}
	}
	return 0
}

// threadGroup is the process a thread id belongs to. The kernel records
// some pids per thread: a msgrcv that was waiting when the message came
// leaves the receiving thread's id in lrpid (ipc/msg.c, pipelined_send),
// and a Go process has many threads. Without this, main's own receive
// showed as another-process whenever it had to wait. A thread that is
// gone, or a pid that is a process, is returned as it is.
func threadGroup(pid int) int {
	if pid <= 0 {
		return pid
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return pid
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Tgid:"); ok {
			if tgid, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil {
				return tgid
			}
		}
	}
	return pid
}
