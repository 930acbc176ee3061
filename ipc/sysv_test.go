package ipc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The SysV tests run against the real kernel with IPC_PRIVATE objects, so
// they cannot collide with anyone else's. Every object is removed by a
// t.Cleanup registered when it is made, and TestMain checks that none of
// them is still listed in /proc/sysvipc when the tests end. (Comparing the
// whole list before and after would blame this package for what other
// programs on the machine create meanwhile.)

// made records every object the tests create, as "kind id".
var made struct {
	sync.Mutex
	objs []string
}

func TestMain(m *testing.M) {
	if cmd := os.Getenv(helperEnv); cmd != "" {
		os.Exit(runHelper(cmd, os.Args[len(os.Args)-1]))
	}
	code := m.Run()
	if left, err := leftovers(); err != nil {
		fmt.Fprintln(os.Stderr, "leak check:", err)
		code = 1
	} else if len(left) > 0 {
		fmt.Fprintln(os.Stderr, "SysV objects left behind:", strings.Join(left, ", "))
		code = 1
	}
	os.Exit(code)
}

// leftovers returns the recorded objects the system still has.
func leftovers() ([]string, error) {
	objs, err := ListSysV()
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, o := range objs {
		exists[fmt.Sprintf("%s %d", o.Kind, o.ID)] = true
	}
	made.Lock()
	defer made.Unlock()
	var left []string
	for _, o := range made.objs {
		if exists[o] {
			left = append(left, o)
		}
	}
	return left, nil
}

// track records a new object and removes it when the test ends, even if
// the test failed half-way. A test that removed it itself is fine: the
// second removal's EINVAL/EIDRM is expected.
func track(t *testing.T, kind string, id int, rmid func(int) error) {
	t.Helper()
	name := fmt.Sprintf("%s %d", kind, id)
	made.Lock()
	made.objs = append(made.objs, name)
	made.Unlock()
	t.Cleanup(func() {
		if err := rmid(id); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
			t.Errorf("removing %s: %v", name, err)
		}
	})
}

func newQueue(t *testing.T) int {
	t.Helper()
	id, err := Msgget(unix.IPC_PRIVATE, unix.IPC_CREAT|0o600)
	if err != nil {
		t.Fatal("msgget:", err)
	}
	track(t, "msg", id, MsgctlRmid)
	return id
}

func newSemSet(t *testing.T, nsems int) int {
	t.Helper()
	id, err := Semget(unix.IPC_PRIVATE, nsems, unix.IPC_CREAT|0o600)
	if err != nil {
		t.Fatal("semget:", err)
	}
	track(t, "sem", id, SemctlRmid)
	return id
}

func newSegment(t *testing.T, size int) int {
	t.Helper()
	id, err := Shmget(unix.IPC_PRIVATE, size, unix.IPC_CREAT|0o600)
	if err != nil {
		t.Fatal("shmget:", err)
	}
	track(t, "shm", id, ShmctlRmid)
	return id
}

// attach attaches a segment and detaches it when the test ends, before the
// segment's own clean-up runs (clean-ups run last-registered first).
func attach(t *testing.T, id int, flags int) []byte {
	t.Helper()
	mem, err := Shmat(id, 0, flags)
	if err != nil {
		t.Fatal("shmat:", err)
	}
	t.Cleanup(func() { Shmdt(mem) }) // EINVAL if the test detached it already
	return mem
}

// lockedTid runs f on a new goroutine locked to its thread and returns
// that thread's id, so that the test can watch the thread and signal it.
func lockedTid(f func()) (tid int) {
	ch := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ch <- unix.Gettid()
		f()
	}()
	return <-ch
}

// waitInSyscall waits until thread tid of this process is inside system
// call nr, as /proc/self/task/TID/syscall reports, so that a test acts on a
// call that is really blocked in the kernel rather than about to be.
func waitInSyscall(t *testing.T, tid int, nr uintptr) {
	t.Helper()
	path := fmt.Sprintf("/proc/self/task/%d/syscall", tid)
	want := strconv.FormatUint(uint64(nr), 10) + " "
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(data), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("thread %d never entered system call %d: %s", tid, nr, data)
		}
		time.Sleep(time.Millisecond)
	}
}

// eventually polls cond until it holds, failing the test after a generous
// bound; it waits for other goroutines to reach a state, it does not time
// anything.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// The helper process: the test binary run again with helperEnv set, for
// what needs a second process (SEM_UNDO happens at exit; lspid and the
// semaphore pid should name someone else).
const helperEnv = "IPC_TEST_HELPER"

// runHelper does cmd on object id and returns the exit code.
func runHelper(cmd, arg string) int {
	id, err := strconv.Atoi(arg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	switch cmd {
	case "sem-v-undo":
		err = Semop(id, []Sembuf{{Num: 0, Op: 1, Flg: SEM_UNDO}}, -1, nil)
	case "sem-v":
		err = Semop(id, []Sembuf{{Num: 0, Op: 1}}, -1, nil)
	case "msgsnd":
		err = Msgsnd(id, 7, []byte("from the helper"), 0, nil)
	case "msg-echo", "sem-echo":
		err = echo(cmd, id)
	default:
		err = errors.New("unknown command " + cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", cmd, err)
		return 1
	}
	return 0
}

// helper runs a helper process to completion and returns its pid.
func helper(t *testing.T, cmd string, id int) int {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$", strconv.Itoa(id))
	c.Env = append(os.Environ(), helperEnv+"="+cmd)
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("helper %s: %v\n%s", cmd, err, out)
	}
	return c.Process.Pid
}

func TestKeyArg(t *testing.T) {
	for _, key := range []int{0, 1, 0x7fffffff, 0x80000000, 0xffffffff, -1, -0x80000000} {
		if _, err := keyArg(key); err != nil {
			t.Errorf("keyArg(%#x): %v", key, err)
		}
	}
	a, _ := keyArg(0x80000000)
	b, _ := keyArg(-0x80000000)
	if a != b {
		t.Errorf("the two spellings of key 0x80000000 differ: %#x, %#x", a, b)
	}
	for _, key := range []int{0x100000000, -0x80000001} {
		if _, err := keyArg(key); !errors.Is(err, unix.EINVAL) {
			t.Errorf("keyArg(%#x) = %v, want EINVAL", key, err)
		}
		if id, err := Msgget(key, 0); id != -1 || !errors.Is(err, unix.EINVAL) {
			t.Errorf("Msgget(%#x) = %d, %v; want -1, EINVAL", key, id, err)
		}
	}
}

// freeKey returns a random key that no object uses, with the high bit set
// if high: a key per run, so that tests here never meet objects of other
// programs or of another run of themselves.
func freeKey(t *testing.T, high bool) int {
	t.Helper()
	for range 100 {
		key := int(rand.Uint32() &^ 0x80000000)
		if high {
			key |= 0x80000000
		}
		_, e1 := Msgget(key, 0)
		_, e2 := Semget(key, 0, 0)
		_, e3 := Shmget(key, 0, 0)
		if errors.Is(e1, unix.ENOENT) && errors.Is(e2, unix.ENOENT) && errors.Is(e3, unix.ENOENT) {
			return key
		}
	}
	t.Fatal("no free key found")
	return 0
}

func TestGetErrors(t *testing.T) {
	key := freeKey(t, false)
	if id, err := Msgget(key, 0); id != -1 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("Msgget = %d, %v; want -1, ENOENT", id, err)
	}
	if id, err := Semget(key, 1, 0); id != -1 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("Semget = %d, %v; want -1, ENOENT", id, err)
	}
	if id, err := Shmget(key, 1, 0); id != -1 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("Shmget = %d, %v; want -1, ENOENT", id, err)
	}

	id, err := Msgget(key, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	track(t, "msg", id, MsgctlRmid)
	if again, err := Msgget(key, unix.IPC_CREAT|unix.IPC_EXCL|0o600); again != -1 || !errors.Is(err, unix.EEXIST) {
		t.Errorf("second exclusive Msgget = %d, %v; want -1, EEXIST", again, err)
	}
	if again, err := Msgget(key, 0); again != id || err != nil {
		t.Errorf("opening by key = %d, %v; want %d", again, err, id)
	}
}
