package ipc

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newShm makes a shared memory object of one page, mapped; unmapped,
// closed and unlinked when the test ends.
func newShm(t testing.TB) (name string, mem []byte) {
	t.Helper()
	name = posixTestName(t)
	fd, err := ShmOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
	if err != nil {
		t.Fatalf("ShmOpen(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := ShmUnlink(name); err != nil {
			t.Errorf("ShmUnlink(%s): %v", name, err)
		}
	})
	defer Close(fd)
	if err := Ftruncate(fd, 4096); err != nil {
		t.Fatal(err)
	}
	mem, err = Mmap(fd, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Munmap(mem) })
	return name, mem
}

func mustSemInit(t testing.TB, mem []byte, v uint32) *Sem {
	t.Helper()
	s, err := SemInit(mem, v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// semData is the sem_t's data word: value | waiters<<32.
func semData(s *Sem) uint64 { return binary.LittleEndian.Uint64(s.Bytes()) }

func TestSemAtChecksMemory(t *testing.T) {
	_, mem := newShm(t)
	if _, err := SemAt(mem[:31]); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SemAt of 31 bytes: %v, want EINVAL", err)
	}
	if _, err := SemAt(mem[4:64]); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SemAt 4 bytes into a page: %v, want EINVAL", err)
	}
	if _, err := SemInit(mem[8:40], SEM_VALUE_MAX+1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SemInit above SEM_VALUE_MAX: %v, want EINVAL", err)
	}
	s := mustSemInit(t, mem[8:40], 2)
	if err := s.Close(); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Close of an unnamed semaphore: %v, want EINVAL", err)
	}
	// sem_init writes data and private, nothing else.
	want := "0200000000000000" + "80000000" + "00000000" + "0000000000000000" + "0000000000000000"
	if got := hex.EncodeToString(s.Bytes()); got != want {
		t.Errorf("sem_t after SemInit(2):\n got %s\nwant %s", got, want)
	}
}

func TestSemPostWaitValues(t *testing.T) {
	_, mem := newShm(t)
	s := mustSemInit(t, mem, 0)
	wantErrno(t, s.Trywait(), unix.EAGAIN)
	for range 3 {
		if err := s.Post(); err != nil {
			t.Fatal(err)
		}
	}
	if s.Getvalue() != 3 || semData(s) != 3 {
		t.Fatalf("value %d, data %#x after three posts", s.Getvalue(), semData(s))
	}
	if err := s.Trywait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(nil); err != nil { // a token is there: no wait
		t.Fatal(err)
	}
	// A valid deadline long past still takes a token, as in glibc.
	if err := s.Timedwait(&unix.Timespec{Sec: 1}, nil); err != nil {
		t.Fatalf("Timedwait with a token and an old deadline: %v", err)
	}
	// A bad deadline is glibc's EINVAL even when a token could be had.
	s.Post()
	if err := s.Timedwait(&unix.Timespec{Sec: 1, Nsec: -1}, nil); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Timedwait with Nsec -1: %v, want EINVAL", err)
	}
	if s.Getvalue() != 1 {
		t.Fatalf("value %d: the refused Timedwait took the token", s.Getvalue())
	}
	s.Trywait()
	if err := s.Timedwait(nil, nil); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("Timedwait without a deadline: %v, want EINVAL", err)
	}
	// A negative second: glibc's ETIMEDOUT, and no waiter left behind.
	wantErrno(t, s.Timedwait(&unix.Timespec{Sec: -1}, nil), unix.ETIMEDOUT)
	start := time.Now()
	wantErrno(t, s.Timedwait(Deadline(30*time.Millisecond), nil), unix.ETIMEDOUT)
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Fatalf("timed out after %v, before the deadline", d)
	}
	if semData(s) != 0 {
		t.Fatalf("data %#x after timeouts, want 0 (no value, no waiter)", semData(s))
	}

	s2 := mustSemInit(t, mem[64:], SEM_VALUE_MAX)
	wantErrno(t, s2.Post(), unix.EOVERFLOW)
	if s2.Getvalue() != SEM_VALUE_MAX {
		t.Fatalf("value %d after EOVERFLOW", s2.Getvalue())
	}
}

// semWaiter runs s.Wait in a goroutine and returns once it is registered
// and asleep in the kernel.
func semWaiter(t *testing.T, s *Sem, abs *unix.Timespec) (it *Interrupter, done chan error) {
	t.Helper()
	before := s.Waiters()
	it = NewInterrupter()
	done = make(chan error, 1)
	go func() {
		if abs == nil {
			done <- s.Wait(it)
		} else {
			done <- s.Timedwait(abs, it)
		}
	}()
	waitInSyscall(t, callerTid(t, it), unix.SYS_FUTEX)
	if s.Waiters() != before+1 {
		t.Fatalf("%d waiters while one more sleeps, want %d", s.Waiters(), before+1)
	}
	return it, done
}

func waitDone(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end")
		return nil
	}
}

func TestSemWakeAndInterrupt(t *testing.T) {
	_, mem := newShm(t)
	s := mustSemInit(t, mem, 0)
	_, done1 := semWaiter(t, s, nil)
	_, done2 := semWaiter(t, s, Deadline(time.Hour))
	if semData(s) != 2<<32 {
		t.Fatalf("data %#x with two sleepers, want 2<<32", semData(s))
	}
	s.Post()
	s.Post()
	for _, done := range []chan error{done1, done2} {
		if err := waitDone(t, done); err != nil {
			t.Fatal(err)
		}
	}
	if semData(s) != 0 {
		t.Fatalf("data %#x after both took their token, want 0", semData(s))
	}

	// A cancelled wait deregisters and takes nothing.
	it, done := semWaiter(t, s, nil)
	if err := fireAndWait(t, it, unix.SYS_FUTEX, done); err != ErrInterrupted {
		t.Fatalf("cancelled Wait = %v, want ErrInterrupted", err)
	}
	if semData(s) != 0 {
		t.Fatalf("data %#x after a cancelled wait, want 0", semData(s))
	}
	// Fired stays in force until Reset, even with a token there.
	s.Post()
	if err := s.Wait(it); err != ErrInterrupted {
		t.Fatalf("Wait after Fire = %v, want ErrInterrupted", err)
	}
	it.Reset()
	if err := s.Wait(it); err != nil || semData(s) != 0 {
		t.Fatalf("Wait after Reset: %v, data %#x", err, semData(s))
	}
}

func TestSemOpenNamed(t *testing.T) {
	name := posixTestName(t)
	path := "/dev/shm/sem." + name[1:]
	withUmask(t, 0o022)
	s, err := SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o640, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { SemUnlink(name) })
	defer s.Close()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// What glibc's sem_open writes: value, FUTEX_SHARED, and zeros.
	want := "0400000000000000" + "80000000" + "00000000" + "0000000000000000" + "0000000000000000"
	if got := hex.EncodeToString(file); got != want {
		t.Fatalf("%s holds\n %s\nwant %s", path, got, want)
	}
	if st, _ := Stat(path); st.Mode != 0o640 {
		t.Fatalf("mode %#o, want 0640", st.Mode)
	}

	_, err = SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, 0)
	wantErrno(t, err, unix.EEXIST)
	// O_CREAT alone opens the existing one; its value is not reset.
	s2, err := SemOpen(name, unix.O_CREAT, 0o600, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.Trywait()
	if s.Getvalue() != 3 {
		t.Fatalf("value %d through the first mapping, want 3", s.Getvalue())
	}
	// glibc checks the value only when it is about to create: with
	// O_EXCL before looking at the name, without it only if there is none.
	_, err = SemOpen(name, unix.O_CREAT|unix.O_EXCL, 0o600, SEM_VALUE_MAX+1)
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("O_EXCL of an existing name with a bad value: %v, want EINVAL", err)
	}
	s3, err := SemOpen(name, unix.O_CREAT, 0o600, SEM_VALUE_MAX+1)
	if err != nil {
		t.Fatalf("O_CREAT of an existing name with a bad value: %v, want it opened", err)
	}
	s3.Close()
	_, err = SemOpen(posixTestName(t), unix.O_CREAT, 0o600, SEM_VALUE_MAX+1)
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("value above SEM_VALUE_MAX: %v, want EINVAL", err)
	}
	_, err = SemOpen(posixTestName(t), 0, 0, 0)
	wantErrno(t, err, unix.ENOENT)

	// A file too short to be a sem_t is refused, not mapped.
	short := posixTestName(t)
	if err := os.WriteFile("/dev/shm/sem."+short[1:], []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = SemOpen(short, 0, 0, 0)
	if err2 := SemUnlink(short); err2 != nil {
		t.Fatal(err2)
	}
	if !errors.Is(err, unix.EINVAL) {
		t.Fatalf("SemOpen of a 5-byte file: %v, want EINVAL", err)
	}

	if err := SemUnlink(name); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, SemUnlink(name), unix.ENOENT)
	// The mappings outlive the name.
	if err := s.Post(); err != nil || s2.Getvalue() != 4 {
		t.Fatalf("post after unlink: %v, value %d", err, s2.Getvalue())
	}
}

func TestShmOpen(t *testing.T) {
	name, mem := newShm(t)
	fd, err := ShmOpen(name, unix.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fd)
	if fl, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); fl&unix.FD_CLOEXEC == 0 {
		t.Fatal("shm_open's descriptor is not close-on-exec")
	}
	if st, _ := Fstat(fd); st.Size != 4096 {
		t.Fatalf("size %d, want the 4096 of Ftruncate", st.Size)
	}
	other, err := Mmap(fd, 4096, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer Munmap(other)
	copy(mem[100:], "shared")
	if string(other[100:106]) != "shared" {
		t.Fatalf("the second mapping reads %q", other[100:106])
	}
	_, err = ShmOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
	wantErrno(t, err, unix.EEXIST)
	wantErrno(t, Ftruncate(fd, -1), unix.EINVAL)

	// A directory's name is EISDIR from open(2), EINVAL from glibc.
	dir := posixTestName(t)
	if err := os.Mkdir("/dev/shm"+dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = ShmOpen(dir, unix.O_RDWR, 0)
	os.Remove("/dev/shm" + dir)
	wantErrno(t, err, unix.EINVAL)

	missing := posixTestName(t)
	_, err = ShmOpen(missing, unix.O_RDWR, 0)
	wantErrno(t, err, unix.ENOENT)
	wantErrno(t, ShmUnlink(missing), unix.ENOENT)
}
