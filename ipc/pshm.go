package ipc

import "golang.org/x/sys/unix"

// ShmOpen is shm_open: open the shared memory object name ("/frame"),
// which on Linux is the file /dev/shm/frame, with open(2) as glibc makes
// the call: flags (O_RDONLY or O_RDWR, and O_CREAT, O_EXCL, O_TRUNC) plus
// O_NOFOLLOW and O_CLOEXEC, mode (less the umask) for a new object. A new
// object is empty: give it a size with Ftruncate before mapping it (Mmap),
// since touching a page past the end of the file is SIGBUS. As glibc does,
// EISDIR (the name of a directory under /dev/shm) is reported as EINVAL.
func ShmOpen(name string, flags int, mode uint32) (int, error) {
	rest, err := posixName("shm_open", name, unix.EINVAL)
	if err != nil {
		return -1, err
	}
	fd, err := Open("/dev/shm/"+rest, flags|unix.O_NOFOLLOW, mode)
	if err == unix.EISDIR {
		return -1, unix.EINVAL
	}
	return fd, err
}

// ShmUnlink is shm_unlink: remove the name; mappings and descriptors keep
// the memory until the last goes. As glibc: a bad name is ENOENT (not
// EINVAL), and EPERM (someone else's object in the sticky /dev/shm) is
// reported as EACCES.
func ShmUnlink(name string) error {
	rest, err := posixName("shm_unlink", name, unix.ENOENT)
	if err != nil {
		return err
	}
	return unlinkEACCES("/dev/shm/" + rest)
}

// Ftruncate sets the size of the file open on fd (ftruncate(2)): how a
// shared memory object gets its size. Growing fills with zeros; shrinking
// under a mapping makes the lost pages SIGBUS to touch. A negative size
// is the kernel's EINVAL.
func Ftruncate(fd int, size int64) error {
	return retry0(func() error { return unix.Ftruncate(fd, size) })
}
