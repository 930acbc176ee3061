package interp

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// psemHandle is a POSIX semaphore: glibc's sem_t, named (`semopen`, a
// mapping of /dev/shm/sem.NAME) or unnamed (`seminit`, 32 bytes of an
// attachment or shared mapping). `sem p`, `sem v` and `sem get` act on
// it as sem_wait, sem_post and sem_getvalue do (ipc/psem.go).
type psemHandle struct {
	name  string
	sname string // "/lock" for a named semaphore, "" for an unnamed one
	sem   *ipc.Sem
	// A named one: the file, kept open so that a spawned child maps the
	// same semaphore even after semunlink (fork would keep the mapping);
	// own is the child's mapping of it, which it unmaps itself.
	fd  int
	own []byte
	// An unnamed one: the memory it lies in and its offset there.
	mem *memHandle
	off int64
	tag string // the object of events: the same in every process
}

func (h *psemHandle) objText() string {
	if h.sname != "" {
		return "POSIX semaphore " + h.sname
	}
	return fmt.Sprintf("POSIX semaphore in %s at +%d", h.mem.name, h.off)
}

func (h *psemHandle) Name() string { return h.name }
func (h *psemHandle) Kind() string { return "POSIX semaphore" }
func (h *psemHandle) Verbose() string {
	if h.sname != "" {
		return fmt.Sprintf("%s(sem %s)", h.name, h.sname)
	}
	return fmt.Sprintf("%s(sem_t in %s at +%d)", h.name, h.mem.name, h.off)
}

func (h *psemHandle) wire(e *wireEncoder) wireHandle {
	if h.sname != "" {
		return wireHandle{Kind: "psem", Name: h.name, Path: h.sname, FD: h.fd}
	}
	return wireHandle{Kind: "psem", Name: h.name, Seg: e.handle(h.mem), ID: int(h.off)}
}

// psem rebuilds a semaphore in a spawned child: a named one mapped again
// from the inherited file, an unnamed one in the memory the child has
// attached or mapped again.
func (d *wireDecoder) psem(w wireHandle) Handle {
	h := &psemHandle{name: w.Name, sname: w.Path, fd: -1}
	if w.Path != "" {
		h.fd = w.FD
		mem, err := ipc.Mmap(w.FD, ipc.SemSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
		if err == nil {
			h.own = mem
			h.sem, err = ipc.SemAt(mem)
		}
		if err != nil {
			d.errs = append(d.errs, fmt.Errorf("inherited semaphore %s (%s): %w", h.name, h.sname, err))
			return h
		}
		h.tag = "psem:" + w.Path
		d.psems = append(d.psems, h)
		return h
	}
	h.mem, _ = d.handle(w.Seg).(*memHandle)
	h.off = int64(w.ID)
	if h.mem != nil && !h.mem.gone {
		h.sem, _ = ipc.SemAt(h.mem.mem[h.off : h.off+ipc.SemSize])
		h.tag = "psem:" + memObj(h.mem) + "+" + strconv.FormatInt(h.off, 10)
	}
	return h
}

// memObj names the memory an attachment or mapping shows, the same in
// every process: "shm:ID" or "file:INODE".
func memObj(h *memHandle) string {
	if h.kind == "attachment" {
		return "shm:" + strconv.Itoa(h.shmid)
	}
	if st, err := ipc.Fstat(h.fd); err == nil {
		return "file:" + strconv.FormatUint(st.Ino, 10)
	}
	return "mapping:" + h.name
}

// closePosix unmaps the named semaphores this process has, at its end.
func (p *Proc) closePosix() {
	for _, h := range p.psems {
		if h.sem == nil {
			continue
		}
		if h.own != nil {
			_ = ipc.Munmap(h.own)
		} else {
			_ = h.sem.Close()
		}
		h.sem, h.own = nil, nil
		if h.fd >= 0 {
			_ = ipc.Close(h.fd)
			h.fd = -1
		}
	}
	p.psems = nil
}

// posixFds are the fds a spawned child must inherit for POSIX objects.
func (p *Proc) posixFds() []int {
	var fds []int
	for _, h := range p.psems {
		if h.fd >= 0 {
			fds = append(fds, h.fd)
		}
	}
	return fds
}

func execSemopen(p *Proc, c *command) (Value, error) {
	name, mode, err := c.posixOpenArgs(p)
	if err != nil {
		return Value{}, err
	}
	init, err := c.optInt("init", 0)
	if err != nil {
		return Value{}, err
	}
	// sem_open's value is an unsigned int: what C would wrap is refused.
	if init < 0 || init > 1<<32-1 {
		return Value{}, errorf(c.pos, "semopen: init=%d: a semaphore's value is 0 to %d (SEM_VALUE_MAX)", init, ipc.SEM_VALUE_MAX)
	}
	var sem *ipc.Sem
	_, created, err := posixOpen(c, func(creat int) (int, error) {
		var err error
		sem, err = ipc.SemOpen(name, creat, mode, uint32(init))
		return 0, err
	})
	if err != nil {
		hint := openHint(kPsem, name, err)
		if err == unix.EINVAL && init > ipc.SEM_VALUE_MAX {
			hint = fmt.Sprintf("init=%d > SEM_VALUE_MAX (%d)", init, ipc.SEM_VALUE_MAX)
		}
		return Value{}, p.fail(c, PhaseOnce, err, hint)
	}
	h := &psemHandle{name: c.boundName(), sname: name, sem: sem, fd: -1, tag: "psem:" + name}
	undo := func() {
		_ = sem.Close()
		if h.fd >= 0 {
			_ = ipc.Close(h.fd)
		}
		if created {
			_ = ipc.SemUnlink(name)
		}
	}
	// The file stays open for children (see psemHandle). It must be the
	// file the semaphore was mapped from: the name may have been unlinked
	// and made again since sem_open, so the inode is checked against the
	// mapping's own in /proc/self/maps.
	ino, err := mappedInode(sem.Addr())
	if err == nil {
		h.fd, err = ipc.Open(kPsem.path(name), unix.O_RDWR|unix.O_NOFOLLOW, 0)
	}
	if err == nil {
		var st unix.Stat_t
		if err = unix.Fstat(h.fd, &st); err == nil && st.Ino != ino {
			err = fmt.Errorf("%s was replaced while it was opened", kPsem.path(name))
		}
	}
	if err == nil && created {
		err = p.journalPosix(c, kPsem, name, ino)
	}
	if err != nil {
		undo()
		if e, ok := err.(*Error); ok {
			return Value{}, e
		}
		return Value{}, errorf(c.pos, "semopen %s: %v", name, err)
	}
	p.psems = append(p.psems, h)
	p.popened = append(p.popened, posixEntry{kind: kPsem, name: h.name, pname: name})
	c.bind(p, h)
	p.done(c, PhaseOnce, p.posixGetResult(created, -1))
	return handleV(h), nil
}

// mappedInode is the inode of the file mapped at addr, from /proc/self/maps.
func mappedInode(addr uintptr) (uint64, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(fs[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && uint64(addr) >= a && uint64(addr) < b {
			return strconv.ParseUint(fs[4], 10, 64)
		}
	}
	return 0, fmt.Errorf("no mapping at %#x", addr)
}

// memView is `a[64:96]` as seminit's VIEW: the memory, not a copy of its
// bytes (which is what a slice is in an expression).
type memView struct {
	h      *memHandle
	lo, hi int64
}

func (v *memView) Name() string    { return fmt.Sprintf("%s[%d:%d]", v.h.name, v.lo, v.hi) }
func (v *memView) Kind() string    { return "memory view" }
func (v *memView) Verbose() string { return v.Name() }

// seminitView compiles seminit's VIEW: a slice of a name (`a[64:96]`) is
// evaluated to the memory it names. Anything else is evaluated as usual,
// and execSeminit says what it should have been.
func (c *compiler) seminitView(cmd *command, e lang.Expr) {
	x, ok := e.(*lang.SliceExpr)
	if !ok {
		return
	}
	if _, ok := x.X.(*lang.Ident); !ok {
		return
	}
	base := c.expr(x.X)
	var lo, hi exprFn
	if x.Lo != nil {
		lo = c.expr(x.Lo)
	}
	if x.Hi != nil {
		hi = c.expr(x.Hi)
	}
	pos := startOf(e)
	cmd.args[cmd.params[1]].eval = func(p *Proc) (Value, error) {
		v, err := base(p)
		if err != nil {
			return v, err
		}
		h, err := memOf(pos, v, "seminit")
		if err != nil {
			return Value{}, err
		}
		a, b, err := memBounds(p, pos, h, lo, hi, -1)
		if err != nil {
			return Value{}, err
		}
		return handleV(&memView{h: h, lo: a, hi: b}), nil
	}
}

func execSeminit(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	v := c.param(1)
	view, ok := v.R.(*memView)
	if v.K != KHandle || !ok {
		return Value{}, errorf(c.pos, "seminit: VIEW is 32 bytes of an attachment or shared mapping, such as a[64:96]; found %s", v.typeName())
	}
	h := view.h
	refuse := func(why string) (Value, error) {
		return Value{}, p.fail(c, PhaseOnce, unix.EINVAL, why)
	}
	switch {
	case view.hi-view.lo != ipc.SemSize:
		return refuse(fmt.Sprintf("%s is %d bytes: a sem_t is %d", view.Name(), view.hi-view.lo, ipc.SemSize))
	case (h.addr()+uintptr(view.lo))%8 != 0:
		return refuse(fmt.Sprintf("%s starts %d bytes past an 8-byte boundary: a sem_t is 8-byte aligned", view.Name(), (h.addr()+uintptr(view.lo))%8))
	case h.kind == "mapping" && h.private:
		return refuse(fmt.Sprintf("%s is a private mapping: a sem_t there is shared with no other process (map it shared)", h.name))
	}
	if err := h.writable(c.pos, c.text(p)); err != nil {
		return Value{}, err
	}
	mem := h.mem[view.lo:view.hi]
	var sem *ipc.Sem
	var err error
	if iv, ok := c.opt("init"); ok {
		if iv.K != KInt || iv.I < 0 || iv.I > 1<<32-1 {
			return Value{}, errorf(c.pos, "seminit: init= expects a value from 0 to %d (SEM_VALUE_MAX)", ipc.SEM_VALUE_MAX)
		}
		sem, err = ipc.SemInit(mem, uint32(iv.I))
	} else {
		sem, err = ipc.SemAt(mem)
	}
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, ipcExplain(err))
	}
	s := &psemHandle{name: c.boundName(), sem: sem, fd: -1, mem: h, off: view.lo,
		tag: "psem:" + memObj(h) + "+" + strconv.FormatInt(view.lo, 10)}
	c.bind(p, s)
	p.done(c, PhaseOnce, "")
	return handleV(s), nil
}

// psemParam is parameter 0 as a POSIX semaphore, or nil if it is not one.
func (c *command) psemParam() *psemHandle {
	v := c.param(0)
	if h, ok := v.R.(*psemHandle); ok && v.K == KHandle {
		return h
	}
	return nil
}

// execPsem runs sem p, sem v and sem get on a POSIX semaphore.
func execPsem(p *Proc, c *command, h *psemHandle) (Value, error) {
	switch c.verb {
	case "sem p", "sem v", "sem get":
	default:
		return Value{}, errorf(c.pos, "%s works on SysV semaphore sets; %s is a POSIX semaphore (sem p, sem v, sem get)", c.verb, h.name)
	}
	if c.flags["undo"] {
		return Value{}, errorf(c.pos, "%s: %s is a POSIX semaphore: undo belongs to SysV semaphores (SEM_UNDO)", c.verb, h.name)
	}
	if h.sem == nil || (h.mem != nil && h.mem.gone) {
		where := "its memory is gone"
		if h.mem != nil && h.mem.gone {
			where = fmt.Sprintf("the memory it lies in went away at %s", posText(h.mem.goneAt))
		}
		return Value{}, errorf(c.pos, "%s: %s: %s", c.verb, h.name, where)
	}
	switch c.verb {
	case "sem get":
		n := h.sem.Getvalue()
		p.done(c, PhaseOnce, strconv.Itoa(n))
		return intV(int64(n)), nil
	case "sem v":
		if p.emitting() {
			p.ev.obj, p.ev.ops = h.tag, "0:1"
		}
		p.publish(c)
		if err := h.sem.Post(); err != nil {
			return Value{}, p.fail(c, PhasePublish, err, fmt.Sprintf("%s is at SEM_VALUE_MAX (%d)", h.name, ipc.SEM_VALUE_MAX))
		}
		return Value{}, nil
	}
	timeout := time.Duration(-1)
	if v, ok := c.opt("timeout"); ok {
		if v.K != KInt || v.I < 0 {
			return Value{}, errorf(c.pos, "%s: timeout= expects a duration such as 500ms", c.verb)
		}
		timeout = time.Duration(v.I)
	}
	wait := func() error {
		p.enterOn(c.pos, c.blockedText(h), blockObj{tag: h.tag, how: "p", name: h.sname})
		defer p.leave()
		switch {
		case c.flags["nowait"]:
			return h.sem.Trywait()
		case timeout >= 0:
			return h.sem.Timedwait(ipc.Deadline(timeout), p.intr())
		}
		return h.sem.Wait(p.intr())
	}
	err := wait()
	for err == ipc.ErrInterrupted {
		// An untimed futex wait is restarted under SA_RESTART; a timed
		// one ends with EINTR whatever the handler's flags (signal(7)).
		if err = p.posixInterrupted(timeout < 0); err == errRestart {
			err = wait()
		}
	}
	if isStop(err) {
		return Value{}, err
	}
	if err != nil {
		hint := ipcExplain(err)
		switch err {
		case unix.EAGAIN:
			hint = h.name + " is 0, and nowait"
		case unix.ETIMEDOUT:
			hint = h.name + " stayed 0 for " + formatDuration(int64(timeout))
		}
		return Value{}, p.fail(c, PhaseConsume, err, hint)
	}
	if p.emitting() {
		p.ev.obj, p.ev.ops = h.tag, "0:-1"
		p.done(c, PhaseConsume, "")
	}
	return Value{}, nil
}
