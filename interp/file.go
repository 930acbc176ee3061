package interp

import (
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// unsafeBytes lends a string's bytes to a system call that only reads
// them, so a write does not copy its data first.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// mode returns the mode= option, or def.
func (c *command) mode(def uint32) (uint32, error) {
	m, err := c.optInt("mode", int64(def))
	if err != nil {
		return 0, err
	}
	// The kernel takes any mode_t and uses the bits it knows; only a value
	// that is no mode_t at all cannot be passed.
	if m < 0 || m > math.MaxUint32 {
		return 0, fmt.Errorf("mode %d does not fit in mode_t (32 bits)", m)
	}
	return uint32(m), nil
}

func execOpen(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	path, err := c.str(1, "PATH")
	if err != nil {
		return Value{}, err
	}
	mode, err := c.mode(0644)
	if err != nil {
		return Value{}, errorf(c.pos, "open: %v", err)
	}
	flags := 0
	phase := PhasePublish // opening a writer lets a blocked FIFO reader go on
	switch {
	case c.flags["read"]:
		flags, phase = unix.O_RDONLY, PhaseConsume
	case c.flags["write"]:
		flags = unix.O_WRONLY
	case c.flags["rdwr"]:
		flags = unix.O_RDWR
	}
	flags |= c.flagBits(openFlags)
	if phase == PhasePublish {
		// The line goes out before open(2), so the object is named from
		// the path: a FIFO's writer and reader then name the same one.
		if st, err := ipc.Stat(path); err == nil && p.emitting() {
			p.note(st.Type+":"+strconv.FormatUint(st.Ino, 10), 0)
		}
		p.publish(c)
	}
	fd, err := p.open(c, path, flags, mode)
	if err != nil {
		if _, stop := err.(*StopError); stop {
			return Value{}, err
		}
		hint := ""
		if err == unix.ENXIO {
			hint = "a FIFO opened for writing with nonblock needs a reader already"
		}
		return Value{}, p.fail(c, phase, err, hint)
	}
	h := &fdHandle{name: c.boundName(), fd: fd, nonblock: flags&unix.O_NONBLOCK != 0, pollable: true}
	if st, err := ipc.Fstat(fd); err == nil {
		h.obj = st.Type + ":" + strconv.FormatUint(st.Ino, 10)
		if st.Type == "file" || st.Type == "dir" || st.Type == "blk" {
			h.pollable = false // never waits; poll would only add a system call
		}
	}
	p.addHandle(h)
	c.bind(p, h)
	if phase == PhaseConsume {
		res := ""
		if p.run.cfg.Verbose {
			res = fmt.Sprintf("fd %d", fd)
		}
		p.note(h.obj, 0)
		p.done(c, phase, res)
	}
	return handleV(h), nil
}

// open is open(2), which for a FIFO waits for the other end. In the main
// process the wait can be stopped: the canceler interrupts it.
func (p *Proc) open(c *command, path string, flags int, mode uint32) (int, error) {
	cn := p.run.cancel
	if cn == nil || flags&unix.O_NONBLOCK != 0 {
		return ipc.Open(path, flags, mode)
	}
	for {
		p.enterOn(c.pos, c.src, blockObj{tag: "open:" + path, how: openHow(flags), name: path})
		fd, err := ipc.OpenI(path, flags, mode, cn.intr)
		p.leave()
		if err == ipc.ErrInterrupted {
			if err = p.cut(cn); restartable(err) {
				continue // a trap with restart ran: SA_RESTART restarts open(2)
			}
			return -1, err
		}
		return fd, err
	}
}

func makeFifo(p *Proc, c *command, mk func(string, uint32) error) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	path, err := c.str(0, "PATH")
	if err != nil {
		return Value{}, err
	}
	mode, err := c.mode(0644)
	if err != nil {
		return Value{}, errorf(c.pos, "%s: %v", c.verb, err)
	}
	if err := mk(path, mode); err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	p.done(c, PhaseOnce, "")
	return Value{}, nil
}

func execMkfifo(p *Proc, c *command) (Value, error) { return makeFifo(p, c, ipc.Mkfifo) }
func execMknod(p *Proc, c *command) (Value, error)  { return makeFifo(p, c, ipc.MknodFifo) }

func execUnlink(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	path, err := c.str(0, "PATH")
	if err != nil {
		return Value{}, err
	}
	if err := ipc.Unlink(path); err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	p.done(c, PhaseOnce, "")
	return Value{}, nil
}

func execStat(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	path, err := c.str(0, "PATH")
	if err != nil {
		return Value{}, err
	}
	st, err := ipc.Stat(path)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	rec := &Record{
		Names:  []string{"type", "mode", "size"},
		Values: []Value{strV(st.Type), modeV(int64(st.Mode)), intV(st.Size)},
	}
	if p.emitting() {
		// The transcript shows what stat is for: type and mode. A size
		// would tie transcripts to file contents.
		p.done(c, PhaseOnce, "type="+st.Type+" mode="+modeText(int64(st.Mode)))
	}
	return Value{K: KRecord, R: rec}, nil
}
