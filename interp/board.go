package interp

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The board is a small table in shared memory with one slot per process of
// the run (DESIGN.md, the stall detector). Every process inherits it and
// writes its own slot with plain atomic stores before and after each
// blocking call: no system call, so it costs nothing under `quiet`. The
// main process reads all slots to tell a deadlock from a slow run, and the
// same table makes process names unique across the whole run, grandchildren
// included.

const (
	boardSlots = 1024
	slotSize   = 384
	boardSize  = 64 + boardSlots*slotSize
)

// Slot states.
const (
	slotFree    = 0
	slotRunning = 1
	slotBlocked = 2 // inside a blocking call: read, write, open, wait...
	slotDone    = 3 // waited for: its name may be used again
	slotExited  = 4 // exited, not yet waited for
)

// Slot kinds.
const (
	kindInterp = 0 // an ipcsh process: it reports its own state
	kindExec   = 1 // a program started by exec or popen: inspected in /proc
)

type boardHeader struct {
	lock uint32
	next uint32 // slots handed out so far
	_    [56]byte
}

// slot is one process. Fields written by other processes are read with
// atomics; the strings are written once under the lock, or by the owner
// before it publishes the state that makes them meaningful.
type slot struct {
	pid     int32
	state   uint32
	kind    uint32
	sigs    uint32 // 1 once the process has its signal dispositions (sigsReady)
	counter uint64 // finished blocking calls: progress the detector can see
	start   int64  // when the current blocking call began, if the run traces (else 0)
	line    int32
	col     int32
	name    [40]byte
	file    [48]byte
	stmt    [128]byte
	// obj is what the blocking call waits on, for the deadlock report to
	// look at (explain.go): a blockObj, encoded.
	obj [124]byte
	// tid is the thread the process makes its blocking calls on (the
	// interpreter's goroutine is pinned to it), for the stall detector to
	// tell a call that was woken but not yet scheduled from one that waits.
	tid int32
}

func init() {
	if unsafe.Sizeof(slot{}) != slotSize || unsafe.Sizeof(boardHeader{}) != 64 {
		panic("interp: board layout changed")
	}
}

type board struct {
	fd  int
	mem []byte
	// life keeps the mapping while nameOf and procNamed read it: the
	// signal thread may look up a sender as the run's Close unmaps it.
	life sync.RWMutex
}

// newBoard makes the run's board in a memfd, which children inherit.
func newBoard() (*board, error) {
	fd, err := unix.MemfdCreate("ipcsh-board", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := unix.Ftruncate(fd, boardSize); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return mapBoard(fd)
}

func mapBoard(fd int) (*board, error) {
	mem, err := unix.Mmap(fd, 0, boardSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &board{fd: fd, mem: mem}, nil
}

func (b *board) close() {
	b.life.Lock()
	defer b.life.Unlock()
	if b.mem != nil {
		_ = unix.Munmap(b.mem)
		b.mem = nil
	}
	_ = unix.Close(b.fd)
}

func (b *board) header() *boardHeader { return (*boardHeader)(unsafe.Pointer(&b.mem[0])) }

func (b *board) slot(i int) *slot {
	return (*slot)(unsafe.Pointer(&b.mem[64+i*slotSize]))
}

func (b *board) lock() {
	h := b.header()
	for !atomic.CompareAndSwapUint32(&h.lock, 0, 1) {
		runtime.Gosched()
	}
}

func (b *board) unlock() { atomic.StoreUint32(&b.header().lock, 0) }

var (
	errNameTaken = errors.New("name taken")
	errBoardFull = errors.New("too many processes in one run")
)

// claim reserves a slot for a process name, unique among the run's live
// processes. The pid is filled in once the process exists.
func (b *board) claim(name string, kind uint32) (int, error) {
	b.lock()
	defer b.unlock()
	h := b.header()
	n := int(atomic.LoadUint32(&h.next))
	for i := 0; i < n; i++ {
		s := b.slot(i)
		st := atomic.LoadUint32(&s.state)
		if st != slotFree && st != slotDone && cstr(s.name[:]) == name {
			return -1, errNameTaken
		}
	}
	if n >= boardSlots {
		// A full board takes back the slot of a process waited for
		// long ago. Slots are otherwise never reused, so that the
		// pids the kernel reports (sempid, lspid) are still shown as
		// names after their process has gone; this one's pid will
		// show as a number from now on.
		for i := 0; i < n; i++ {
			s := b.slot(i)
			if atomic.LoadUint32(&s.state) == slotDone {
				b.fill(s, name, kind)
				return i, nil
			}
		}
		return -1, errBoardFull
	}
	b.fill(b.slot(n), name, kind)
	atomic.StoreUint32(&h.next, uint32(n+1))
	return n, nil
}

func (b *board) fill(s *slot, name string, kind uint32) {
	*s = slot{kind: kind}
	copy(s.name[:len(s.name)-1], name)
	atomic.StoreUint32(&s.state, slotRunning)
}

// release frees a slot whose process never started.
func (b *board) release(i int) { atomic.StoreUint32(&b.slot(i).state, slotFree) }

func (b *board) setPid(i, pid int) { atomic.StoreInt32(&b.slot(i).pid, int32(pid)) }

// sigsReady marks slot i's process as having the signal dispositions a C
// process would have at that point (signal.go, awaitSigs).
func (b *board) sigsReady(i int) { atomic.StoreUint32(&b.slot(i).sigs, 1) }

// sigsSet says whether slot i's process has its signal dispositions, or
// has ended: a signal sent to it now is not lost.
func (b *board) sigsSet(i int) bool {
	s := b.slot(i)
	st := atomic.LoadUint32(&s.state)
	return atomic.LoadUint32(&s.sigs) == 1 || st == slotExited || st == slotDone || st == slotFree
}

// exited marks a process that is gone but not yet waited for: no longer
// live for the stall detector, its name still taken.
func (b *board) exited(i int) {
	s := b.slot(i)
	for {
		st := atomic.LoadUint32(&s.state)
		if st == slotDone || atomic.CompareAndSwapUint32(&s.state, st, slotExited) {
			return
		}
	}
}

// done marks a reaped process: its name can be used again.
func (b *board) done(i int) { atomic.StoreUint32(&b.slot(i).state, slotDone) }

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func setCstr(dst []byte, s string) {
	n := copy(dst[:len(dst)-1], s)
	dst[n] = 0
}

// nameOf is the name of the run's process with pid, for showing the pids
// the kernel reports (lspid, sem getpid) as names: "" if it is not one.
func (b *board) nameOf(pid int) string {
	if b == nil {
		return ""
	}
	b.life.RLock()
	defer b.life.RUnlock()
	if b.mem == nil {
		return ""
	}
	b.lock() // names are written under the lock
	defer b.unlock()
	n := int(atomic.LoadUint32(&b.header().next))
	name := ""
	for i := 0; i < n; i++ {
		s := b.slot(i)
		if atomic.LoadInt32(&s.pid) == int32(pid) {
			name = cstr(s.name[:]) // the latest holder of a reused pid wins
		}
	}
	return name
}

// procNamed is the live process of the run with this name, as a handle
// that may be signalled but not waited for, or nil.
func (b *board) procNamed(name string) *procHandle {
	if b == nil {
		return nil
	}
	b.life.RLock()
	defer b.life.RUnlock()
	if b.mem == nil {
		return nil
	}
	b.lock()
	defer b.unlock()
	n := int(atomic.LoadUint32(&b.header().next))
	for i := 0; i < n; i++ {
		s := b.slot(i)
		st := atomic.LoadUint32(&s.state)
		if (st == slotRunning || st == slotBlocked) && cstr(s.name[:]) == name && atomic.LoadInt32(&s.pid) > 0 {
			return &procHandle{name: name, pid: int(atomic.LoadInt32(&s.pid)), slot: i, exec: atomic.LoadUint32(&s.kind) == kindExec, foreign: true}
		}
	}
	return nil
}

// hasEnded says whether the latest process of this name has exited,
// waited for or not: a wait for it is about to return. Only the latest
// counts: a name is used again once its process was waited for, and an
// earlier process of the same name says nothing about the one waited for
// now.
func (b *board) hasEnded(name string) bool {
	b.lock()
	defer b.unlock()
	n := int(atomic.LoadUint32(&b.header().next))
	found, st := false, uint32(slotFree)
	for i := 0; i < n; i++ {
		s := b.slot(i)
		if cstr(s.name[:]) == name {
			found, st = true, atomic.LoadUint32(&s.state)
		}
	}
	return found && (st == slotExited || st == slotDone)
}
