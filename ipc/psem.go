package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// POSIX semaphores are not system calls. glibc's sem_t is 32 bytes of
// memory that sem_post and sem_wait change with atomic instructions,
// calling the kernel only to sleep and to wake (futex(2)); sem_open is a
// file in /dev/shm mapped into memory. So this file does what glibc does,
// on the same bytes, the same way: a C program and this package can share
// a semaphore only if both follow one protocol, down to the futex
// operation and its flags (a waiter on a private futex is never woken by a
// wake on a shared one).
//
// The layout is glibc's struct new_sem for 64-bit atomics (x86-64 and
// aarch64 since glibc 2.21; nptl/sem_waitcommon.c explains the protocol):
//
//	offset 0: uint64 data     value in the low 32 bits, waiters in the high 32
//	offset 8: int32  private  0 for sem_init(s, 0, v); FUTEX_PRIVATE_FLAG
//	                          (128) for a process-shared or named semaphore
//	offset 12: int32 pad      0 in a named semaphore; untouched by sem_init
//	offset 16: 16 bytes unused by this layout, 0 in a named semaphore
//
// "waiters" counts the sem_wait calls that may be asleep, so that
// sem_post makes a futex_wake only when someone might need it. The futex
// is the 32-bit value word (the low half of data on little-endian).

const (
	// SemSize is sizeof(sem_t).
	SemSize = 32
	// SEM_VALUE_MAX is the largest value: sem_post of it is EOVERFLOW.
	SEM_VALUE_MAX = math.MaxInt32

	semWaiterOne = 1 << 32 // one registered waiter in data
	semValueMask = 1<<32 - 1

	futexShared = 128 // glibc's FUTEX_SHARED: the private field of a shared sem_t

	futexWake           = 1
	futexWaitBitset     = 9
	futexPrivateFlag    = 128
	futexClockRealtime  = 256
	futexBitsetMatchAny = 0xffffffff
)

// A Sem is a glibc sem_t in memory this process shares with others: an
// unnamed semaphore (SemInit, SemAt) inside a SysV attachment or a shared
// mapping, or a named one (SemOpen) in a mapping of its own. Its methods are
// sem_post, sem_wait and the rest, as glibc makes them. A Sem must not be
// used after the memory it lies in is unmapped or detached.
type Sem struct {
	data *uint64 // the sem_t, whose first word is data
	mem  []byte  // the sem_t's 32 bytes
	own  []byte  // SemOpen's mapping, which Close unmaps; nil otherwise
}

// SemAt is the semaphore another process (or SemInit) set up at the start
// of mem: the "use existing" form, which for a C program is just a pointer
// into the shared segment. mem must be at least SemSize bytes and 8-byte
// aligned, as sem_t is, else EINVAL; a misaligned sem_t would not even be
// atomic. The memory must be shared with the other processes (MAP_SHARED
// or SysV): that the caller knows and this function cannot check.
func SemAt(mem []byte) (*Sem, error) {
	if len(mem) < SemSize {
		return nil, fmt.Errorf("ipc: a sem_t needs %d bytes, not %d: %w", SemSize, len(mem), unix.EINVAL)
	}
	p := unsafe.Pointer(&mem[0])
	if a := uintptr(p) % 8; a != 0 {
		return nil, fmt.Errorf("ipc: a sem_t must be 8-byte aligned, and this one is at %#x, %d bytes past: %w",
			uintptr(p), a, unix.EINVAL)
	}
	return &Sem{data: (*uint64)(p), mem: mem[:SemSize:SemSize]}, nil
}

// SemInit makes a process-shared unnamed semaphore of value at the start
// of mem, as sem_init(s, 1, value) does: data = value (no waiters) and
// private = FUTEX_SHARED, nothing else written. value above SEM_VALUE_MAX
// is EINVAL, as glibc says. mem is as for SemAt. Initialising a semaphore
// that someone is waiting on is undefined in POSIX, and here as in C loses
// the waiter.
func SemInit(mem []byte, value uint32) (*Sem, error) {
	if value > SEM_VALUE_MAX {
		return nil, fmt.Errorf("ipc: sem_init: value %d > SEM_VALUE_MAX (%d): %w", value, SEM_VALUE_MAX, unix.EINVAL)
	}
	s, err := SemAt(mem)
	if err != nil {
		return nil, err
	}
	atomic.StoreInt32(s.private(), futexShared)
	atomic.StoreUint64(s.data, uint64(value))
	return s, nil
}

func (s *Sem) private() *int32 {
	return (*int32)(unsafe.Pointer(&s.mem[8]))
}

// word is the futex: the value half of data.
func (s *Sem) word() uintptr {
	return uintptr(unsafe.Pointer(s.data)) // little-endian: the low half comes first
}

// futexFlag is what glibc's __lll_private_flag adds to a futex operation:
// FUTEX_PRIVATE_FLAG unless the sem_t says it is shared. Reading it from
// the sem_t, as glibc does, rather than assuming "shared" keeps the two
// sides on the same futex even for a semaphore that a C program made
// with sem_init(s, 0, v) — which is then as wrong to share as in C.
func (s *Sem) futexFlag() uintptr {
	return uintptr((futexPrivateFlag | atomic.LoadInt32(s.private())) ^ atomic.LoadInt32(s.private()))
}

// Bytes returns the semaphore's 32 bytes, which are shared memory: a
// snapshot must be copied.
func (s *Sem) Bytes() []byte { return s.mem }

// Addr is the semaphore's address in this process.
func (s *Sem) Addr() uintptr { return uintptr(unsafe.Pointer(s.data)) }

// Getvalue is sem_getvalue: the value now. glibc never reports waiters as
// a negative value (POSIX allows either).
func (s *Sem) Getvalue() int {
	return int(atomic.LoadUint64(s.data) & semValueMask)
}

// Waiters is the count of sem_wait calls registered as possibly asleep
// (the high half of data): what sem_post looks at to decide on a wake-up,
// and what a stall detector can show. A waiter killed while registered
// stays counted, as in glibc; it costs later posts only a futex_wake.
func (s *Sem) Waiters() int {
	return int(atomic.LoadUint64(s.data) >> 32)
}

// Post is sem_post: add a token, and wake one sleeper if any waiter is
// registered. At SEM_VALUE_MAX it fails with EOVERFLOW and changes
// nothing.
func (s *Sem) Post() error {
	d := atomic.LoadUint64(s.data)
	for {
		if d&semValueMask == SEM_VALUE_MAX {
			return unix.EOVERFLOW
		}
		if atomic.CompareAndSwapUint64(s.data, d, d+1) {
			break
		}
		d = atomic.LoadUint64(s.data)
	}
	if d>>32 != 0 {
		// The token is in place, so a failed wake would lose nothing a
		// waiter could not take by itself; glibc ignores the result too.
		unix.RawSyscall6(unix.SYS_FUTEX, s.word(), futexWake|s.futexFlag(), 1, 0, 0, 0)
	}
	return nil
}

// Trywait is sem_trywait: take a token if there is one, else EAGAIN.
func (s *Sem) Trywait() error {
	if s.tryTake() {
		return nil
	}
	return unix.EAGAIN
}

func (s *Sem) tryTake() bool {
	for {
		d := atomic.LoadUint64(s.data)
		if d&semValueMask == 0 {
			return false
		}
		if atomic.CompareAndSwapUint64(s.data, d, d-1) {
			return true
		}
	}
}

// Wait is sem_wait: take a token, sleeping while there is none.
//
// it, if not nil, can cancel the sleep: the call then ends with
// ErrInterrupted, having taken no token and removed its registration as a
// waiter, as glibc's sem_wait does when it returns EINTR. That is how a
// caller gets the EINTR a C program would see: it fires the Interrupter
// for a trapped signal, and reports EINTR or, where SA_RESTART would have
// restarted the futex wait (sem_wait without a deadline), calls Wait again
// (see MqTimedsend). Other EINTRs are the Go runtime's signals and are
// retried, still registered, as the kernel's restart would.
func (s *Sem) Wait(it *Interrupter) error {
	return s.wait(nil, it)
}

// Timedwait is sem_timedwait: Wait until the absolute CLOCK_REALTIME time
// abs at the latest, then ETIMEDOUT. As glibc: abs.Nsec outside
// [0, 1e9) is EINVAL even when a token is there; a negative abs.Sec is
// ETIMEDOUT without asking the kernel (which would say EINVAL); and a
// token is taken if there is one, whatever the time.
func (s *Sem) Timedwait(abs *unix.Timespec, it *Interrupter) error {
	if abs == nil {
		// C would crash; Wait is the call without a limit.
		return fmt.Errorf("ipc: sem_timedwait: no deadline: %w", unix.EINVAL)
	}
	if abs.Nsec < 0 || abs.Nsec >= 1e9 {
		return fmt.Errorf("ipc: sem_timedwait: %d nanoseconds is not in [0, 1e9): %w", abs.Nsec, unix.EINVAL)
	}
	return s.wait(abs, it)
}

func (s *Sem) wait(abs *unix.Timespec, it *Interrupter) error {
	if it.Fired() {
		return ErrInterrupted
	}
	if s.tryTake() {
		return nil
	}
	if err := it.enter(); err != nil {
		return err
	}
	defer it.leave()

	// Register as a waiter, so that every later post wakes someone.
	d := atomic.AddUint64(s.data, semWaiterOne) - semWaiterOne
	for {
		if d&semValueMask != 0 {
			// Take the token and deregister in one step.
			if atomic.CompareAndSwapUint64(s.data, d, d-1-semWaiterOne) {
				return nil
			}
			d = atomic.LoadUint64(s.data)
			continue
		}
		err := s.futexWait(abs)
		if err == unix.EINTR && it.Fired() {
			err = ErrInterrupted
		}
		// nil: woken; EAGAIN: the value was no longer 0 when the kernel
		// looked; EINTR not asked for: see above. All go round again.
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			// ETIMEDOUT, ErrInterrupted, or what else the kernel says.
			atomic.AddUint64(s.data, ^uint64(semWaiterOne-1)) // minus one waiter
			return err
		}
		d = atomic.LoadUint64(s.data)
	}
}

// futexWait sleeps while the value word is 0, as glibc's
// futex_abstimed_wait does for a semaphore: FUTEX_WAIT_BITSET with
// FUTEX_CLOCK_REALTIME and any bit, a NULL time for no limit.
func (s *Sem) futexWait(abs *unix.Timespec) error {
	if abs != nil && abs.Sec < 0 {
		return unix.ETIMEDOUT // glibc's own answer (futex-internal.c)
	}
	op := futexWaitBitset | futexClockRealtime | s.futexFlag()
	_, _, e := unix.Syscall6(unix.SYS_FUTEX, s.word(), op, 0, uintptr(unsafe.Pointer(abs)), 0, futexBitsetMatchAny)
	if e != 0 {
		return e
	}
	return nil
}

// Close is sem_close for a named semaphore: it unmaps SemOpen's mapping.
// An unnamed one lies in memory the caller owns, so Close of it is EINVAL;
// its memory is simply detached or unmapped (sem_destroy has nothing to do
// in glibc).
func (s *Sem) Close() error {
	if s.own == nil {
		return fmt.Errorf("ipc: sem_close: not a named semaphore: %w", unix.EINVAL)
	}
	err := Munmap(s.own)
	s.own, s.mem, s.data = nil, nil, nil
	return err
}

// semPath is the file of a named semaphore, as glibc names it.
func semPath(call, name string, badErr unix.Errno) (string, error) {
	rest, err := posixName(call, name, badErr)
	if err != nil {
		return "", err
	}
	return "/dev/shm/sem." + rest, nil
}

const semOpenFlags = unix.O_RDWR | unix.O_NOFOLLOW | unix.O_CLOEXEC

// SemOpen is sem_open: the named semaphore name ("/lock") is the file
// /dev/shm/sem.lock holding a sem_t. flags may hold O_CREAT (create it with
// mode, less the umask, and value, unless it exists) and O_EXCL (with
// O_CREAT: only create, else EEXIST). A value above SEM_VALUE_MAX is
// EINVAL, as in glibc.
//
// It creates the file as glibc does, so that nobody can open a semaphore
// that is not yet set up: the sem_t is written to a new file under a
// temporary name in /dev/shm and link(2)ed into place, which fails if the
// name exists; then the temporary name is removed. Like glibc it keeps no
// descriptor: the semaphore is a 32-byte MAP_SHARED mapping, until Close.
//
// Unlike glibc it refuses (EINVAL) an existing file shorter than a sem_t,
// which glibc would map anyway: touching the missing bytes raises SIGBUS,
// which would kill the whole interpreter rather than one C program.
func SemOpen(name string, flags int, mode uint32, value uint32) (*Sem, error) {
	path, err := semPath("sem_open", name, unix.EINVAL)
	if err != nil {
		return nil, err
	}
	creat, excl := flags&unix.O_CREAT != 0, flags&unix.O_EXCL != 0
	if !creat || !excl {
		fd, err := Open(path, (flags&unix.O_EXCL)|semOpenFlags, 0)
		switch {
		case err == nil:
			return semMap(fd, true)
		case err != unix.ENOENT || !creat:
			return nil, err
		}
		// Not there: create it.
	}
	if value > SEM_VALUE_MAX {
		return nil, fmt.Errorf("ipc: sem_open: value %d > SEM_VALUE_MAX (%d): %w", value, SEM_VALUE_MAX, unix.EINVAL)
	}
	for {
		s, err := semCreate(path, mode, value)
		// Someone else created it between our open and our link: open
		// theirs, as glibc does, unless only creating was asked for.
		if err == unix.EEXIST && !excl {
			fd, err := Open(path, semOpenFlags, 0)
			if err == unix.ENOENT {
				continue // and gone again
			}
			if err != nil {
				return nil, err
			}
			return semMap(fd, true)
		}
		return s, err
	}
}

// semCreate makes path a new named semaphore of value, or fails with
// EEXIST if path exists.
func semCreate(path string, mode uint32, value uint32) (*Sem, error) {
	var init [SemSize]byte
	binary.LittleEndian.PutUint64(init[0:], uint64(value))
	binary.LittleEndian.PutUint32(init[8:], futexShared)

	// glibc's mktemp("/dev/shm/sem.XXXXXX"), retried on EEXIST 50 times
	// and then EAGAIN, as there.
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var tmp string
	fd := -1
	for tries := 0; fd < 0; tries++ {
		if tries == 50 {
			return nil, unix.EAGAIN
		}
		b := []byte("/dev/shm/sem.XXXXXX")
		for i := len(b) - 6; i < len(b); i++ {
			b[i] = letters[rand.IntN(len(letters))]
		}
		tmp = string(b)
		var err error
		fd, err = Open(tmp, unix.O_CREAT|unix.O_EXCL|semOpenFlags, mode)
		if err != nil && err != unix.EEXIST {
			return nil, err
		}
	}
	defer Unlink(tmp)
	if n, err := Write(fd, init[:]); err != nil || n != SemSize {
		Close(fd)
		if err == nil {
			err = unix.EIO // a short write to tmpfs: only if it is full, and then ENOSPC comes first
		}
		return nil, err
	}
	s, err := semMap(fd, false)
	if err != nil {
		return nil, err
	}
	if err := retry0(func() error { return unix.Link(tmp, path) }); err != nil {
		Munmap(s.own)
		return nil, err
	}
	return s, nil
}

// semMap maps the sem_t in the file open on fd and closes fd.
func semMap(fd int, check bool) (*Sem, error) {
	defer Close(fd)
	if check {
		st, err := Fstat(fd)
		if err != nil {
			return nil, err
		}
		if st.Size < SemSize {
			return nil, fmt.Errorf("ipc: sem_open: the file has %d bytes, fewer than a sem_t's %d: %w",
				st.Size, SemSize, unix.EINVAL)
		}
	}
	mem, err := Mmap(fd, SemSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	s, err := SemAt(mem) // a mapping is page aligned, so this cannot fail
	if err != nil {
		Munmap(mem)
		return nil, err
	}
	s.own = mem
	return s, nil
}

// SemUnlink is sem_unlink: remove the name; processes that have the
// semaphore open keep it. As glibc: a bad name is ENOENT (not EINVAL), and
// EPERM from unlink(2) (someone else's file in the sticky /dev/shm) is
// reported as EACCES.
func SemUnlink(name string) error {
	path, err := semPath("sem_unlink", name, unix.ENOENT)
	if err != nil {
		return err
	}
	return unlinkEACCES(path)
}

func unlinkEACCES(path string) error {
	err := Unlink(path)
	if err == unix.EPERM {
		return unix.EACCES
	}
	return err
}
