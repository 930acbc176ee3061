package ipc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// ShmidDs is the kernel's struct shmid64_ds, the state of a shared memory
// segment.
type ShmidDs struct {
	Perm   IpcPerm // Mode also shows SHM_DEST and SHM_LOCKED
	Size   uint64  // bytes, as requested at creation (not rounded to pages)
	Atime  int64   // last shmat, seconds since the epoch (0: never)
	Dtime  int64   // last shmdt
	Ctime  int64   // creation or last change by shmctl
	Cpid   int32   // creator
	Lpid   int32   // process of the last shmat or shmdt
	Nattch uint64  // current attachments, over all processes
	_      [2]uint64
}

// Shmget opens the segment with key, or creates one of size bytes (zero
// filled) if flags hold IPC_CREAT. The low 9 bits of flags are the mode of a
// new segment. When opening, size may be 0 or at most the segment's size.
func Shmget(key int, size int, flags int) (int, error) {
	return get(unix.SYS_SHMGET, key, uintptr(size), uintptr(flags))
}

// Shmat attaches segment id and returns its memory, which covers the
// segment's size. addr 0 lets the kernel choose the address; otherwise it
// must be page aligned unless flags hold SHM_RND (round down to SHMLBA).
// With SHM_RDONLY the memory is read-only: a store into it is a fault that
// kills the process, so callers must refuse writes themselves.
func Shmat(id int, addr uintptr, flags int) ([]byte, error) {
	at, err := call(unix.SYS_SHMAT, uintptr(id), addr, uintptr(flags), 0)
	if err != nil {
		return nil, err
	}
	// shmat does not report the size; the segment's size is fixed at
	// creation, so asking once after attaching is reliable.
	ds, err := ShmctlStat(id)
	if err != nil {
		call(unix.SYS_SHMDT, at, 0, 0, 0)
		return nil, err
	}
	// The memory is the kernel's, outside Go's heap, so turning the address
	// into a pointer is safe; unsafe.Add says so to go vet.
	return unsafe.Slice((*byte)(unsafe.Add(nil, at)), int(ds.Size)), nil
}

// Shmdt detaches the memory Shmat returned. The slice must not be used
// afterwards; the segment itself lives on until it is removed and its last
// attachment is gone.
func Shmdt(mem []byte) error {
	if len(mem) == 0 {
		return unix.EINVAL
	}
	_, err := call(unix.SYS_SHMDT, uintptr(unsafe.Pointer(&mem[0])), 0, 0, 0)
	return err
}

// ShmctlStat returns the state of segment id (IPC_STAT).
func ShmctlStat(id int) (ShmidDs, error) {
	var ds ShmidDs
	_, err := call(unix.SYS_SHMCTL, uintptr(id), unix.IPC_STAT, uintptr(unsafe.Pointer(&ds)), 0)
	return ds, err
}

// ShmctlRmid marks segment id for removal (IPC_RMID). Unlike a queue or a
// semaphore set, it lives on until its last detach: its key is released at
// once and SHM_DEST appears in its mode.
func ShmctlRmid(id int) error {
	_, err := call(unix.SYS_SHMCTL, uintptr(id), unix.IPC_RMID, 0, 0)
	return err
}

// ShmctlLock keeps the segment's pages in memory (SHM_LOCK), which counts
// against RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK.
func ShmctlLock(id int) error {
	_, err := call(unix.SYS_SHMCTL, uintptr(id), SHM_LOCK, 0, 0)
	return err
}

// ShmctlUnlock lets the segment's pages be swapped again (SHM_UNLOCK).
func ShmctlUnlock(id int) error {
	_, err := call(unix.SYS_SHMCTL, uintptr(id), SHM_UNLOCK, 0, 0)
	return err
}
