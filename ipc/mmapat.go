package ipc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// MmapAt maps size bytes of fd at addr, or fails with EEXIST if anything
// is mapped there already (MAP_FIXED_NOREPLACE): a spawned child maps its
// parent's mappings again at the parent's addresses, as fork would have
// left them, and must never replace memory of its own runtime to do so.
func MmapAt(addr uintptr, fd int, size int, prot, flags int) ([]byte, error) {
	// addr comes from another process: it is a number here, not a Go
	// pointer, so it is reinterpreted rather than converted.
	want := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	for {
		p, err := unix.MmapPtr(fd, 0, want, uintptr(size), prot, flags|unix.MAP_FIXED_NOREPLACE)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, err
		case p != want:
			// Kernels before 4.17 ignore the flag and may map elsewhere.
			_ = unix.MunmapPtr(p, uintptr(size))
			return nil, unix.EEXIST
		}
		return unsafe.Slice((*byte)(p), size), nil
	}
}

// MunmapAt removes a mapping MmapAt made (Munmap knows only Mmap's).
func MunmapAt(mem []byte) error {
	if len(mem) == 0 {
		return unix.EINVAL
	}
	return unix.MunmapPtr(unsafe.Pointer(&mem[0]), uintptr(len(mem)))
}
