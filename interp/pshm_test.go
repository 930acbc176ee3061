package interp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestPosixSharedMemory(t *testing.T) {
	m := pxName("m1")
	defer posixGone(t, kPshm, m)
	out, err := run(t, `shmopen f args[0] create size=8KiB
mmap a f size=8KiB
close f
spawn child { a[0:5] = "hello"; a.i64[1] = 42 }
wait child
print a[0:5], a.i64[1]
shmopen g args[0] rdonly
mmap b g size=4KiB rdonly
expect b[0:5] == "hello"
let objs = ipcs
expect len(objs) == 1
`, m)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		fmt.Sprintf(`main: shmopen f %q create size=8192 -> created`, m),
		`main: mmap a f size=8192 -> 8192 bytes`,
		`main: close f`,
		`main: spawn child`,
		`child: exit 0`,
		`main: wait child -> 0`,
		`main: hello 42`,
		fmt.Sprintf(`main: shmopen g %q rdonly -> opened`, m),
		`main: mmap b g size=4096 rdonly -> 4096 bytes`,
		`main: ipcs -> 1 object`,
		fmt.Sprintf(`main:   f: kind=pshm path=%s mode=0600 size=8192`, m),
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
}

func TestPosixSharedMemoryErrors(t *testing.T) {
	m := pxName("m2")
	defer posixGone(t, kPshm, m)
	for _, tc := range []struct{ src, errno, msg string }{
		{`shmopen f "x" create`, "EINVAL", `shm_open: the name "x" does not start with '/'`},
		{`shmunlink "/a/b"`, "ENOENT", "has a '/' after the first"},
		{`shmopen f args[0]`, "ENOENT", "add create"},
		{"shmopen f args[0] create\nmmap a f size=4KiB", "ERROR", "it has 0 bytes, fewer than size=4096"},
		{"shmopen f args[0] create size=4KiB rdonly", "EINVAL", "size= needs the object open for writing"},
		{"shmopen f args[0] create size=4KiB\nclose f\nmmap a f size=4KiB", "EBADF", "f was closed at"},
		{"shmopen f args[0] create size=4KiB\nmmap a f size=4KiB create", "ERROR", "create makes a file by its path"},
	} {
		_, err := run(t, tc.src, m)
		var e *Error
		if !errors.As(err, &e) || e.Name() != tc.errno || !strings.Contains(e.Error(), tc.msg) {
			t.Errorf("%s: %v, want %s saying %q", tc.src, err, tc.errno, tc.msg)
		}
		posixGone(t, kPshm, m)
	}
}

// TestIpcsAllPosix: `ipcs all` lists /dev/shm (a semaphore as psem, an
// object as pshm) and says whether /dev/mqueue can be listed; `ipcs`
// lists what this process opened but did not make, too.
func TestIpcsAllPosix(t *testing.T) {
	m, s := pxName("all-m"), pxName("all-s")
	defer posixGone(t, kPshm, m)
	defer posixGone(t, kPsem, s)
	out, err := run(t, `shmopen f args[0] create size=1KiB
semopen s args[1] create init=2
ipcs all
spawn child {
  shmopen g args[0]
  let objs = ipcs
  expect len(objs) == 2, "g is f, opened again: listed once"
}
wait child
`, m, s)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		fmt.Sprintf("main:   kind=pshm path=%s mode=0600 size=1024\n", m),
		fmt.Sprintf("main:   kind=psem path=%s mode=0600 value=2\n", s),
		"main: wait child -> 0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ipcs all lacks %q:\n%s", want, out)
		}
	}
	if mqueueMounted() == strings.Contains(out, "/dev/mqueue is not mounted") {
		t.Errorf("ipcs all and mqueueMounted() (%v) disagree:\n%s", mqueueMounted(), out)
	}
}
