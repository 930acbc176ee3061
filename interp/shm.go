package interp

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// segHandle is a SysV shared memory segment (`shmget seg ...`).
type segHandle struct {
	sysvObj
	size int
}

func (h *segHandle) Kind() string { return "segment" }

// memHandle is memory a script reads and writes through views (`a[0:5]`,
// `a.i64[0]`): an attachment of a segment, or a mapping of a file. The
// interpreter checks every access against the bounds and the protection
// itself, because a store into read-only memory is a fault that would
// kill the process before any clean-up (DESIGN.md).
type memHandle struct {
	name   string
	kind   string // "attachment" or "mapping"
	mem    []byte
	rdonly bool
	gone   bool // detached or unmapped: mem must not be touched
	goneAt lang.Pos

	// An attachment: the segment and how it was attached.
	shmid int
	seg   *segHandle
	// A mapping: its file, kept open so that a child can map it again.
	fd      int
	path    string
	private bool
	moved   bool // made again in a child at another address than the parent's
	at      bool // mapped with ipc.MmapAt, so unmapped with ipc.MunmapAt
}

func (h *memHandle) Name() string { return h.name }
func (h *memHandle) Kind() string { return h.kind }
func (h *memHandle) Verbose() string {
	if len(h.mem) == 0 {
		return fmt.Sprintf("%s(%s)", h.name, h.kind)
	}
	return fmt.Sprintf("%s(%s at %#x, %d bytes)", h.name, h.kind, uintptr(unsafe.Pointer(&h.mem[0])), len(h.mem))
}

func (h *memHandle) addr() uintptr {
	if len(h.mem) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&h.mem[0]))
}

func execShmget(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	rq, err := c.request()
	if err != nil {
		return Value{}, err
	}
	size, err := c.optInt("size", 0)
	if err != nil {
		return Value{}, err
	}
	// Any size goes to the kernel as size_t, as in C: -1 is the largest
	// size_t, and the kernel answers EINVAL (above shmmax).
	o, err := p.get(c, kShm, rq, func(flags int) (int, error) { return ipc.Shmget(rq.key, int(size), flags) })
	if err != nil {
		if e, ok := err.(*Error); ok && e.Errno == unix.EINVAL && e.Msg == "" {
			e.Msg = shmgetHint(rq, size)
		}
		return Value{}, err
	}
	ds, err := ipc.ShmctlStat(o.id)
	if so, ok := unreadable(kShm, o.id, err); ok {
		ds.Size, err = so.Size, nil
	}
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, o.idErr(err))
	}
	h := &segHandle{sysvObj: *o, size: int(ds.Size)}
	p.sysv = append(p.sysv, &h.sysvObj)
	c.bind(p, h)
	p.done(c, PhaseOnce, p.getResult(o))
	return handleV(h), nil
}

func shmgetHint(rq getRequest, size int64) string {
	l, _ := ipc.Limits()
	switch {
	case size == 0 && (rq.create || rq.private):
		return "size=0: a segment has at least 1 byte"
	case l.ShmMax > 0 && uint64(size) > l.ShmMax:
		return fmt.Sprintf("size=%d > shmmax %d (/proc/sys/kernel/shmmax)", size, l.ShmMax)
	case !rq.create && !rq.private:
		if o, ok := findByKey(kShm, int32(uint32(rq.key))); ok {
			return fmt.Sprintf("the segment with key %s has only %d bytes", keyText(o.Key), o.Size)
		}
	}
	return ""
}

func execAttach(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	seg, v, err := c.sysvParam(1, kShm)
	if err != nil {
		return Value{}, err
	}
	at, err := c.optInt("at", 0)
	if err != nil {
		return Value{}, err
	}
	flags := 0
	if c.flags["rdonly"] {
		flags |= unix.SHM_RDONLY
	}
	if c.flags["rnd"] {
		flags |= unix.SHM_RND
	}
	mem, err := ipc.Shmat(seg.id, uintptr(at), flags)
	if err != nil {
		hint := seg.idErr(err)
		if err == unix.EINVAL && at != 0 && !c.flags["rnd"] && at%int64(os.Getpagesize()) != 0 {
			hint = fmt.Sprintf("at=%#x is not a multiple of the page size %d (add rnd to round it down)", at, os.Getpagesize())
		} else if err == unix.EINVAL && at != 0 {
			hint = fmt.Sprintf("at=%#x is taken or outside the address space", at)
		}
		return Value{}, p.fail(c, PhaseOnce, err, hint)
	}
	h := &memHandle{name: c.boundName(), kind: "attachment", mem: mem, rdonly: c.flags["rdonly"], shmid: seg.id, seg: v.R.(*segHandle), fd: -1}
	return p.addMem(c, h), nil
}

// memParam returns parameter i as memory of kind ("attachment", "mapping").
func (c *command) memParam(i int, kind string) (*memHandle, error) {
	v := c.param(i)
	if v.K == KHandle {
		if h, ok := v.R.(*memHandle); ok && h.kind == kind {
			return h, nil
		}
	}
	return nil, errorf(c.pos, "%s: expected an %s, found %s", c.verb, kind, v.typeName())
}

// execDetach, execMsync and execMunmap make one call on memory that must
// still be there: a second detach or munmap is EINVAL from the kernel,
// here with the place where the memory went away.
var (
	execDetach = memStatement("attachment", "detached", func(h *memHandle) error { return ipc.Shmdt(h.mem) }, true)
	execMsync  = memStatement("mapping", "unmapped", func(h *memHandle) error { return ipc.Msync(h.mem) }, false)
	execMunmap = memStatement("mapping", "unmapped", (*memHandle).unmap, true)
)

func memStatement(kind, goneWord string, call func(*memHandle) error, releases bool) execFn {
	return func(p *Proc, c *command) (Value, error) {
		if err := c.eval(p); err != nil {
			return Value{}, err
		}
		h, err := c.memParam(0, kind)
		if err != nil {
			return Value{}, err
		}
		if h.gone {
			return Value{}, p.fail(c, PhaseOnce, unix.EINVAL, fmt.Sprintf("%s was already %s at %s", h.name, goneWord, posText(h.goneAt)))
		}
		if err := call(h); err != nil {
			return Value{}, p.fail(c, PhaseOnce, err, "")
		}
		if releases {
			h.release(c.pos)
		}
		p.done(c, PhaseOnce, "")
		return Value{}, nil
	}
}

func posText(pos lang.Pos) string {
	return fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
}

func execShmctl(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	seg, _, err := c.sysvParam(0, kShm)
	if err != nil {
		return Value{}, err
	}
	switch {
	case c.flags["rmid"]:
		return Value{}, p.remove(c, seg)
	case c.flags["lock"], c.flags["unlock"]:
		call := ipc.ShmctlLock
		if c.flags["unlock"] {
			call = ipc.ShmctlUnlock
		}
		if err := call(seg.id); err != nil {
			hint := seg.idErr(err)
			switch err {
			case unix.EPERM:
				hint = "locking needs CAP_IPC_LOCK, or to own the segment"
			case unix.ENOMEM:
				hint = "beyond RLIMIT_MEMLOCK (ulimit -l)"
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
		p.done(c, PhaseOnce, "")
		return Value{}, nil
	}
	ds, err := ipc.ShmctlStat(seg.id)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, seg.idErr(err))
	}
	status := "ok"
	switch {
	case ds.Perm.Mode&ipc.SHM_DEST != 0 && ds.Perm.Mode&ipc.SHM_LOCKED != 0:
		status = "removed,locked"
	case ds.Perm.Mode&ipc.SHM_DEST != 0:
		status = "removed" // gone once the last attachment is detached
	case ds.Perm.Mode&ipc.SHM_LOCKED != 0:
		status = "locked"
	}
	rec := statRecord([]string{"key", "mode", "size", "nattch", "cpid", "lpid", "status"},
		strV(keyText(ds.Perm.Key)), modeV(int64(ds.Perm.Mode&0o777)), intV(int64(ds.Size)), intV(int64(ds.Nattch)),
		intV(int64(ds.Cpid)), intV(int64(ds.Lpid)), strV(status))
	p.showPids(rec, "cpid", "lpid")
	p.done(c, PhaseOnce, rec.render(p.run.cfg.Verbose))
	return Value{K: KRecord, R: rec}, nil
}

// mmap NAME PATH size=SIZE [shared|private] [create] [rdonly]
func execMmap(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if fh, ok := c.param(1).R.(*fdHandle); ok && c.param(1).K == KHandle {
		return execMmapFD(p, c, fh)
	}
	path, err := c.str(1, "PATH")
	if err != nil {
		return Value{}, err
	}
	size, err := c.optInt("size", 0)
	if err != nil {
		return Value{}, err
	}
	// size=0 goes to mmap, which answers EINVAL; a negative size would be
	// a huge size_t in C (ENOMEM), but here it would first size the file.
	if size < 0 {
		return Value{}, errorf(c.pos, "mmap: size=%d: a size is not negative", size)
	}
	rdonly, private := c.flags["rdonly"], c.flags["private"]
	flags := unix.O_RDWR
	prot := unix.PROT_READ | unix.PROT_WRITE
	if rdonly {
		flags, prot = unix.O_RDONLY, unix.PROT_READ
	}
	if c.flags["create"] {
		flags |= unix.O_CREAT
	}
	fd, err := ipc.Open(path, flags, 0o644)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	fail := func(err error, hint string) (Value, error) {
		_ = ipc.Close(fd)
		return Value{}, p.fail(c, PhaseOnce, err, hint)
	}
	st, err := ipc.Fstat(fd)
	if err != nil {
		return fail(err, "")
	}
	// Touching a page past the end of a file is SIGBUS, which would kill
	// the interpreter: make the file as long as the mapping, or refuse
	// when it may not be written (a C program would map it and die at the
	// first access, with no errno). Other kinds of file go to mmap as
	// they are: ENODEV for a FIFO, a device that maps, maps.
	if st.Type == "file" && st.Size < size {
		if rdonly {
			_ = ipc.Close(fd)
			return Value{}, errorf(c.pos, "mmap %s: the file has %d bytes, fewer than size=%d, and rdonly cannot extend it (touching the rest would be SIGBUS)", path, st.Size, size)
		}
		if err := unix.Ftruncate(fd, size); err != nil {
			return fail(err, "extending the file to size")
		}
	}
	mflags := unix.MAP_SHARED
	if private {
		mflags = unix.MAP_PRIVATE
	}
	mem, err := ipc.Mmap(fd, int(size), prot, mflags)
	if err != nil {
		hint := ""
		if err == unix.ENODEV {
			hint = fmt.Sprintf("%s is a %s, which cannot be mapped", path, st.Type)
		}
		return fail(err, hint)
	}
	h := &memHandle{name: c.boundName(), kind: "mapping", mem: mem, rdonly: rdonly, fd: fd, path: path, private: private}
	return p.addMem(c, h), nil
}

// release forgets the memory of an attachment or mapping that went away,
// and a mapping's file.
func (h *memHandle) release(at lang.Pos) {
	h.gone, h.goneAt, h.mem = true, at, nil
	if h.fd >= 0 {
		_ = ipc.Close(h.fd)
		h.fd = -1
	}
}

// closeMems detaches and unmaps what the process still has, when it ends:
// the kernel would do it at exit, but a session (the REPL, a test) goes on
// living, and an attachment keeps a removed segment alive.
func (p *Proc) closeMems() {
	for _, h := range p.mems {
		if h.gone {
			continue
		}
		if h.kind == "attachment" {
			_ = ipc.Shmdt(h.mem)
		} else {
			_ = h.unmap()
		}
		h.release(lang.Pos{})
	}
	p.mems = nil
}

func (h *memHandle) unmap() error {
	if h.at {
		return ipc.MunmapAt(h.mem)
	}
	return ipc.Munmap(h.mem)
}

// memory makes an attachment or mapping again in a spawned child, as fork
// would have left it: at the parent's address where the kernel allows,
// elsewhere otherwise (said under -v). A segment marked for removal can
// still be attached by id on Linux, as long as someone has it attached.
func (d *wireDecoder) memory(w wireHandle) Handle {
	h := &memHandle{name: w.Name, kind: w.Sysv, rdonly: w.Rdonly, shmid: w.ID, fd: w.FD, path: w.Path, private: w.Private, gone: w.Gone}
	if w.Seg >= 0 {
		h.seg, _ = d.handle(w.Seg).(*segHandle)
	}
	if h.kind == "attachment" {
		h.fd = -1
	}
	if h.gone {
		return h
	}
	var err error
	if h.kind == "attachment" {
		flags := 0
		if h.rdonly {
			flags = unix.SHM_RDONLY
		}
		if h.mem, err = ipc.Shmat(w.ID, uintptr(w.Addr), flags); err != nil {
			h.mem, err = ipc.Shmat(w.ID, 0, flags)
			h.moved = true
		}
	} else {
		prot, flags := unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED
		if h.rdonly {
			prot = unix.PROT_READ
		}
		if h.private {
			flags = unix.MAP_PRIVATE
		}
		if h.mem, err = ipc.MmapAt(uintptr(w.Addr), w.FD, w.Size, prot, flags); err == nil {
			h.at = true
		} else {
			h.mem, err = ipc.Mmap(w.FD, w.Size, prot, flags)
			h.moved = true
		}
	}
	if err != nil {
		d.errs = append(d.errs, fmt.Errorf("inherited %s %s: %w", h.kind, h.name, err))
		h.gone = true
		return h
	}
	d.mems = append(d.mems, h)
	return h
}

// addMem binds new memory (an attachment or a mapping) to the statement's
// name and prints its line: the size, and with -v the address.
func (p *Proc) addMem(c *command, h *memHandle) Value {
	p.mems = append(p.mems, h)
	c.bind(p, h)
	res := fmt.Sprintf("%d bytes", len(h.mem))
	if p.run.cfg.Verbose {
		res += fmt.Sprintf(" at %#x", h.addr())
	}
	p.done(c, PhaseOnce, res)
	return handleV(h)
}
