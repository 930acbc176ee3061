// SysV IPC and mmap: what these files own.
//
//   - sysv.go: what message queues, semaphores and shared memory share —
//     the ipc_perm record, keys, the flag constants the x/sys/unix package
//     lacks, and the call helpers below.
//   - msg.go, sem.go, shm.go, mmap.go: one function per system call (and per
//     msgctl/semctl/shmctl command), raw ids and kernel structs in the exact
//     layout of the 64-bit ABI (struct msqid64_ds, semid64_ds, shmid64_ds),
//     checked against the C headers by layout_test.go.
//   - interrupt.go: the Interrupter, which cancels a blocked msgsnd, msgrcv
//     or semop, since those can neither be polled nor given a deadline.
//   - proc_sysvipc.go: the system's objects and limits as /proc shows them,
//     for `ipcs all`, `ipcsh clean`, leak checks and error explanations.
//
// The rules of fd.go hold here too: the kernel's errors are unix.Errno
// unchanged (the few checks made here, which keep the kernel from writing
// past a Go slice or from seeing a truncated key, wrap EINVAL with an
// explanation), EINTR is retried unless an Interrupter was fired, an id is
// -1 on failure, and the calls a script makes in a loop (Msgsnd, Msgrcv,
// Semop) do not allocate. The structs are declared for the 64-bit Linux ABIs of amd64 and
// arm64, where these calls take no IPC_64 flag; sem_amd64.go and
// sem_arm64.go hold the one layout the two architectures disagree on.

package ipc

import (
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// Flags and commands, spelled as in the man pages so that they can be
// looked up there. IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_PRIVATE, IPC_RMID,
// IPC_SET, IPC_STAT, SHM_RDONLY and SHM_RND come from x/sys/unix.
const (
	MSG_NOERROR = 0o10000 // msgrcv: truncate a long message instead of E2BIG
	MSG_EXCEPT  = 0o20000 // msgrcv: the first message not of the given type

	SEM_UNDO = 0x1000 // semop: undo the operation when the process exits

	// semctl commands.
	GETPID  = 11
	GETVAL  = 12
	GETALL  = 13
	GETNCNT = 14
	GETZCNT = 15
	SETVAL  = 16
	SETALL  = 17

	// shmctl commands.
	SHM_LOCK   = 11
	SHM_UNLOCK = 12

	// Bits the kernel adds to a segment's mode (include/linux/shm.h, not
	// exported to user space): marked for removal, and locked in memory.
	SHM_DEST   = 0o1000
	SHM_LOCKED = 0o2000

	// SEMVMX is the largest value a semaphore can hold; above it semop and
	// SETVAL fail with ERANGE.
	SEMVMX = 32767

	// MsgHeader is the size of the message type that precedes the text in
	// the kernel's struct msgbuf, and so in Msgrcv's buffer.
	MsgHeader = 8
)

// IpcPerm is the kernel's struct ipc64_perm, the owner and permissions
// every SysV object carries.
type IpcPerm struct {
	Key  int32  // the key_t the object was created with; 0 for IPC_PRIVATE
	Uid  uint32 // owner
	Gid  uint32
	Cuid uint32 // creator
	Cgid uint32
	Mode uint32 // permission bits, plus SHM_DEST/SHM_LOCKED for segments
	Seq  uint16 // slot usage count, the high part of the id
	_    uint16
	_    [2]uint64
}

// keyArg converts a key for the kernel, whose key_t is a 32-bit int. Both
// spellings of a key with the high bit set are accepted — the unsigned one
// scripts and ftok(3) use (0x80000000) and the signed one the kernel
// stores (-2147483648) — because they are the same 32 bits. Anything wider
// would be silently truncated to some other key, so it is refused.
func keyArg(key int) (uintptr, error) {
	if key < math.MinInt32 || key > math.MaxUint32 {
		return 0, fmt.Errorf("ipc: key %#x does not fit in 32 bits: %w", key, unix.EINVAL)
	}
	return uintptr(uint32(key)), nil
}

// get makes msgget, semget or shmget, whose results are ids. (msgget takes
// two arguments; the kernel ignores the third.)
func get(trap uintptr, key int, a2, a3 uintptr) (int, error) {
	k, err := keyArg(key)
	if err != nil {
		return -1, err
	}
	r, err := call(trap, k, a2, a3, 0)
	if err != nil {
		return -1, err // not 0, which is a valid id
	}
	return int(r), nil
}

// call makes a SysV system call that does not block, retrying EINTR as
// everything in this package does.
func call(trap, a1, a2, a3, a4 uintptr) (uintptr, error) {
	for {
		r, _, e := unix.Syscall6(trap, a1, a2, a3, a4, 0, 0)
		if e == 0 {
			return r, nil
		}
		if e != unix.EINTR {
			return 0, e
		}
	}
}

// callInt is call for results that are counts or values (semval, ncnt):
// 0 on failure, like the counts in fd.go.
func callInt(trap, a1, a2, a3, a4 uintptr) (int, error) {
	r, err := call(trap, a1, a2, a3, a4)
	return int(r), err
}
