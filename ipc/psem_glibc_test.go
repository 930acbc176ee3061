package ipc

import (
	"encoding/hex"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The semaphores of psem.go against glibc's, through testdata/psem.c: the
// same bytes after the same steps, and wake-ups across the two in both
// directions, through the futex as well as without it.
func TestSemGlibcInterop(t *testing.T) {
	bin := cProgram(t, "psem")

	t.Run("UnnamedStepByStep", func(t *testing.T) {
		// Go works on the sem_t at offset 0, C on the one at 64, step by
		// step; after each step the two must be byte for byte the same.
		name, mem := newShm(t)
		g := mustSemInit(t, mem[0:32], 2)
		if got := runC1(t, bin, "shm", name, "64", "init=2"); got != "init ok" {
			t.Fatal(got)
		}
		same := func(step string) {
			t.Helper()
			if hex.EncodeToString(mem[0:32]) != hex.EncodeToString(mem[64:96]) {
				t.Fatalf("after %s:\n Go %x\n  C %x", step, mem[0:32], mem[64:96])
			}
		}
		same("init=2")
		for _, step := range []string{"post", "trywait", "trywait", "trywait", "trywait", "post", "wait", "timedwait=20"} {
			var err error
			switch step {
			case "post":
				err = g.Post()
			case "trywait":
				err = g.Trywait()
			case "wait":
				err = g.Wait(nil)
			case "timedwait=20":
				err = g.Timedwait(Deadline(20*time.Millisecond), nil)
			}
			want := step + " ok"
			if step == "timedwait=20" {
				want = "timedwait ok"
			}
			if err != nil {
				want = step + " " + ErrnoName(err.(unix.Errno))
				if step == "timedwait=20" {
					want = "timedwait " + ErrnoName(err.(unix.Errno))
				}
			}
			if got := runC1(t, bin, "shm", name, "64", step); got != want {
				t.Fatalf("C's %s said %q, Go's %q", step, got, want)
			}
			same(step)
		}
		// Each reads the other's value.
		g.Post()
		if got := runC1(t, bin, "shm", name, "0", "get"); got != "get 1" {
			t.Fatalf("C reads Go's semaphore as %q, want get 1", got)
		}
		if c, _ := SemAt(mem[64:]); c.Getvalue() != 0 {
			t.Fatalf("Go reads C's semaphore as %d, want 0", c.Getvalue())
		}
	})

	t.Run("EOVERFLOW", func(t *testing.T) {
		name, mem := newShm(t)
		max := strconv.Itoa(SEM_VALUE_MAX)
		// C's sem_init at SEM_VALUE_MAX, Go's post; and the other way.
		runC(t, bin, "shm", name, "0", "init="+max)
		g, _ := SemAt(mem)
		wantErrno(t, g.Post(), unix.EOVERFLOW)
		mustSemInit(t, mem[64:96], SEM_VALUE_MAX)
		if got := runC1(t, bin, "shm", name, "64", "post"); got != "post EOVERFLOW" {
			t.Fatalf("C's post at SEM_VALUE_MAX: %q", got)
		}
		if hex.EncodeToString(mem[0:32]) != hex.EncodeToString(mem[64:96]) {
			t.Fatalf("after EOVERFLOW:\n C %x\nGo %x", mem[0:32], mem[64:96])
		}
	})

	t.Run("CWaitsGoPosts", func(t *testing.T) {
		// C sleeps in sem_wait on one semaphore, Go in Wait on another:
		// both registered the same way. Then Go's post must wake C, which
		// only a futex_wake on the right futex, with the right flags, does.
		name, mem := newShm(t)
		c := mustSemInit(t, mem[0:32], 0)
		g := mustSemInit(t, mem[64:96], 0)
		p := startC(t, bin, "shm", name, "0", "ready", "wait", "dump")
		p.expect("ready")
		p.inSyscall(unix.SYS_FUTEX)
		eventually(t, "C to register as a waiter", func() bool { return c.Waiters() == 1 })
		_, done := semWaiter(t, g, nil)
		if semData(c) != 1<<32 || hex.EncodeToString(mem[0:32]) != hex.EncodeToString(mem[64:96]) {
			t.Fatalf("asleep in sem_wait and in Wait:\n C %x\nGo %x", mem[0:32], mem[64:96])
		}
		p.quiet(20 * time.Millisecond)
		if err := c.Post(); err != nil {
			t.Fatal(err)
		}
		p.expect("wait ok")
		p.expect("dump 0000000000000000800000000000000000000000000000000000000000000000")
		p.end()

		// And C's post wakes Go.
		if got := runC1(t, bin, "shm", name, "64", "post"); got != "post ok" {
			t.Fatal(got)
		}
		if err := waitDone(t, done); err != nil {
			t.Fatalf("Go's Wait after C's post: %v", err)
		}
		if semData(g) != 0 {
			t.Fatalf("data %#x after the wake-up, want 0", semData(g))
		}
	})

	t.Run("TimedwaitBothSides", func(t *testing.T) {
		name, mem := newShm(t)
		g := mustSemInit(t, mem, 0)
		if got := runC1(t, bin, "shm", name, "0", "timedwait=30"); got != "timedwait ETIMEDOUT" {
			t.Fatalf("C's timedwait: %q", got)
		}
		wantErrno(t, g.Timedwait(Deadline(30*time.Millisecond), nil), unix.ETIMEDOUT)
		if semData(g) != 0 {
			t.Fatalf("data %#x after both timed out, want 0", semData(g))
		}
		// A timed waiter of each side, woken by the other.
		p := startC(t, bin, "shm", name, "0", "ready", "timedwait=10000")
		p.expect("ready")
		p.inSyscall(unix.SYS_FUTEX)
		eventually(t, "C to register as a waiter", func() bool { return g.Waiters() == 1 })
		g.Post()
		p.expect("timedwait ok")
		p.end()
		_, done := semWaiter(t, g, Deadline(10*time.Second))
		runC(t, bin, "shm", name, "0", "post")
		if err := waitDone(t, done); err != nil {
			t.Fatalf("Go's Timedwait after C's post: %v", err)
		}
	})

	t.Run("Named", func(t *testing.T) {
		goName, cName := posixTestName(t), posixTestName(t)
		g, err := SemOpen(goName, unix.O_CREAT|unix.O_EXCL, 0o600, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		runC(t, bin, "named", cName, "create=0")
		defer SemUnlink(cName)
		goFile, _ := os.ReadFile("/dev/shm/sem." + goName[1:])
		cFile, _ := os.ReadFile("/dev/shm/sem." + cName[1:])
		if len(goFile) != SemSize || hex.EncodeToString(goFile) != hex.EncodeToString(cFile) {
			t.Fatalf("new named semaphores:\nGo %x\n C %x", goFile, cFile)
		}
		goSt, _ := Stat("/dev/shm/sem." + goName[1:])
		cSt, _ := Stat("/dev/shm/sem." + cName[1:])
		if goSt.Mode != cSt.Mode {
			t.Fatalf("modes: Go's %#o, C's %#o", goSt.Mode, cSt.Mode)
		}

		// C waits on Go's semaphore, Go posts.
		p := startC(t, bin, "named", goName, "open", "ready", "wait", "unlink")
		p.expect("ready")
		p.inSyscall(unix.SYS_FUTEX)
		eventually(t, "C to register as a waiter", func() bool { return g.Waiters() == 1 })
		g.Post()
		p.expect("wait ok")
		p.expect("unlink ok")
		p.end()

		// Go waits on C's semaphore, C posts.
		c, err := SemOpen(cName, 0, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, done := semWaiter(t, c, nil)
		if got := runC(t, bin, "named", cName, "open", "post", "unlink"); got[0] != "post ok" || got[1] != "unlink ok" {
			t.Fatal(got)
		}
		if err := waitDone(t, done); err != nil {
			t.Fatal(err)
		}
		wantErrno(t, SemUnlink(cName), unix.ENOENT)
		wantErrno(t, SemUnlink(goName), unix.ENOENT)
	})
}
