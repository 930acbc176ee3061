package interp

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// capture turns what an exec'd program writes to an unredirected stdout or
// stderr into transcript lines of that program's process.
type capture struct {
	done chan struct{}
	ino  uint64 // the pipe's inode: /proc/PID/fd shows it as pipe:[ino]
	// pid is the program's, for its lines' pid (-v, the trace). It is
	// written before started is closed; a fast program's first line can
	// be read before fork returns in the parent, so lines wait for it.
	pid     int32
	started chan struct{}
}

// testHookStarted, when set by a test, runs between the program's start and
// its pid reaching the capture: it widens the window a fast program's first
// line falls into.
var testHookStarted func()

// begun records the program's pid (0 if it never started) and lets its
// lines out.
func (c *capture) begun(pid int) {
	c.pid = int32(pid)
	close(c.started)
}

func (p *Proc) startCapture(name string) (int, *capture, error) {
	r, w, err := ipc.Pipe(false)
	if err != nil {
		return -1, nil, err
	}
	c := &capture{done: make(chan struct{}), started: make(chan struct{})}
	var st unix.Stat_t
	if unix.Fstat(r, &st) == nil {
		c.ino = st.Ino
	}
	go func() {
		defer close(c.done)
		defer ipc.Close(r)
		buf := make([]byte, 0, 4096)
		chunk := make([]byte, 4096)
		for {
			n, err := ipc.Read(r, chunk)
			if n > 0 {
				<-c.started
				buf = append(buf, chunk[:n]...)
				for {
					i := bytes.IndexByte(buf, '\n')
					if i < 0 {
						break
					}
					p.emitAs(name, c.pid, EvPrint, PhaseOnce, lang.Pos{}, "", string(buf[:i]))
					buf = buf[i+1:]
				}
			}
			if n == 0 || err != nil {
				if len(buf) > 0 {
					p.emitAs(name, c.pid, EvPrint, PhaseOnce, lang.Pos{}, "", string(buf))
				}
				return
			}
		}
	}()
	return w, c, nil
}

// finish waits until the program's output is all in the transcript, so
// its exit line comes after it. The program has exited; if its output
// pipe is still open, something it started holds it (`sh -c 'daemon &'`).
// The run ends when its own processes have: those holders are named in a
// line of the program's and killed, and what they wrote until then stays.
func (c *capture) finish(p *Proc, name string) {
	if c == nil {
		return
	}
	select {
	case <-c.done:
		return
	case <-time.After(50 * time.Millisecond):
	}
	// The last lines may still be in flight, and a process the program
	// just forked may be about to redirect its output elsewhere: only
	// holders seen three times over 100 ms count.
	seen := 0
	for try := 0; ; try++ {
		holders := pipeHolders(c.ino, unix.Getpid())
		if len(holders) > 0 {
			seen++
		} else {
			seen = 0
		}
		if seen >= 3 {
			var names []string
			for _, h := range holders {
				_ = unix.Kill(h.pid, unix.SIGKILL)
				names = append(names, h.name(p.run.cfg.Verbose))
			}
			p.emitAs(name, 0, EvCall, PhaseOnce, lang.Pos{}, "left running: "+strings.Join(names, ", "), "killed")
			break
		}
		if try == 10 {
			break
		}
		select {
		case <-c.done:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
}

// groupMembers lists the live processes of process group pg.
func groupMembers(pg int) []holder {
	ents, _ := os.ReadDir("/proc")
	var found []holder
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// After the command name, which may hold spaces: state, ppid, pgrp.
		i := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[2] != strconv.Itoa(pg) {
			continue
		}
		found = append(found, holder{pid, string(stat[bytes.IndexByte(stat, '(')+1 : i])})
	}
	return found
}

// holder is a process that has a given pipe open.
type holder struct {
	pid  int
	comm string
}

func (h holder) name(verbose bool) string {
	if verbose {
		return h.comm + "[" + strconv.Itoa(h.pid) + "]"
	}
	return h.comm
}

// pipeHolders lists the processes other than self with the pipe of inode
// ino open, by their fds in /proc. Only processes of this user can be
// read, which are the only ones the run can have started.
func pipeHolders(ino uint64, self int) []holder {
	if ino == 0 {
		return nil
	}
	want := "pipe:[" + strconv.FormatUint(ino, 10) + "]"
	ents, _ := os.ReadDir("/proc")
	var found []holder
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		fds, _ := os.ReadDir("/proc/" + e.Name() + "/fd")
		for _, fd := range fds {
			if l, _ := os.Readlink("/proc/" + e.Name() + "/fd/" + fd.Name()); l == want {
				comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
				found = append(found, holder{pid, strings.TrimSpace(string(comm))})
				break
			}
		}
	}
	return found
}

func (c *compiler) spawnExec(s *lang.Spawn, slot int, index exprFn) stmtFn {
	type word struct {
		lit  string
		eval exprFn
		raw  bool
		// slot: a name of an earlier REPL entry that this bare word
		// reads like, -1 if none (see below).
		slot int
		pos  lang.Pos
	}
	words := make([]word, len(s.Exec))
	for i, w := range s.Exec {
		switch {
		case w.Raw != nil:
			// A quoted word may hold blanks: the transcript quotes it.
			words[i] = word{lit: lang.WordText(*w.Raw), raw: !lang.WordQuoted(*w.Raw), slot: -1, pos: w.Pos}
			// The parser refuses a word that names one of the script's
			// values; a REPL entry cannot see the names of the entries
			// before it, so the same question is asked here, of the
			// value the name holds when the statement runs.
			if name, ok := lang.ExecWordName(*w.Raw); ok {
				if slot, ok := c.lookup(name); ok {
					words[i].slot = slot
				}
			}
		case w.Str != nil:
			v, err := lang.Unquote(*w.Str)
			if err != nil {
				c.errorf(w.Pos, "bad string: %s", err)
			}
			words[i] = word{lit: v, slot: -1}
		default:
			words[i] = word{eval: c.expr(w.Expr), slot: -1}
		}
	}
	type redir struct {
		name string
		eval exprFn
	}
	var redirs []redir
	for _, o := range s.Opts {
		redirs = append(redirs, redir{o.Name, c.expr(o.Value)})
	}
	family, pos := s.Name, s.Pos
	return func(p *Proc) error {
		name, fam, key, err := p.spawnName(pos, family, slot, index)
		if err != nil {
			return err
		}
		argv := make([]string, len(words))
		var text strings.Builder
		text.WriteString("spawn " + name + " exec")
		for i, w := range words {
			if w.eval != nil {
				v, err := w.eval(p)
				if err != nil {
					return err
				}
				// As str() shows it: a program's arguments are text,
				// and (n) with n = 3 is the word 3, (ok) the word true.
				s, err := builtin(pos, "str", v, Value{})
				if err != nil {
					return err
				}
				argv[i] = s.S
			} else {
				if w.slot >= 0 {
					if v := p.slots[w.slot]; v.K != KUndef && v.K != KHandle {
						name, _ := lang.ExecWordName(w.lit)
						return errorf(w.pos, "%s", lang.ExecWordMessage(s.Name, w.lit, name, false))
					}
				}
				argv[i] = w.lit
			}
			text.WriteByte(' ')
			if w.raw {
				text.WriteString(argv[i])
			} else {
				text.WriteString(quoteStr(p.tmpShown(argv[i])))
			}
		}
		fds := [3]int{-1, -1, -1}
		for _, rd := range redirs {
			v, err := rd.eval(p)
			if err != nil {
				return err
			}
			h, ok := v.R.(*fdHandle)
			if v.K != KHandle || !ok {
				return errorf(pos, "spawn %s: %s= expects an fd, found %s", name, rd.name, v.typeName())
			}
			if h.closed {
				return p.failText(pos, PhaseOnce, text.String(), unix.EBADF, h.name+" is closed")
			}
			fds[map[string]int{"stdin": 0, "stdout": 1, "stderr": 2}[rd.name]] = h.fd
			text.WriteString(" " + rd.name + "=" + v.text(p.run.cfg.Verbose))
		}
		h, err := p.startProgram(pos, name, text.String(), argv, fds)
		if err != nil {
			return err
		}
		p.bindSpawned(slot, fam, key, h)
		return nil
	}
}

// startProgram execs argv as a child process named name. fds[i] < 0 means
// the default: /dev/null for stdin, the transcript for stdout and stderr.
func (p *Proc) startProgram(pos lang.Pos, name, text string, argv []string, fds [3]int) (*procHandle, error) {
	r := p.run
	path := argv[0]
	if !strings.Contains(path, "/") {
		found, err := exec.LookPath(path)
		if err != nil {
			return nil, p.failText(pos, PhaseOnce, text, unix.ENOENT, strconv.Quote(path)+" is not in $PATH")
		}
		path = found
	}
	si, err := p.claimName(pos, name, kindExec)
	if err != nil {
		return nil, err
	}
	if p.emitting() {
		p.ev = evNote{verb: "spawn", obj: "proc:" + name}
		p.emit(EvCall, PhasePublish, pos, text, "")
	}
	var out *capture
	capW := -1
	if fds[1] < 0 || fds[2] < 0 {
		if capW, out, err = p.startCapture(name); err != nil {
			r.board.release(si)
			return nil, p.failText(pos, PhaseRepeat, text, err, "")
		}
	}
	files := []uintptr{uintptr(r.devnull()), 1, 2}
	for i, fd := range fds {
		switch {
		case fd >= 0:
			files[i] = uintptr(fd)
		case i > 0:
			files[i] = uintptr(capW)
		}
	}
	var pid int
	if sigTaken {
		// Through the trampoline, which clears the signal mask ipcsh runs
		// with: the program starts as exec from a C program would start it.
		var rfd, wfd int
		if rfd, wfd, err = ipc.Pipe(false); err == nil {
			files = append(files, uintptr(wfd))
			pid, err = r.startChild("/proc/self/exe", trampoline(p.ignoredSignals(), len(files)-1, path, argv), files)
			_ = ipc.Close(wfd)
			if err == nil {
				if err = execFailed(rfd); err != nil {
					var ws unix.WaitStatus
					_, _ = unix.Wait4(pid, &ws, 0, nil)
				}
			}
			_ = ipc.Close(rfd)
		}
	} else {
		pid, err = r.startChild(path, argv, files)
	}
	if capW >= 0 {
		_ = ipc.Close(capW) // the program holds the write end now
	}
	if out != nil {
		if testHookStarted != nil {
			testHookStarted()
		}
		if err != nil {
			pid = 0
		}
		out.begun(pid)
	}
	if err != nil {
		r.board.release(si)
		if out != nil {
			<-out.done
		}
		return nil, p.failText(pos, PhaseRepeat, text, err, "")
	}
	r.board.setPid(si, pid)
	h := &procHandle{name: name, pid: pid, slot: si, exec: true, out: out}
	r.reap(h)
	p.children = append(p.children, h)
	return h, nil
}

// execPopen is popen(3): /bin/sh -c COMMAND with a pipe to its stdin
// (write) or from its stdout (read). NAME is our end of the pipe.
func execPopen(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	cmdline, err := c.str(1, "COMMAND")
	if err != nil {
		return Value{}, err
	}
	name := c.boundName()
	rfd, wfd, err := ipc.Pipe(false)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	fds := [3]int{-1, -1, -1}
	ours, theirs := rfd, wfd
	if c.flags["write"] {
		ours, theirs = wfd, rfd
		fds[0] = rfd
	} else {
		fds[1] = wfd
	}
	h, err := p.startProgram(c.pos, name, c.text(p), []string{"/bin/sh", "-c", cmdline}, fds)
	_ = ipc.Close(theirs)
	if err != nil {
		_ = ipc.Close(ours)
		return Value{}, err
	}
	fh := &fdHandle{name: name, fd: ours, popen: h, pollable: true, obj: pipeObj(ours)}
	p.addHandle(fh)
	c.bind(p, fh)
	return handleV(fh), nil
}

// execPclose closes the popen pipe, then waits for the command.
func execPclose(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	v := c.param(0)
	fh, ok := v.R.(*fdHandle)
	if v.K != KHandle || !ok || fh.popen == nil {
		return Value{}, errorf(c.pos, "pclose: expected a popen handle, found %s", v.typeName())
	}
	h := fh.popen
	if h.waited {
		return Value{}, p.fail(c, PhaseConsume, unix.ECHILD, h.name+" was already closed")
	}
	if !fh.closed {
		fh.closed, fh.closedAt = true, c.pos
		_ = ipc.Close(fh.fd)
	}
	if err := p.waitFor(c.pos, h, "pclose "+h.name); err != nil {
		return Value{}, err
	}
	if p.emitting() {
		p.note("proc:"+h.name, 0)
	}
	p.done(c, PhaseConsume, statusText(h.ws))
	return statusValue(h.ws), nil
}
