package ipc

import "golang.org/x/sys/unix"

// Mmap maps size bytes of the file open on fd, from offset 0. prot is
// PROT_READ|PROT_WRITE or a subset; flags MAP_SHARED (stores reach the file
// and every other mapping of it) or MAP_PRIVATE (copy on write). A mapping
// outlives close(fd). Reading or writing past the end of the file, even
// inside the mapping, raises SIGBUS: size the file first.
func Mmap(fd int, size int, prot, flags int) ([]byte, error) {
	// x/sys/unix remembers its mappings, so Munmap of anything it did not
	// return is EINVAL rather than the unmapping of unrelated memory.
	for {
		mem, err := unix.Mmap(fd, 0, size, prot, flags)
		if err != unix.EINTR {
			return mem, err
		}
	}
}

// Msync writes the mapping's dirty pages to its file and waits for the
// write (MS_SYNC).
func Msync(mem []byte) error {
	for {
		if err := unix.Msync(mem, unix.MS_SYNC); err != unix.EINTR {
			return err
		}
	}
}

// Munmap removes a mapping Mmap returned. The slice must not be used
// afterwards.
func Munmap(mem []byte) error {
	return unix.Munmap(mem)
}
