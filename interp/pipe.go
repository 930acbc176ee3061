package interp

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// fdHandle is an open file descriptor: a pipe end, a file or a FIFO. It is
// a raw fd, never an os.File: os.File would put it in the netpoller, and
// once a child inherits it Fd() turns it blocking behind our back.
type fdHandle struct {
	name     string
	fd       int
	closed   bool
	closedAt lang.Pos
	nonblock bool        // opened non-blocking: a read or write never waits
	popen    *procHandle // the command behind a popen pipe
	// pollable: a pipe, FIFO, socket or device, where a read or write can
	// wait for another process (a regular file never does).
	pollable bool
	// obj names the open file for a timeline's arrows: "pipe:INODE",
	// "fifo:INODE", "file:INODE" — the same in every process that has it.
	obj string
}

// pipeObj names the pipe open on fd for events (see fdHandle.obj).
func pipeObj(fd int) string {
	st, err := ipc.Fstat(fd)
	if err != nil {
		return ""
	}
	return "pipe:" + strconv.FormatUint(st.Ino, 10)
}

func (h *fdHandle) Name() string    { return h.name }
func (h *fdHandle) Kind() string    { return "fd" }
func (h *fdHandle) Verbose() string { return fmt.Sprintf("%s(fd %d)", h.name, h.fd) }

// pipeHandle is `pipe NAME`: its ends are NAME.r and NAME.w.
type pipeHandle struct {
	name string
	r, w *fdHandle
}

func (h *pipeHandle) Name() string { return h.name }
func (h *pipeHandle) Kind() string { return "pipe" }
func (h *pipeHandle) Verbose() string {
	return fmt.Sprintf("%s(r=fd %d w=fd %d)", h.name, h.r.fd, h.w.fd)
}

func (h *pipeHandle) field(name string) (Value, bool) {
	switch name {
	case "r":
		return handleV(h.r), true
	case "w":
		return handleV(h.w), true
	}
	return Value{}, false
}

// bind stores a handle under the name a statement binds.
func (c *command) bind(p *Proc, h Handle) {
	for _, a := range c.args {
		if a.kind == aName {
			p.slots[a.slot] = handleV(h)
			return
		}
	}
}

// boundName is the name the statement binds.
func (c *command) boundName() string {
	for _, a := range c.args {
		if a.kind == aName {
			return a.name
		}
	}
	return ""
}

// fd returns positional parameter i as an open fd. A closed one is EBADF
// with the place it was closed, rather than a call on an fd number the
// kernel may already have given to something else.
func (c *command) fd(p *Proc, i int, phase Phase) (*fdHandle, error) {
	v := c.param(i)
	if q, ok := v.R.(*mqHandle); ok && v.K == KHandle {
		v = handleV(q.fdh) // a POSIX queue descriptor is an fd
	}
	if v.K == KHandle {
		switch h := v.R.(type) {
		case *fdHandle:
			if h.closed {
				at := h.closedAt
				return nil, p.fail(c, phase, unix.EBADF, fmt.Sprintf("%s was closed at %s:%d:%d", h.name, at.Filename, at.Line, at.Column))
			}
			return h, nil
		case *pipeHandle:
			return nil, errorf(c.pos, "%s: %s is a pipe: use %s.r or %s.w", c.verb, h.name, h.name, h.name)
		}
	}
	return nil, errorf(c.pos, "%s: expected an fd, found %s", c.verb, v.typeName())
}

// str returns positional parameter i as text.
func (c *command) str(i int, what string) (string, error) {
	v := c.param(i)
	if !isText(v) {
		return "", errorf(c.pos, "%s: %s must be a string, found %s", c.verb, what, v.typeName())
	}
	return v.text(false), nil
}

// intParam returns positional parameter i as an int.
func (c *command) intParam(i int, what string) (int64, error) {
	v := c.param(i)
	if v.K != KInt {
		return 0, errorf(c.pos, "%s: %s must be an int, found %s", c.verb, what, v.typeName())
	}
	return v.I, nil
}

func (p *Proc) addHandle(h *fdHandle) { p.handles = append(p.handles, h) }

func execPipe(p *Proc, c *command) (Value, error) {
	nb := c.flags["nonblock"]
	r, w, err := ipc.Pipe(nb)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	name := c.boundName()
	obj := pipeObj(r) // both ends are one pipe
	h := &pipeHandle{name: name, r: &fdHandle{name: name + ".r", fd: r, nonblock: nb, pollable: true, obj: obj}, w: &fdHandle{name: name + ".w", fd: w, nonblock: nb, pollable: true, obj: obj}}
	p.note(obj, 0)
	p.addHandle(h.r)
	p.addHandle(h.w)
	c.bind(p, h)
	res := ""
	if p.run.cfg.Verbose {
		res = fmt.Sprintf("r=fd %d w=fd %d", r, w)
	}
	p.done(c, PhaseOnce, res)
	return handleV(h), nil
}

// bytesOf is a value as the bytes a write sends: strings as they are,
// a message as its text, numbers and bools as they print.
func bytesOf(c *command, v Value) (string, error) {
	switch v.K {
	case KStr, KMsg, KInt, KBool:
		return v.text(false), nil
	}
	return "", errorf(c.pos, "%s: cannot write a %s: write a string", c.verb, v.typeName())
}

func execWrite(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, err := c.fd(p, 0, PhasePublish)
	if err != nil {
		return Value{}, err
	}
	data, err := bytesOf(c, c.param(1))
	if err != nil {
		return Value{}, err
	}
	p.note(h.obj, int64(len(data)))
	p.publish(c)
	p.enterOn(c.pos, c.src, blockObj{tag: h.obj, how: "write", name: h.name})
	n, err := p.writeFD(h, unsafeBytes(data))
	p.leave()
	if _, stop := err.(*StopError); stop {
		return Value{}, err
	}
	if err != nil {
		return Value{}, p.fail(c, PhasePublish, err, writeHint(err, h))
	}
	if n < len(data) && p.emitting() {
		p.note(h.obj, int64(n))
		p.ev.verb = c.verb
		p.emit(EvCall, PhaseRepeat, c.pos, c.text(p), fmt.Sprintf("%d of %d", n, len(data)))
	}
	return intV(int64(n)), nil
}

func writeHint(err error, h *fdHandle) string {
	switch err {
	case unix.EPIPE:
		return "no process has " + strings.TrimSuffix(h.name, ".w") + "'s read end open"
	case unix.EAGAIN:
		return h.name + " is full and non-blocking"
	}
	return ""
}

// maxRead bounds the buffer of one read(2): a larger N reads at most this.
const maxRead = 1 << 20

// readChunk is the default size of one read(2), as LANGUAGE.md says.
const readChunk = 4096

func execRead(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, err := c.fd(p, 0, PhaseConsume)
	if err != nil {
		return Value{}, err
	}
	var data string
	asked := int64(-1) // N of `read FD N`: 0 reads nothing, which is not EOF
	rd := reader{p: p, h: h}
	p.enterOn(c.pos, c.src, blockObj{tag: h.obj, how: "read", name: h.name})
	switch {
	case c.flags["all"]:
		data, err = rd.all()
	case c.flags["line"]:
		data, err = rd.line()
	default:
		n := int64(readChunk)
		if c.nparams() > 1 {
			if n, err = c.intParam(1, "N"); err != nil {
				p.leave()
				return Value{}, err
			}
			// read(fd, buf, 0) goes to the kernel, which returns 0 (or the
			// fd's error); a negative count would be a huge size_t in C
			// (EFAULT), and here a negative buffer length.
			if n < 0 {
				p.leave()
				return Value{}, errorf(c.pos, "read: N=%d: a count is not negative", n)
			}
			asked = n
		}
		if c.ownBuf {
			data, err = rd.siteRead(c, int(min(n, maxRead)))
		} else {
			data, err = rd.once(n)
		}
	}
	p.leave()
	if _, stop := err.(*StopError); stop {
		return Value{}, err
	}
	if err != nil {
		return Value{}, p.fail(c, PhaseConsume, err, "")
	}
	if p.emitting() {
		res := "EOF"
		if data != "" || asked == 0 {
			res = quoteStr(p.tmpShown(data))
		}
		p.note(h.obj, int64(len(data)))
		p.done(c, PhaseConsume, res)
	}
	return strV(data), nil
}

// reader makes the read(2) calls of one `read` statement, each one
// cancellable in the main process.
type reader struct {
	p *Proc
	h *fdHandle
}

func (r reader) read(buf []byte) (int, error) { return r.p.readFD(r.h, buf) }

// cancellable says whether a read or write on h must be able to stop when
// the run is cancelled: in the main process (children are killed
// instead), on an fd where the call could wait for another process.
func (p *Proc) cancellable(h *fdHandle) bool {
	return p.run.cancel != nil && h.pollable && !h.nonblock
}

// readFD is one read(2). In the main process it can be stopped while it
// waits: the canceler interrupts it with a signal (ipc.Interrupter), so a
// read costs one system call, as in C, and not a poll before it.
func (p *Proc) readFD(h *fdHandle, buf []byte) (int, error) {
	if !p.cancellable(h) {
		return ipc.Read(h.fd, buf)
	}
	for {
		n, err := ipc.ReadI(h.fd, buf, p.run.cancel.intr)
		if err == ipc.ErrInterrupted {
			if err = p.cut(p.run.cancel); restartable(err) {
				continue
			}
			return 0, err
		}
		return n, err
	}
}

// writeFD writes all of data as a blocking write(2) does, and in the main
// process can be stopped while the pipe is full. As with write(2), bytes
// written before an error count: the caller sees a short write, and the
// next write gets the error.
func (p *Proc) writeFD(h *fdHandle, data []byte) (int, error) {
	if !p.cancellable(h) {
		return ipc.Write(h.fd, data)
	}
	done := 0
	for {
		n, err := ipc.WriteI(h.fd, data[done:], p.run.cancel.intr)
		done += n
		switch {
		case err == ipc.ErrInterrupted:
			if err = p.cut(p.run.cancel); restartable(err) {
				continue
			}
			return done, err
		case err != nil && done > 0:
			return done, nil
		case err != nil:
			return 0, err
		case done == len(data):
			return done, nil
		}
		// Short without an error: a signal came after some bytes went in.
	}
}

// once is one read(2) of up to n bytes. Huge n is not allocated up front:
// a pipe never returns more than its capacity in one read anyway.
func (r reader) once(n int64) (string, error) {
	// The bytes land in a buffer the process reuses; the value is a copy
	// of what arrived, the only allocation of a read.
	want := int(min(n, maxRead))
	if cap(r.p.readBuf) < want {
		r.p.readBuf = make([]byte, want)
	}
	buf := r.p.readBuf[:want]
	got, err := r.read(buf)
	if err != nil {
		return "", err
	}
	return string(buf[:got]), nil
}

func (r reader) all() (string, error) {
	var b strings.Builder
	buf := make([]byte, 64*1024)
	for {
		n, err := r.read(buf)
		if err != nil {
			return b.String(), err
		}
		if n == 0 {
			return b.String(), nil
		}
		b.Write(buf[:n])
	}
}

// line reads a byte at a time: reading ahead would take bytes past the
// newline that belong to the next reader of the pipe.
func (r reader) line() (string, error) {
	var b strings.Builder
	var one [1]byte
	for {
		n, err := r.read(one[:])
		if err != nil {
			return b.String(), err
		}
		if n == 0 {
			return b.String(), nil
		}
		b.WriteByte(one[0])
		if one[0] == '\n' {
			return b.String(), nil
		}
	}
}

func execClose(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, err := c.fd(p, 0, PhasePublish)
	if err != nil {
		return Value{}, err
	}
	p.note(h.obj, 0)
	p.publish(c)
	// The fd is gone after close(2) whatever it returns (EINTR included),
	// so the handle is marked closed first.
	h.closed, h.closedAt = true, c.pos
	if err := ipc.Close(h.fd); err != nil {
		return Value{}, p.fail(c, PhasePublish, err, "")
	}
	return Value{}, nil
}

func execSeek(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, err := c.fd(p, 0, PhaseOnce)
	if err != nil {
		return Value{}, err
	}
	off, err := c.intParam(1, "OFFSET")
	if err != nil {
		return Value{}, err
	}
	pos, err := ipc.Seek(h.fd, off, unix.SEEK_SET)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	p.done(c, PhaseOnce, strconv.FormatInt(pos, 10))
	return intV(pos), nil
}

func execPipesize(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, err := c.fd(p, 0, PhaseOnce)
	if err != nil {
		return Value{}, err
	}
	var size int
	if c.nparams() > 1 {
		n, err := c.intParam(1, "N")
		if err != nil {
			return Value{}, err
		}
		size, err = ipc.SetPipeSize(h.fd, int(n))
		if err != nil {
			hint := ""
			if err == unix.EPERM {
				hint = "above /proc/sys/fs/pipe-max-size needs CAP_SYS_RESOURCE"
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
	} else if size, err = ipc.PipeSize(h.fd); err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	p.done(c, PhaseOnce, strconv.Itoa(size))
	return intV(int64(size)), nil
}

func execFds(p *Proc, c *command) (Value, error) {
	var items []Value
	var names []string
	for _, h := range p.handles {
		if h.closed {
			continue
		}
		items = append(items, handleV(h))
		if p.run.cfg.Verbose {
			names = append(names, h.Verbose())
		} else {
			names = append(names, h.name)
		}
	}
	res := strings.Join(names, " ")
	if res == "" {
		res = "none"
	}
	p.done(c, PhaseOnce, res)
	return Value{K: KList, R: &List{Items: items}}, nil
}
