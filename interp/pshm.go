package interp

import (
	"fmt"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// shmopen NAME "/mname" [create] [excl] [keep] [size=SIZE] [rdonly] [mode=0600]
//
// shm_open gives an fd, and NAME is that fd: `mmap m NAME size=...` maps
// it, `close NAME` closes it, children inherit it.
func execShmopen(p *Proc, c *command) (Value, error) {
	name, mode, err := c.posixOpenArgs(p)
	if err != nil {
		return Value{}, err
	}
	size, hasSize := c.opt("size")
	if hasSize && size.K != KInt {
		return Value{}, errorf(c.pos, "shmopen: size= expects a size such as 4KiB, found %s", size.typeName())
	}
	flags := unix.O_RDWR | unix.O_CLOEXEC
	if c.flags["rdonly"] {
		flags = unix.O_RDONLY | unix.O_CLOEXEC
	}
	fd, created, err := posixOpen(c, func(creat int) (int, error) { return ipc.ShmOpen(name, flags|creat, mode) })
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, openHint(kPshm, name, err))
	}
	undo := func() {
		_ = ipc.Close(fd)
		if created {
			_ = ipc.ShmUnlink(name)
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		undo()
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	if created {
		if err := p.journalPosix(c, kPshm, name, st.Ino); err != nil {
			undo()
			return Value{}, err
		}
	}
	if hasSize {
		// Any size goes to ftruncate, as in C: a negative one is its EINVAL.
		if err := ipc.Ftruncate(fd, size.I); err != nil {
			undo()
			hint := ""
			switch {
			case err == unix.EINVAL && c.flags["rdonly"]:
				hint = "size= needs the object open for writing (ftruncate of an O_RDONLY fd), and this is rdonly"
			case err == unix.EINVAL && size.I < 0:
				hint = fmt.Sprintf("size=%d: a size is not negative", size.I)
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
	}
	fh := &fdHandle{name: c.boundName(), fd: fd, obj: fmt.Sprintf("file:%d", st.Ino)}
	p.addHandle(fh)
	p.popened = append(p.popened, posixEntry{kind: kPshm, name: fh.name, pname: name})
	c.bind(p, fh)
	p.done(c, PhaseOnce, p.posixGetResult(created, fd))
	return handleV(fh), nil
}

// execMmapFD is `mmap NAME FD size=SIZE [shared|private] [rdonly]`: the
// mapping of an open fd (shmopen's, or a file's), with the same views as a
// path's. The mapping keeps a descriptor of its own (a dup), so that
// `close FD` after mmap leaves it working, as in C, and a child can map
// the same memory again.
func execMmapFD(p *Proc, c *command, fh *fdHandle) (Value, error) {
	if fh.closed {
		return Value{}, p.closedErr(c, PhaseOnce, fh)
	}
	if c.flags["create"] {
		return Value{}, errorf(c.pos, "mmap: create makes a file by its path; %s is already open (an fd)", fh.name)
	}
	size, err := c.optInt("size", 0)
	if err != nil {
		return Value{}, err
	}
	if size < 0 {
		return Value{}, errorf(c.pos, "mmap: size=%d: a size is not negative", size)
	}
	st, err := ipc.Fstat(fh.fd)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	// Touching a page past the end of the object is SIGBUS, which would
	// kill the interpreter: a mapping longer than the object is refused
	// (a C program would map it and die at the first access).
	if st.Type == "file" && st.Size < size {
		return Value{}, errorf(c.pos, "mmap %s: it has %d bytes, fewer than size=%d (give shmopen size=, which is ftruncate; touching the rest would be SIGBUS)", fh.name, st.Size, size)
	}
	rdonly, private := c.flags["rdonly"], c.flags["private"]
	prot := unix.PROT_READ | unix.PROT_WRITE
	if rdonly {
		prot = unix.PROT_READ
	}
	mflags := unix.MAP_SHARED
	if private {
		mflags = unix.MAP_PRIVATE
	}
	fd, err := unix.FcntlInt(uintptr(fh.fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	mem, err := ipc.Mmap(fd, int(size), prot, mflags)
	if err != nil {
		_ = ipc.Close(fd)
		hint := ""
		switch err {
		case unix.EACCES:
			hint = fh.name + " is not open for reading and writing: add rdonly, or map it private"
		case unix.ENODEV:
			hint = fmt.Sprintf("%s is a %s, which cannot be mapped", fh.name, st.Type)
		}
		return Value{}, p.fail(c, PhaseOnce, err, hint)
	}
	h := &memHandle{name: c.boundName(), kind: "mapping", mem: mem, rdonly: rdonly, fd: fd, path: fh.name, private: private}
	return p.addMem(c, h), nil
}
