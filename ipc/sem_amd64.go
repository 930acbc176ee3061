package ipc

// SemidDs is the kernel's struct semid64_ds on amd64, the state of a
// semaphore set. Unlike the generic layout (arm64), x86-64 has a padding
// word after each time.
type SemidDs struct {
	Perm  IpcPerm
	Otime int64 // last semop, seconds since the epoch (0: never)
	_     uint64
	Ctime int64 // creation or last change by semctl
	_     uint64
	Nsems uint64 // semaphores in the set
	_     [2]uint64
}
