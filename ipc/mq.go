package ipc

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// MqAttr is struct mq_attr (four longs and four reserved ones).
type MqAttr struct {
	Flags   int64 // O_NONBLOCK or 0: the only flag the descriptor carries
	Maxmsg  int64 // most messages on the queue
	Msgsize int64 // largest message, bytes
	Curmsgs int64 // messages on the queue now
	_       [4]int64
}

// MqOpen opens the message queue name ("/jobs"), or creates it if flags
// hold O_CREAT (with O_EXCL: only creates). flags hold one of O_RDONLY,
// O_WRONLY, O_RDWR and may hold O_NONBLOCK. A new queue gets mode (less
// the umask) and attr's Maxmsg and Msgsize, or, with attr nil, the
// system's defaults (/proc/sys/fs/mqueue/msg_default, msgsize_default);
// Flags and Curmsgs of attr are ignored. Without O_CREAT, mode and attr are
// not passed, as glibc does not pass them.
//
// The kernel sets close-on-exec on every queue descriptor (mq_overview(7)),
// as this package does for every descriptor it opens.
func MqOpen(name string, flags int, mode uint32, attr *MqAttr) (int, error) {
	rest, err := posixName("mq_open", name, unix.EINVAL)
	if err != nil {
		return -1, err
	}
	p, err := unix.BytePtrFromString(rest)
	if err != nil {
		return -1, err
	}
	if flags&unix.O_CREAT == 0 {
		mode, attr = 0, nil
	}
	r, err := call(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), uintptr(flags), uintptr(mode), uintptr(unsafe.Pointer(attr)))
	if err != nil {
		return -1, err
	}
	return int(r), nil
}

// MqUnlink removes the name of queue name; the queue lives on until its
// last descriptor is closed. As glibc's mq_unlink does, it reports EPERM
// from the kernel (someone else's queue in the sticky /dev/mqueue) as
// EACCES, the errno POSIX specifies and a C program sees.
func MqUnlink(name string) error {
	rest, err := posixName("mq_unlink", name, unix.EINVAL)
	if err != nil {
		return err
	}
	p, err := unix.BytePtrFromString(rest)
	if err != nil {
		return err
	}
	_, err = call(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0, 0)
	if err == unix.EPERM {
		return unix.EACCES
	}
	return err
}

// MqTimedsend adds msg to queue mqd with priority prio (higher is received
// first; the kernel takes an unsigned int below MQ_PRIO_MAX, 32768, else
// EINVAL: a negative prio reaches it as C would pass it, as its unsigned
// 32 bits, and one that does not fit 32 bits is refused here). A
// full queue makes it wait: without limit when abs is nil (mq_send),
// else until the absolute CLOCK_REALTIME time abs (then ETIMEDOUT), or not
// at all if the descriptor is O_NONBLOCK (EAGAIN). A message longer than
// the queue's msgsize is EMSGSIZE.
//
// it, if not nil, can cancel the wait: the call then ends with
// ErrInterrupted and nothing was sent. That is also how a caller gets the
// EINTR a C program would see when a signal interrupts mq_send: the
// interpreter fires the Interrupter for a trapped signal and reports EINTR,
// or, where the handler has SA_RESTART, makes the call again, which is
// what the kernel does (signal(7) restarts the mq calls under SA_RESTART,
// an absolute deadline included, so nothing is lost by restarting here).
// Any other EINTR comes from the Go runtime's own signals and is retried.
// The cancelling signal has to reach the kernel without SA_RESTART, so
// this wait can be cancelled only where CanInterruptIO is true.
func MqTimedsend(mqd int, msg []byte, prio int, abs *unix.Timespec, it *Interrupter) error {
	if prio < math.MinInt32 || prio > math.MaxUint32 {
		return fmt.Errorf("ipc: mq_send: priority %d does not fit in 32 bits: %w", prio, unix.EINVAL)
	}
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	if err := it.enter(); err != nil {
		return err
	}
	defer it.leave()
	for {
		_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(mqd), uintptr(p), uintptr(len(msg)), uintptr(uint32(prio)),
			uintptr(unsafe.Pointer(abs)), 0)
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

// MqTimedreceive takes the oldest message of the highest priority off
// queue mqd into buf and returns its length and priority. buf must hold
// the queue's msgsize (MqGetattr), else EMSGSIZE, whatever the length of
// the message waiting. An empty queue makes it wait as MqTimedsend waits
// for room (abs nil: mq_receive; ETIMEDOUT; EAGAIN under O_NONBLOCK), and
// it cancels the wait as there (ErrInterrupted, nothing taken).
func MqTimedreceive(mqd int, buf []byte, abs *unix.Timespec, it *Interrupter) (n int, prio uint, err error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	if err := it.enter(); err != nil {
		return 0, 0, err
	}
	defer it.leave()
	var pr uint32 // the kernel writes an unsigned int
	for {
		r, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(mqd), uintptr(p), uintptr(len(buf)),
			uintptr(unsafe.Pointer(&pr)), uintptr(unsafe.Pointer(abs)), 0)
		if e == 0 {
			return int(r), uint(pr), nil
		}
		if e != unix.EINTR {
			return 0, 0, e
		}
		if it.Fired() {
			return 0, 0, ErrInterrupted
		}
	}
}

// MqGetattr returns the queue's attributes and the descriptor's O_NONBLOCK
// (mq_getattr).
func MqGetattr(mqd int) (MqAttr, error) {
	var old MqAttr
	_, err := call(unix.SYS_MQ_GETSETATTR, uintptr(mqd), 0, uintptr(unsafe.Pointer(&old)), 0)
	return old, err
}

// MqSetattr sets the descriptor's O_NONBLOCK from attr.Flags, the only
// attribute that can change after creation, and returns the attributes as
// they were (mq_setattr). Other bits in Flags are the kernel's EINVAL.
func MqSetattr(mqd int, attr *MqAttr) (MqAttr, error) {
	var old MqAttr
	_, err := call(unix.SYS_MQ_GETSETATTR, uintptr(mqd), uintptr(unsafe.Pointer(attr)), uintptr(unsafe.Pointer(&old)), 0)
	return old, err
}

// sigevent is struct sigevent of the 64-bit ABIs, with the fields
// SIGEV_SIGNAL uses.
type sigevent struct {
	value  uint64 // union sigval: the int or pointer the signal carries
	signo  int32
	notify int32
	_      [48]byte // the union of the other kinds of notification
}

const sigevSignal = 0 // SIGEV_SIGNAL

// MqNotify registers this process for one notification (mq_notify with
// SIGEV_SIGNAL): when a message arrives on the empty queue mqd and nobody
// is blocked in a receive, the kernel sends it sig carrying value as
// si_value, with si_code SI_MESGQ, and removes the registration. Only one
// process may be registered per queue: another's registration is EBUSY.
func MqNotify(mqd int, sig unix.Signal, value uint64) error {
	ev := sigevent{value: value, signo: int32(sig), notify: sigevSignal}
	_, err := call(unix.SYS_MQ_NOTIFY, uintptr(mqd), uintptr(unsafe.Pointer(&ev)), 0, 0)
	return err
}

// MqNotifyRemove removes this process's registration (mq_notify with a
// NULL sigevent); without one the kernel succeeds anyway.
func MqNotifyRemove(mqd int) error {
	_, err := call(unix.SYS_MQ_NOTIFY, uintptr(mqd), 0, 0, 0)
	return err
}

// Deadline turns a timeout into the absolute CLOCK_REALTIME time the mq and
// semaphore calls take: now plus d. (time.Now reads CLOCK_REALTIME.)
func Deadline(d time.Duration) *unix.Timespec {
	ts := unix.NsecToTimespec(time.Now().Add(d).UnixNano())
	return &ts
}

// MqLimits are the system-wide limits of message queues from
// /proc/sys/fs/mqueue, for explaining EINVAL, EMFILE and ENOSPC.
type MqLimits struct {
	MsgMax         int64 // most messages per queue (maxmsg), unless privileged
	MsgsizeMax     int64 // largest msgsize, unless privileged
	MsgDefault     int64 // maxmsg of a queue created without attributes
	MsgsizeDefault int64 // msgsize of a queue created without attributes
	QueuesMax      int64 // most queues of all users, unless privileged
}

// ReadMqLimits reads the current limits.
func ReadMqLimits() (MqLimits, error) {
	var l MqLimits
	for _, f := range []struct {
		name string
		dst  *int64
	}{
		{"msg_max", &l.MsgMax},
		{"msgsize_max", &l.MsgsizeMax},
		{"msg_default", &l.MsgDefault},
		{"msgsize_default", &l.MsgsizeDefault},
		{"queues_max", &l.QueuesMax},
	} {
		path := "/proc/sys/fs/mqueue/" + f.name
		data, err := os.ReadFile(path)
		if err != nil {
			return MqLimits{}, err
		}
		if *f.dst, err = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err != nil {
			return MqLimits{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	return l, nil
}
