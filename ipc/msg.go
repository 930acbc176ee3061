package ipc

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// MsqidDs is the kernel's struct msqid64_ds, the state of a message queue.
type MsqidDs struct {
	Perm   IpcPerm
	Stime  int64  // last msgsnd, seconds since the epoch (0: never)
	Rtime  int64  // last msgrcv
	Ctime  int64  // creation or last IPC_SET
	Cbytes uint64 // bytes of text on the queue now
	Qnum   uint64 // messages on the queue now
	Qbytes uint64 // the most bytes of text the queue may hold
	Lspid  int32  // process of the last msgsnd
	Lrpid  int32  // process of the last msgrcv
	_      [2]uint64
}

// Msgget opens the queue with key, or creates one if flags hold IPC_CREAT
// (with IPC_EXCL: only creates). The low 9 bits of flags are the mode of a
// new queue. key may be IPC_PRIVATE, or any 32-bit key as signed or
// unsigned int (see keyArg).
func Msgget(key int, flags int) (int, error) {
	return get(unix.SYS_MSGGET, key, uintptr(flags), 0)
}

// Msgsnd appends a message of type mtype (which must be > 0) to queue id.
// It blocks while the queue is full, unless flags hold IPC_NOWAIT (then
// EAGAIN). it, if not nil, can cancel the wait.
func Msgsnd(id int, mtype int64, text []byte, flags int, it *Interrupter) error {
	// The kernel takes the type and the text as one struct msgbuf, so the
	// text has to be copied behind the type.
	buf := getSendBuf(MsgHeader + len(text))
	defer putSendBuf(buf)
	binary.NativeEndian.PutUint64(buf, uint64(mtype))
	copy(buf[MsgHeader:], text)

	if it.Fired() {
		return ErrInterrupted
	}
	if flags&unix.IPC_NOWAIT != 0 {
		return msgsndNow(id, buf, flags) // cannot block: nothing to cancel
	}
	if it != nil {
		// Most sends find room and return at once. Trying without
		// blocking first spares them the cost of being cancellable (a
		// gettid, itself a system call); only a send that has to wait
		// pays it. The kernel checks for room the same way in both
		// attempts, so a script cannot tell the difference.
		if err := msgsndNow(id, buf, flags|unix.IPC_NOWAIT); err != unix.EAGAIN {
			return err
		}
	}
	return msgsnd(id, buf, flags, it)
}

// msgsndNow sends without blocking (flags hold IPC_NOWAIT). RawSyscall,
// unlike Syscall, does not tell the Go scheduler that the thread may block
// in the kernel, which saves about 100ns: right for a call that cannot.
func msgsndNow(id int, buf []byte, flags int) error {
	for {
		_, _, e := unix.RawSyscall6(unix.SYS_MSGSND, uintptr(id), uintptr(unsafe.Pointer(&buf[0])),
			uintptr(len(buf)-MsgHeader), uintptr(flags), 0, 0)
		if e == 0 {
			return nil
		}
		if e != unix.EINTR {
			return e
		}
	}
}

// msgsnd sends the struct msgbuf in buf.
func msgsnd(id int, buf []byte, flags int, it *Interrupter) error {
	if err := it.enter(); err != nil {
		return err
	}
	defer it.leave()
	for {
		_, _, e := unix.Syscall6(unix.SYS_MSGSND, uintptr(id), uintptr(unsafe.Pointer(&buf[0])),
			uintptr(len(buf)-MsgHeader), uintptr(flags), 0, 0)
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

// Msgrcv takes a message off queue id, selected by mtype as msgrcv(2)
// says: 0 the first message, > 0 the first of that type (with MSG_EXCEPT:
// the first of any other type), < 0 the first of the lowest type up to
// -mtype. flags may also hold IPC_NOWAIT (ENOMSG when none matches) and
// MSG_NOERROR (truncate a longer message instead of failing with E2BIG).
//
// buf is the caller's reusable struct msgbuf: the kernel writes the type
// into buf[:MsgHeader] and up to len(buf)-MsgHeader bytes of text after it,
// so the text is buf[MsgHeader:MsgHeader+n]. Receiving straight into the
// caller's memory is what keeps this call free of allocation and copying.
func Msgrcv(id int, buf []byte, mtype int64, flags int, it *Interrupter) (gotType int64, n int, err error) {
	if len(buf) < MsgHeader {
		return 0, 0, fmt.Errorf("ipc: Msgrcv: a buffer of %d bytes has no room for the %d-byte type: %w",
			len(buf), MsgHeader, unix.EINVAL)
	}
	return msgrcv(id, buf, len(buf)-MsgHeader, mtype, flags, it)
}

// MsgrcvNegative makes msgrcv with a negative msgsz, as a C program can:
// the kernel refuses it (EINVAL) before it looks at the buffer, so no
// buffer is needed. A script's max=-1 gets the kernel's answer this way.
func MsgrcvNegative(id int, size int, mtype int64, flags int) error {
	if size >= 0 {
		return fmt.Errorf("ipc: MsgrcvNegative: size %d is not negative: %w", size, unix.EINVAL)
	}
	var hdr [MsgHeader]byte
	_, _, err := msgrcv(id, hdr[:], size, mtype, flags|unix.IPC_NOWAIT, nil)
	return err
}

func msgrcv(id int, buf []byte, size int, mtype int64, flags int, it *Interrupter) (gotType int64, n int, err error) {
	if flags&unix.IPC_NOWAIT != 0 {
		if it.Fired() {
			return 0, 0, ErrInterrupted
		}
		it = nil // the call cannot block, so there is nothing to cancel
	}
	if err := it.enter(); err != nil {
		return 0, 0, err
	}
	defer it.leave()
	for {
		r, _, e := unix.Syscall6(unix.SYS_MSGRCV, uintptr(id), uintptr(unsafe.Pointer(&buf[0])),
			uintptr(size), uintptr(mtype), uintptr(flags), 0)
		if e == 0 {
			return int64(binary.NativeEndian.Uint64(buf)), int(r), nil
		}
		if e != unix.EINTR {
			return 0, 0, e
		}
		if it.Fired() {
			return 0, 0, ErrInterrupted
		}
	}
}

// MsgctlStat returns the state of queue id (IPC_STAT).
func MsgctlStat(id int) (MsqidDs, error) {
	var ds MsqidDs
	_, err := call(unix.SYS_MSGCTL, uintptr(id), unix.IPC_STAT, uintptr(unsafe.Pointer(&ds)), 0)
	return ds, err
}

// MsgctlSet changes the queue's Qbytes, Perm.Uid, Perm.Gid and the
// permission bits of Perm.Mode (IPC_SET); the kernel ignores the other
// fields. Raising Qbytes above /proc/sys/kernel/msgmnb needs
// CAP_SYS_RESOURCE. Start from MsgctlStat's result to change one field.
func MsgctlSet(id int, ds *MsqidDs) error {
	_, err := call(unix.SYS_MSGCTL, uintptr(id), unix.IPC_SET, uintptr(unsafe.Pointer(ds)), 0)
	return err
}

// MsgctlRmid removes queue id at once; processes blocked on it get EIDRM.
func MsgctlRmid(id int) error {
	_, err := call(unix.SYS_MSGCTL, uintptr(id), unix.IPC_RMID, 0, 0)
	return err
}

// sendBufs recycles the buffers Msgsnd assembles messages in, so that
// sending does not allocate. It is state nobody can observe, and small: a
// process sends from one goroutine at a time, so a few buffers suffice.
// (sync.Pool would do, but it deliberately drops buffers at random under
// the race detector, so the allocation test could not be trusted there.)
var sendBufs struct {
	sync.Mutex
	free [4][]byte
	n    int
}

const (
	// minSendBuf holds a message of the default msgmax (8192 bytes), so a
	// buffer rarely needs to grow.
	minSendBuf = MsgHeader + 8192
	// maxSendBuf bounds the memory kept: larger messages, only possible
	// where msgmax was raised, get a buffer of their own each time.
	maxSendBuf = MsgHeader + 64<<10
)

func getSendBuf(size int) []byte {
	var b []byte
	sendBufs.Lock()
	if sendBufs.n > 0 {
		sendBufs.n--
		b = sendBufs.free[sendBufs.n]
		sendBufs.free[sendBufs.n] = nil
	}
	sendBufs.Unlock()
	if cap(b) < size {
		b = make([]byte, max(size, minSendBuf))
	}
	return b[:size]
}

func putSendBuf(b []byte) {
	if cap(b) > maxSendBuf {
		return
	}
	sendBufs.Lock()
	if sendBufs.n < len(sendBufs.free) {
		sendBufs.free[sendBufs.n] = b
		sendBufs.n++
	}
	sendBufs.Unlock()
}
