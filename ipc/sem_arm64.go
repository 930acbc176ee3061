package ipc

// SemidDs is the kernel's struct semid64_ds in the generic layout
// (asm-generic/sembuf.h) arm64 uses, the state of a semaphore set.
type SemidDs struct {
	Perm  IpcPerm
	Otime int64  // last semop, seconds since the epoch (0: never)
	Ctime int64  // creation or last change by semctl
	Nsems uint64 // semaphores in the set
	_     [2]uint64
}
