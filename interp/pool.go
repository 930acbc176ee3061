package interp

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The warm pool makes `spawn` cost a message instead of an exec. Go cannot
// fork a running runtime, so a spawned block normally re-executes the
// binary: about 1.5 ms before the child runs its first statement. When a
// program contains spawn blocks, the main process keeps one child
// interpreter started ahead of time — exec'd, runtime up, parser built —
// waiting on a socket. A spawn hands it the block's start record and the
// fds to inherit (SCM_RIGHTS), which it puts at the parent's numbers, and a
// new warm child is started in the background for the next spawn. The
// re-exec path stays for children's own spawns and whenever the pool has
// nothing to give.
//
// Warm children are started like every other child: in the run's process
// group, with a parent-death signal, with the event pipe and the board at
// the parent's numbers. A warm child that is never used exits when its
// socket closes at the end of the run, and is reaped then.

// WarmArg is argv[1] of a warm child; it is not a user command.
const WarmArg = "__warm"

type warmChild struct {
	pid  int
	sock int // the parent's end of a SOCK_SEQPACKET pair
	done chan struct{}
	ws   unix.WaitStatus
}

type pool struct {
	r       *Runner
	mu      sync.Mutex
	ready   []*warmChild
	closed  bool
	filling bool
	all     []*warmChild // every warm child ever started, to reap at close
	// starting counts starts in flight: close waits for them, since a
	// start uses the run's fds, which close is about to give back.
	starting sync.WaitGroup
}

// warmUp starts the pool if prog spawns blocks and the pool can help: in
// the main process, once.
func (r *Runner) warmUp() {
	if r.child || r.pool != nil || os.Getenv("IPCSH_NO_POOL") != "" {
		return
	}
	r.devnull() // opened here: the pool's goroutine only reads it
	r.pool = &pool{r: r}
	r.pool.refill()
}

// refill starts a warm child in the background unless one is ready or
// starting; the exec happens off the spawning statement's path.
func (pl *pool) refill() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed || pl.filling || len(pl.ready) > 0 {
		return
	}
	pl.filling = true
	pl.starting.Add(1)
	go func() {
		defer pl.starting.Done()
		w, err := pl.start()
		pl.mu.Lock()
		defer pl.mu.Unlock()
		pl.filling = false
		if err != nil {
			return // spawns re-exec instead
		}
		pl.all = append(pl.all, w)
		if pl.closed {
			_ = unix.Close(w.sock)
			return
		}
		pl.ready = append(pl.ready, w)
	}()
}

func (pl *pool) start() (*warmChild, error) {
	r := pl.r
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	theirs := fds[1]
	files := r.fileTable([]int{r.evW, r.board.fd, theirs})
	pid, err := r.startChild("/proc/self/exe", []string{"ipcsh", WarmArg, strconv.Itoa(theirs)}, files)
	_ = unix.Close(theirs)
	if err != nil {
		_ = unix.Close(fds[0])
		return nil, err
	}
	w := &warmChild{pid: pid, sock: fds[0], done: make(chan struct{})}
	go func() {
		for {
			if _, err := unix.Wait4(pid, &w.ws, 0, nil); err != unix.EINTR {
				break
			}
		}
		close(w.done)
	}()
	return w, nil
}

// take hands out a warm child, if one is ready and alive.
func (pl *pool) take() *warmChild {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for len(pl.ready) > 0 {
		w := pl.ready[0]
		pl.ready = pl.ready[1:]
		select {
		case <-w.done: // died waiting (killed from outside)
			_ = unix.Close(w.sock)
			continue
		default:
		}
		return w
	}
	return nil
}

// refillDelay is how long the pool lets a child that got its block run
// before it starts the next warm child.
const refillDelay = 2 * time.Millisecond

// maxPassed is how many fds one SCM_RIGHTS message may carry (SCM_MAX_FD
// is 253), with the start record's memfd.
const maxPassed = 250

// handOff gives w the start record and the fds the child must have at
// each number (files as inheritFiles lists them: files[i] is the parent's
// fd for the child's fd i). false means w could not take it.
func (w *warmChild) handOff(r *Runner, mfd int, files []uintptr) bool {
	var targets []byte
	rights := []int{mfd}
	for i, f := range files {
		if i < 3 || f == noFD || i == r.evW || i == r.board.fd {
			continue // the warm child has these already
		}
		targets = binary.LittleEndian.AppendUint32(targets, uint32(i))
		rights = append(rights, int(f))
	}
	if len(rights) > maxPassed {
		return false
	}
	if len(targets) == 0 {
		targets = []byte{} // a zero-length message still carries the rights
	}
	err := unix.Sendmsg(w.sock, targets, unix.UnixRights(rights...), nil, 0)
	_ = unix.Close(w.sock) // one block per warm child: EOF after this
	return err == nil
}

// close ends the pool: warm children see their socket close and exit;
// they are reaped here, or killed if they do not go.
func (pl *pool) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.mu.Unlock()
	pl.starting.Wait()
	pl.mu.Lock()
	ready := pl.ready
	pl.ready = nil
	all := pl.all
	pl.mu.Unlock()
	for _, w := range ready {
		_ = unix.Close(w.sock)
	}
	for _, w := range all {
		<-w.done
	}
}

// RunWarm is the life of a warm child: build what every child needs, wait
// for a block, put the fds it was given at their numbers, then run it as
// a spawned child. A socket closed without a block means the run is over.
func RunWarm(sock int, stderr io.Writer) int {
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	payload := make([]byte, 4*maxPassed)
	oob := make([]byte, unix.CmsgSpace(4*(maxPassed+1)))
	var n, oobn int
	var err error
	for {
		n, oobn, _, _, err = unix.Recvmsg(sock, payload, oob, unix.MSG_CMSG_CLOEXEC)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil || oobn == 0 {
		return 0 // the pool closed: nothing to run
	}
	got, err := rightsOf(oob[:oobn])
	if err != nil || len(got) == 0 || len(got)-1 != n/4 {
		fmt.Fprintf(stderr, "ipcsh: warm child: bad hand-off: %v\n", err)
		return 1
	}
	targets := make([]int, n/4)
	for i := range targets {
		targets[i] = int(binary.LittleEndian.Uint32(payload[4*i:]))
	}
	mfd, err := placeFDs(sock, got[0], got[1:], targets)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: warm child: %v\n", err)
		return 1
	}
	return RunChild(mfd, stderr)
}

func rightsOf(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		f, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, err
		}
		fds = append(fds, f...)
	}
	return fds, nil
}

// placeFDs moves each received fd to its target number, as fork would
// have left it, and closes the socket. Received fds land at the lowest
// free numbers, which may be other targets: everything first moves above
// every number in play, then down to its target. The memfd comes back at
// its new number.
func placeFDs(sock, mfd int, got, targets []int) (int, error) {
	high := max(sock, mfd) + 1
	for i, t := range targets {
		high = max(high, t+1, got[i]+1)
	}
	lift := func(fd int) (int, error) {
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, high)
		if err != nil {
			return -1, err
		}
		_ = unix.Close(fd)
		return nfd, nil
	}
	var err error
	if mfd, err = lift(mfd); err != nil {
		return -1, err
	}
	_ = unix.Close(sock)
	for i := range got {
		if got[i], err = lift(got[i]); err != nil {
			return -1, err
		}
	}
	for i, t := range targets {
		// RunChild clears close-on-exec again for programs it runs; the
		// inherited fds must look as after fork: dup2 leaves them open.
		if err := unix.Dup2(got[i], t); err != nil {
			return -1, fmt.Errorf("fd %d: %w", t, err)
		}
		_ = unix.Close(got[i])
	}
	return mfd, nil
}

// spawnWarm runs a spawn through the pool. It returns the warm child that
// took the block, or nil when the caller must exec instead.
func (r *Runner) spawnWarm(mfd int, files []uintptr) *warmChild {
	if r.pool == nil {
		return nil
	}
	w := r.pool.take()
	if w == nil {
		r.pool.refill()
		return nil
	}
	if !w.handOff(r, mfd, files) {
		return nil
	}
	// The next warm child starts a moment later: its exec and runtime
	// start-up would otherwise compete for the CPU with the child that
	// just got its block, on a machine with few CPUs, and delay exactly
	// what the pool is for.
	time.AfterFunc(refillDelay, r.pool.refill)
	return w
}

// reapWarm is reap for a child that came from the pool: its reaper runs
// since it was started, so the handle waits on that one.
func (r *Runner) reapWarm(h *procHandle, w *warmChild) {
	h.done = make(chan struct{})
	go func() {
		<-w.done
		h.ws = w.ws
		r.board.exited(h.slot)
		r.childExited(h.name)
		r.releaseHolds(h)
		close(h.done)
	}()
}

// ServeChild runs this process as a child of a run when args (os.Args) say
// it was started as one — a spawned block or a warm child — and returns its
// exit status; ok is false for any other command line. Every binary that
// runs scripts (ipcsh, and test binaries that run sessions in-process)
// calls it first, since spawn re-executes /proc/self/exe. It is also the
// trampoline through which a run execs programs (ExecArg). A child
// started by a run that takes its signals (TakeSignalsAtStart) inherits
// the mask and takes them too.
func ServeChild(args []string, stderr io.Writer) (code int, ok bool) {
	if len(args) >= 5 && args[1] == ExecArg {
		return execTrampoline(args, stderr), true
	}
	noteTakenMask()
	if len(args) != 3 || (args[1] != ChildArg && args[1] != WarmArg) {
		return 0, false
	}
	fd, err := strconv.Atoi(args[2])
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: bad %s argument %q\n", args[1], args[2])
		return 1, true
	}
	if args[1] == WarmArg {
		return RunWarm(fd, stderr), true
	}
	return RunChild(fd, stderr), true
}
