package ipc

import (
	"golang.org/x/sys/unix"
)

// retry repeats f while it fails with EINTR. Go's runtime sends signals to
// its own threads (preemption, profiling), so any blocking call can be
// interrupted without the script having done anything.
func retry[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// retry0 is retry for calls that return only an error.
func retry0(f func() error) error {
	_, err := retry(func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// count keeps the kernel's -1 out of counts, sizes and offsets, so that
// callers can add n to a running total without checking err first.
func count[T int | int64](n T, err error) (T, error) {
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Pipe creates a pipe and returns its read and write ends.
func Pipe(nonblock bool) (r, w int, err error) {
	flags := unix.O_CLOEXEC
	if nonblock {
		flags |= unix.O_NONBLOCK
	}
	var p [2]int
	if err = retry0(func() error { return unix.Pipe2(p[:], flags) }); err != nil {
		return -1, -1, err // not 0, which a careless Close would take as stdin
	}
	return p[0], p[1], nil
}

// Read makes one read(2). It is written without a closure so that the hot
// path does not allocate.
func Read(fd int, p []byte) (int, error) {
	reschedIfDue()
	for {
		n, err := unix.Read(fd, p)
		if err != unix.EINTR {
			return count(n, err)
		}
	}
}

// Write makes one write(2). A short write is returned as (n, nil): whether
// to write the rest is the caller's decision, because the interpreter may
// want to show the short write itself.
func Write(fd int, p []byte) (int, error) {
	reschedIfDue()
	for {
		n, err := unix.Write(fd, p)
		if err != unix.EINTR {
			return count(n, err)
		}
	}
}

// Close closes fd exactly once. EINTR is not retried: Linux releases the
// descriptor before it can report EINTR, so a retry would close whatever
// unrelated file has reused the number in the meantime.
func Close(fd int) error {
	return unix.Close(fd)
}

// Seek repositions fd; on pipes and FIFOs the kernel answers ESPIPE.
func Seek(fd int, off int64, whence int) (int64, error) {
	return count(retry(func() (int64, error) { return unix.Seek(fd, off, whence) }))
}

// PipeSize returns the capacity of the pipe or FIFO behind fd, in bytes.
func PipeSize(fd int) (int, error) {
	return count(retry(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0) }))
}

// SetPipeSize asks for a capacity of n bytes and returns what the kernel
// chose, which is rounded up to a power-of-two number of pages.
func SetPipeSize(fd, n int) (int, error) {
	return count(retry(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, n) }))
}

// Open opens path. Opening a FIFO blocks until the other end appears, which
// is where EINTR is most likely.
func Open(path string, flags int, mode uint32) (int, error) {
	return retry(func() (int, error) { return unix.Open(path, flags|unix.O_CLOEXEC, mode) })
}

// Mkfifo creates a FIFO with mkfifo(3)'s semantics; the umask applies.
func Mkfifo(path string, mode uint32) error {
	return retry0(func() error { return unix.Mkfifo(path, mode) })
}

// MknodFifo creates a FIFO through mknod(2) directly, which is what mkfifo
// does underneath; scripts may want to show either spelling.
func MknodFifo(path string, mode uint32) error {
	return retry0(func() error { return unix.Mknod(path, unix.S_IFIFO|mode, 0) })
}

// Unlink removes path.
func Unlink(path string) error {
	return retry0(func() error { return unix.Unlink(path) })
}

// StatInfo is the part of struct stat that scripts look at. (It cannot be
// called Stat: that name belongs to the function, the one callers use.)
type StatInfo struct {
	Type     string // "fifo", "file", "dir", "chr", "blk", "symlink", "socket"
	Mode     uint32 // permission bits only (mode & 07777)
	Size     int64
	Dev, Ino uint64
}

func fromStat(st *unix.Stat_t) StatInfo {
	return StatInfo{
		Type: typeName(st.Mode),
		Mode: st.Mode & 0o7777,
		Size: st.Size,
		Dev:  st.Dev,
		Ino:  st.Ino,
	}
}

func typeName(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFREG:
		return "file"
	case unix.S_IFDIR:
		return "dir"
	case unix.S_IFCHR:
		return "chr"
	case unix.S_IFBLK:
		return "blk"
	case unix.S_IFLNK:
		return "symlink"
	case unix.S_IFSOCK:
		return "socket"
	}
	return "unknown"
}

// Stat describes path using stat(2), which follows symbolic links like
// stat -L: scripts ask about the FIFO or file a name leads to, not the link.
func Stat(path string) (StatInfo, error) {
	var st unix.Stat_t
	err := retry0(func() error { return unix.Stat(path, &st) })
	return fromStat(&st), err
}

// Fstat describes the file open on fd.
func Fstat(fd int) (StatInfo, error) {
	var st unix.Stat_t
	err := retry0(func() error { return unix.Fstat(fd, &st) })
	return fromStat(&st), err
}

// SetNonblock turns O_NONBLOCK on or off. The flag belongs to the open file
// description, so it changes every fd that shares it (dup, fork).
func SetNonblock(fd int, on bool) error {
	return retry0(func() error { return unix.SetNonblock(fd, on) })
}

// IsNonblock reports whether O_NONBLOCK is set on fd's open file description.
func IsNonblock(fd int) (bool, error) {
	fl, err := count(retry(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0) }))
	return fl&unix.O_NONBLOCK != 0, err
}

// Ftok computes a SysV IPC key exactly as glibc's ftok(3) does, so that a
// script and a C program given the same path and id meet on the same queue.
// Keys are 32-bit; the result holds the key's unsigned 32-bit value, so it
// is never negative even when id has its high bit set.
func Ftok(path string, id int) (int, error) {
	var st unix.Stat_t
	if err := retry0(func() error { return unix.Stat(path, &st) }); err != nil {
		return 0, err
	}
	key := uint32(id&0xff)<<24 | uint32(st.Dev&0xff)<<16 | uint32(st.Ino&0xffff)
	return int(key), nil
}
