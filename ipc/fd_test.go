package ipc

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// countFds counts this process's open descriptors. Reading the directory
// itself uses one fd, but it does so identically on every call.
func countFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// noLeaks fails the test if it ends with more fds open than it started with.
func noLeaks(t *testing.T) {
	t.Helper()
	before := countFds(t)
	t.Cleanup(func() {
		if after := countFds(t); after != before {
			t.Errorf("fd leak: %d open before, %d after", before, after)
		}
	})
}

func mustPipe(t *testing.T, nonblock bool) (r, w int) {
	t.Helper()
	r, w, err := Pipe(nonblock)
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

func mustClose(t *testing.T, fds ...int) {
	t.Helper()
	for _, fd := range fds {
		if err := Close(fd); err != nil {
			t.Errorf("close %d: %v", fd, err)
		}
	}
}

func wantErrno(t *testing.T, err error, want unix.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %s", err, ErrnoName(want))
	}
}

func TestPipeRoundTripAndEOF(t *testing.T) {
	noLeaks(t)
	r, w := mustPipe(t, false)
	defer mustClose(t, r)

	if n, err := Write(w, []byte("hello")); n != 5 || err != nil {
		t.Fatalf("write = %d, %v", n, err)
	}
	mustClose(t, w)

	buf := make([]byte, 16)
	if n, err := Read(r, buf); string(buf[:n]) != "hello" || err != nil {
		t.Fatalf("read = %q, %v", buf[:n], err)
	}
	if n, err := Read(r, buf); n != 0 || err != nil {
		t.Fatalf("read after writer closed = %d, %v; want EOF (0, nil)", n, err)
	}
}

func TestPipeFlagsAreCloexecAndNonblock(t *testing.T) {
	noLeaks(t)
	for _, nonblock := range []bool{false, true} {
		r, w := mustPipe(t, nonblock)
		for _, fd := range []int{r, w} {
			fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			if err != nil || fl&unix.FD_CLOEXEC == 0 {
				t.Errorf("fd %d: FD_CLOEXEC not set (%v)", fd, err)
			}
			if got, err := IsNonblock(fd); got != nonblock || err != nil {
				t.Errorf("IsNonblock(%d) = %v, %v; want %v", fd, got, err, nonblock)
			}
		}
		if err := SetNonblock(r, !nonblock); err != nil {
			t.Fatal(err)
		}
		if got, _ := IsNonblock(r); got == nonblock {
			t.Errorf("SetNonblock(%v) had no effect", !nonblock)
		}
		mustClose(t, r, w)
	}
}

// Go's runtime already turns SIGPIPE from a write to an fd other than 1
// and 2 into EPIPE, without ignoring the signal: an ignored SIGPIPE would
// be inherited by every program a script execs.
func TestEPIPEWithoutReader(t *testing.T) {
	r, w := mustPipe(t, false)
	defer mustClose(t, w)
	mustClose(t, r)
	_, err := Write(w, []byte("x"))
	wantErrno(t, err, unix.EPIPE)
}

// fill writes to a nonblocking pipe until EAGAIN and returns the total.
func fill(t *testing.T, w int) int {
	t.Helper()
	chunk := make([]byte, 4096) // == PIPE_BUF, so each write is all or nothing
	total := 0
	for {
		n, err := Write(w, chunk)
		total += n
		if errors.Is(err, unix.EAGAIN) {
			return total
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestNonblockingPipeFillsToCapacity(t *testing.T) {
	noLeaks(t)
	r, w := mustPipe(t, true)
	defer mustClose(t, r, w)

	size, err := PipeSize(w)
	if err != nil {
		t.Fatal(err)
	}
	if got := fill(t, w); got != size {
		t.Fatalf("wrote %d bytes before EAGAIN, PipeSize = %d", got, size)
	}
}

func TestSetPipeSize(t *testing.T) {
	noLeaks(t)
	r, w := mustPipe(t, true)
	defer mustClose(t, r, w)

	old, err := PipeSize(w)
	if err != nil {
		t.Fatal(err)
	}
	want := 2 * old
	got, err := SetPipeSize(w, want-1) // the kernel rounds up
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("SetPipeSize(%d) = %d, want %d", want-1, got, want)
	}
	if size, _ := PipeSize(r); size != got {
		t.Fatalf("PipeSize = %d after SetPipeSize returned %d", size, got)
	}
	if n := fill(t, w); n != got {
		t.Fatalf("wrote %d bytes before EAGAIN, capacity %d", n, got)
	}
}

func TestSeekOnPipe(t *testing.T) {
	r, w := mustPipe(t, false)
	defer mustClose(t, r, w)
	_, err := Seek(r, 0, unix.SEEK_SET)
	wantErrno(t, err, unix.ESPIPE)
}

func TestSeekOnFile(t *testing.T) {
	noLeaks(t)
	fd, err := Open(filepath.Join(t.TempDir(), "f"), unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, fd)
	if _, err := Write(fd, []byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	if off, err := Seek(fd, 2, unix.SEEK_SET); off != 2 || err != nil {
		t.Fatalf("seek = %d, %v", off, err)
	}
	buf := make([]byte, 8)
	if n, _ := Read(fd, buf); string(buf[:n]) != "cdef" {
		t.Fatalf("read after seek = %q", buf[:n])
	}
	st, err := Fstat(fd)
	if err != nil || st.Type != "file" || st.Size != 6 || st.Mode != 0o600 {
		t.Fatalf("Fstat = %+v, %v", st, err)
	}
}

// withUmask runs the rest of the test under mask. The umask is process-wide,
// so tests using it must not run in parallel.
func withUmask(t *testing.T, mask int) {
	old := unix.Umask(mask)
	t.Cleanup(func() { unix.Umask(old) })
}

func TestFifo(t *testing.T) {
	makers := map[string]func(string, uint32) error{
		"Mkfifo":    Mkfifo,
		"MknodFifo": MknodFifo,
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			noLeaks(t)
			withUmask(t, 0o027)
			path := filepath.Join(t.TempDir(), "fifo")
			if err := mk(path, 0o666); err != nil {
				t.Fatal(err)
			}
			wantErrno(t, mk(path, 0o666), unix.EEXIST)

			st, err := Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Type != "fifo" || st.Mode != 0o640 {
				t.Fatalf("Stat = %+v, want fifo with mode 0640", st)
			}

			_, err = Open(path, unix.O_WRONLY|unix.O_NONBLOCK, 0)
			wantErrno(t, err, unix.ENXIO)

			r, err := Open(path, unix.O_RDONLY|unix.O_NONBLOCK, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer mustClose(t, r)
			w, err := Open(path, unix.O_WRONLY|unix.O_NONBLOCK, 0)
			if err != nil {
				t.Fatalf("open write end with a reader present: %v", err)
			}
			defer mustClose(t, w)
			if st, err := Fstat(w); err != nil || st.Type != "fifo" {
				t.Fatalf("Fstat = %+v, %v", st, err)
			}

			if err := Unlink(path); err != nil {
				t.Fatal(err)
			}
			_, err = Stat(path)
			wantErrno(t, err, unix.ENOENT)
		})
	}
}

func TestStatFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if st, err := Stat(link); err != nil || st.Type != "dir" {
		t.Fatalf("Stat(symlink to dir) = %+v, %v", st, err)
	}
}

func TestFtok(t *testing.T) {
	path := t.TempDir()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{'A', 1, 0xff, 0x1ff} {
		want := int(uint32(id&0xff)<<24 | uint32(st.Dev&0xff)<<16 | uint32(st.Ino&0xffff))
		k1, err1 := Ftok(path, id)
		k2, err2 := Ftok(path, id)
		if err1 != nil || err2 != nil || k1 != want || k2 != want {
			t.Errorf("Ftok(%#x) = %#x, %#x (%v, %v); want %#x", id, k1, k2, err1, err2, want)
		}
		if k1 < 0 || k1 > 0xffffffff {
			t.Errorf("Ftok(%#x) = %#x, not a 32-bit unsigned value", id, k1)
		}
	}
	_, err := Ftok(filepath.Join(path, "missing"), 1)
	wantErrno(t, err, unix.ENOENT)
}

func TestErrnoNames(t *testing.T) {
	names := map[unix.Errno]string{
		unix.EAGAIN:      "EAGAIN",
		unix.EDEADLK:     "EDEADLK",
		unix.ESPIPE:      "ESPIPE",
		unix.EPIPE:       "EPIPE",
		unix.ENXIO:       "ENXIO",
		unix.EIDRM:       "EIDRM",
		unix.ENOMSG:      "ENOMSG",
		unix.E2BIG:       "E2BIG",
		unix.Errno(9999): "errno 9999",
	}
	if got := ErrnoName(unix.EWOULDBLOCK); got != "EAGAIN" {
		t.Errorf("ErrnoName(EWOULDBLOCK) = %q, want EAGAIN", got)
	}
	for e, want := range names {
		if got := ErrnoName(e); got != want {
			t.Errorf("ErrnoName(%d) = %q, want %q", int(e), got, want)
		}
	}
	if got := ErrnoMessage(unix.ESPIPE); got != "illegal seek" {
		t.Errorf("ErrnoMessage(ESPIPE) = %q", got)
	}

	name, msg, ok := Describe(fmtWrap(unix.EPIPE))
	if !ok || name != "EPIPE" || msg != "broken pipe" {
		t.Errorf("Describe(wrapped EPIPE) = %q, %q, %v", name, msg, ok)
	}
	if _, _, ok := Describe(errors.New("not an errno")); ok {
		t.Error("Describe accepted a non-errno error")
	}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func fmtWrap(err error) error { return wrapped{err} }

func TestReadWriteDoNotAllocate(t *testing.T) {
	r, w := mustPipe(t, false)
	defer mustClose(t, r, w)
	buf := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		Write(w, buf)
		Read(r, buf)
	})
	if allocs != 0 {
		t.Fatalf("Read+Write allocated %v times per run", allocs)
	}
}

func TestErrorReturnValues(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	if fd, err := Open(missing, unix.O_RDONLY, 0); fd != -1 || !errors.Is(err, unix.ENOENT) {
		t.Errorf("Open(missing) = %d, %v; want -1, ENOENT", fd, err)
	}
	const bad = 1 << 20 // far above any fd this test could have open
	if n, err := Read(bad, make([]byte, 1)); n != 0 || !errors.Is(err, unix.EBADF) {
		t.Errorf("Read(bad) = %d, %v", n, err)
	}
	if n, err := Write(bad, []byte("x")); n != 0 || !errors.Is(err, unix.EBADF) {
		t.Errorf("Write(bad) = %d, %v", n, err)
	}
	if n, err := PipeSize(bad); n != 0 || !errors.Is(err, unix.EBADF) {
		t.Errorf("PipeSize(bad) = %d, %v", n, err)
	}
	if on, err := IsNonblock(bad); on || !errors.Is(err, unix.EBADF) {
		t.Errorf("IsNonblock(bad) = %v, %v", on, err)
	}
	if off, err := Seek(bad, 0, unix.SEEK_SET); off != 0 || !errors.Is(err, unix.EBADF) {
		t.Errorf("Seek(bad) = %d, %v", off, err)
	}
	wantErrno(t, Close(bad), unix.EBADF)
}
