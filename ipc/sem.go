package ipc

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sembuf is the kernel's struct sembuf: one operation of a semop call.
// Op > 0 adds to semaphore Num, Op < 0 waits until it can subtract, Op == 0
// waits until it is zero. Flg may hold IPC_NOWAIT and SEM_UNDO.
type Sembuf struct {
	Num uint16
	Op  int16
	Flg int16
}

// Semget opens the semaphore set with key, or creates one of nsems
// semaphores (all 0) if flags hold IPC_CREAT. The low 9 bits of flags are
// the mode of a new set. When opening, nsems may be 0 or at most the set's
// size.
func Semget(key, nsems, flags int) (int, error) {
	return get(unix.SYS_SEMGET, key, uintptr(nsems), uintptr(flags))
}

// Semop applies ops to set id atomically: all of them or, while any cannot
// proceed, none (it then blocks, or fails with EAGAIN under IPC_NOWAIT).
// timeout < 0 waits without limit (semop(2)); otherwise it calls
// semtimedop(2), which fails with EAGAIN when the time is up. it, if not
// nil, can cancel the wait.
func Semop(id int, ops []Sembuf, timeout time.Duration, it *Interrupter) error {
	var p unsafe.Pointer // nil for no ops: the kernel answers EINVAL
	if len(ops) > 0 {
		p = unsafe.Pointer(&ops[0])
	}
	if !mayBlock(ops) {
		// Only waits can be cancelled. A V or an IPC_NOWAIT operation
		// returns at once, so it skips enter (a gettid) and the
		// scheduler's bookkeeping for blocking calls (see msgsndNow).
		if it.Fired() {
			return ErrInterrupted
		}
		for {
			_, _, e := unix.RawSyscall(unix.SYS_SEMOP, uintptr(id), uintptr(p), uintptr(len(ops)))
			if e == 0 {
				return nil
			}
			if e != unix.EINTR {
				return e
			}
		}
	}
	if err := it.enter(); err != nil {
		return err
	}
	defer it.leave()

	if timeout < 0 {
		for {
			_, _, e := unix.Syscall(unix.SYS_SEMOP, uintptr(id), uintptr(p), uintptr(len(ops)))
			if e == 0 {
				return nil
			}
			if e != unix.EINTR {
				return e
			}
			if it.Fired() {
				return ErrInterrupted
			}
		}
	}

	// The kernel does not write back the time left, and a signal can
	// interrupt the wait any number of times: retrying with the original
	// timeout could wait forever. So each retry gets what is left until
	// the deadline — possibly zero, which still tries the operation once.
	deadline := time.Now().Add(timeout)
	ts := unix.NsecToTimespec(int64(timeout))
	for {
		_, _, e := unix.Syscall6(unix.SYS_SEMTIMEDOP, uintptr(id), uintptr(p), uintptr(len(ops)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		if e == 0 {
			return nil
		}
		if e != unix.EINTR {
			return e
		}
		if it.Fired() {
			return ErrInterrupted
		}
		ts = unix.NsecToTimespec(int64(max(time.Until(deadline), 0)))
	}
}

// mayBlock reports whether semop could wait: only an operation that
// decrements or waits for zero, without IPC_NOWAIT, can.
func mayBlock(ops []Sembuf) bool {
	for _, op := range ops {
		if op.Op <= 0 && op.Flg&unix.IPC_NOWAIT == 0 {
			return true
		}
	}
	return false
}

// SemGetVal returns the value of semaphore num of set id (GETVAL).
func SemGetVal(id, num int) (int, error) {
	return callInt(unix.SYS_SEMCTL, uintptr(id), uintptr(num), GETVAL, 0)
}

// SemSetVal sets semaphore num to val (SETVAL), 0 to SEMVMX, else ERANGE.
// Processes waiting on it are woken, and every process's SEM_UNDO
// adjustment for it is cleared.
func SemSetVal(id, num, val int) error {
	// semctl's fourth argument is a union semun passed by value; on the
	// little-endian 64-bit ABIs this package supports, its int member
	// lies in the low half of the register.
	_, err := call(unix.SYS_SEMCTL, uintptr(id), uintptr(num), SETVAL, uintptr(val))
	return err
}

// SemGetAll reads every semaphore of set id into vals (GETALL). len(vals)
// must be the set's size: the kernel writes that many values without
// knowing how long the slice is.
func SemGetAll(id int, vals []uint16) error {
	if err := checkNsems(id, vals); err != nil {
		return err
	}
	_, err := call(unix.SYS_SEMCTL, uintptr(id), 0, GETALL, uintptr(unsafe.Pointer(&vals[0])))
	return err
}

// SemSetAll sets every semaphore of set id from vals (SETALL). len(vals)
// must be the set's size.
func SemSetAll(id int, vals []uint16) error {
	if err := checkNsems(id, vals); err != nil {
		return err
	}
	_, err := call(unix.SYS_SEMCTL, uintptr(id), 0, SETALL, uintptr(unsafe.Pointer(&vals[0])))
	return err
}

// checkNsems protects memory from GETALL and SETALL, which copy as many
// values as the set has. (A set's size never changes. Its id could be
// reused by a new set between the check and the call only after the set
// was removed and thousands of others were created in the same slot.)
func checkNsems(id int, vals []uint16) error {
	ds, err := SemctlStat(id)
	if err != nil {
		return err
	}
	if uint64(len(vals)) != ds.Nsems {
		return fmt.Errorf("ipc: %d values for a set of %d semaphores: %w", len(vals), ds.Nsems, unix.EINVAL)
	}
	return nil
}

// SemGetNcnt returns how many processes wait for semaphore num to grow
// (GETNCNT).
func SemGetNcnt(id, num int) (int, error) {
	return callInt(unix.SYS_SEMCTL, uintptr(id), uintptr(num), GETNCNT, 0)
}

// SemGetZcnt returns how many processes wait for semaphore num to be zero
// (GETZCNT).
func SemGetZcnt(id, num int) (int, error) {
	return callInt(unix.SYS_SEMCTL, uintptr(id), uintptr(num), GETZCNT, 0)
}

// SemGetPid returns the process that last changed semaphore num with
// semop or SETVAL/SETALL (GETPID), 0 if none.
func SemGetPid(id, num int) (int, error) {
	return callInt(unix.SYS_SEMCTL, uintptr(id), uintptr(num), GETPID, 0)
}

// SemctlStat returns the state of set id (IPC_STAT).
func SemctlStat(id int) (SemidDs, error) {
	var ds SemidDs
	_, err := call(unix.SYS_SEMCTL, uintptr(id), 0, unix.IPC_STAT, uintptr(unsafe.Pointer(&ds)))
	return ds, err
}

// SemctlRmid removes set id at once; processes blocked on it get EIDRM.
func SemctlRmid(id int) error {
	_, err := call(unix.SYS_SEMCTL, uintptr(id), 0, unix.IPC_RMID, 0)
	return err
}
