package interp

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// testKey is a key of this test process's own, so that parallel test
// runs on the machine never meet.
func testKey(n int) int { return 0x7e000000 | (os.Getpid()&0xfff)<<8 | n }

// TestKernelAnswers: an argument the kernel judges reaches the kernel,
// and the script sees the kernel's errno, not an ERROR of ipcsh's own
// (LANGUAGE.md §5).
func TestKernelAnswers(t *testing.T) {
	before := sysvIDs(t)
	missing := fmt.Sprintf("%#x", testKey(1))
	for _, tc := range []struct{ src, err string }{
		{`semget s key=private nsems=10; try sem p s[10] nowait`, "EFBIG"},
		{`semget s key=private nsems=10; try sem v s[10]`, "EFBIG"},
		{`semget s key=private nsems=10; try sem op s 10:1`, "EFBIG"},
		{`semget s key=private nsems=10; try sem op s 0:1 65535:-1`, "EFBIG"},
		{`semget s key=private nsems=10; try sem get s[10]`, "EINVAL"},
		{`semget s key=private nsems=10; try sem set s[10] 1`, "EINVAL"},
		{`semget s key=private; try sem set s 40000`, "ERANGE"},
		{`semget s key=private; let n = 0 - 1; try sem set s n`, "ERANGE"},
		{`semget s key=private nsems=2; try sem setall s 1 40000`, "ERANGE"},
		{`semget s key=private; try sem op s 0:-32768 nowait`, "EAGAIN"},
		{`try semget s key=private init=40000`, "ERANGE"},
		{`try msgget q key=` + missing + ` excl`, "ENOENT"},
		{`try shmget m key=` + missing + ` size=10 excl`, "ENOENT"},
		{`try semget s key=` + missing + ` excl`, "ENOENT"},
		{`msgget q key=private; try recv q type=-1 except nowait`, "ENOMSG"},
		{`msgget q key=private; try recv q type=0 except nowait`, "ENOMSG"},
		{`msgget q key=private; try recv q max=-1 nowait`, "EINVAL"},
		{`try shmget m key=private size=-1`, "EINVAL"},
		{`try shmget m key=private size=0`, "EINVAL"},
		// msg_qbytes is unsigned: -1 is the largest value, which needs
		// CAP_SYS_RESOURCE: the kernel decides, whatever it says.
		{`msgget q key=private; try msgctl q set qbytes=-1`, "*"},
		{`try mmap m tmp + "/f" size=0 create`, "EINVAL"},
		{`mkfifo tmp + "/p"; open f tmp + "/p" rdwr; try mmap m tmp + "/p" size=10`, "ENODEV"},
	} {
		out, err := run(t, tc.src+"\nprint \"err=\" + err\n")
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if tc.err == "*" && !strings.Contains(out, "main: err=ERROR\n") {
			continue
		}
		if !strings.Contains(out, "main: err="+tc.err+"\n") {
			t.Errorf("%s: want err=%s, transcript:\n%s", tc.src, tc.err, out)
		}
	}
	noNewObjects(t, before)
}

// TestKernelAnswersOpen: excl without create opens an existing object,
// as IPC_EXCL alone does in C; except with type= 0 is any message.
func TestKernelAnswersOpen(t *testing.T) {
	before := sysvIDs(t)
	key := fmt.Sprintf("%#x", testKey(2))
	out, err := run(t, `msgget a key=`+key+` create
msgget b key=`+key+` excl
expect a.id == b.id
send a "x" type=3
let m = recv b type=0 except nowait
expect m.type == 3
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "main: msgget b key="+key+" excl -> opened\n") {
		t.Errorf("excl without create did not open:\n%s", out)
	}
	noNewObjects(t, before)
}

// TestReadZero: read FD 0 is read(fd, buf, 0): 0 bytes, which is not EOF.
func TestReadZero(t *testing.T) {
	out, err := run(t, `pipe p
write p.w "abc"
let s = read p.r 0
expect s == ""
read p.r
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `main: read p.r 0 -> ""`+"\n") || !strings.Contains(out, `main: read p.r -> "abc"`) {
		t.Errorf("transcript:\n%s", out)
	}
}

// TestRefusalsThatStay: what would harm the interpreter, or what C would
// silently turn into something else, is refused with ERROR.
func TestRefusalsThatStay(t *testing.T) {
	before := sysvIDs(t)
	for _, tc := range []struct{ src, want string }{
		{`semget s key=private; try sem p s[65536]`, "sem_num is an unsigned short"},
		{`semget s key=private; try sem p s[-1]`, "sem_num is an unsigned short"},
		{`semget s key=private; try sem op s 0:40000`, "sem_op is a short"},
		{`semget s key=private nsems=2; try sem setall s 1`, "s has 2 semaphores, found 1 values"},
		{`semget s key=private; try sem setall s 70000`, "unsigned short"},
		{`semget s key=private; try sem set s 0x1_0000_0000`, "does not fit in an int"},
		{`try semget s key=private init=70000`, "unsigned short"},
		{`msgget q key=private; try recv q max=0x8000_0000`, "at most"},
		{`try msgget q key=private mode=01600`, "IPC_CREAT"},
		{`pipe p; let n = 0 - 1; try read p.r n`, "not negative"},
	} {
		out, err := run(t, tc.src+"\nprint \"err=\" + err\n")
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if !strings.Contains(out, tc.want) || !strings.Contains(out, "main: err=ERROR\n") {
			t.Errorf("%s: want ERROR saying %q:\n%s", tc.src, tc.want, out)
		}
	}
	noNewObjects(t, before)
}

// TestOpenPassesTheMode: msgget, shmget and semget pass mode= when they
// open, as msgget(key, mode) does in C, so a process without permission
// gets EACCES at the get; mode=0 asks for nothing and opens. The script
// runs with the effective uid of nobody (the tests run as root, whom
// CAP_IPC_OWNER lets through everything).
func TestOpenPassesTheMode(t *testing.T) {
	if unix.Geteuid() != 0 {
		t.Skip("needs root to switch the effective uid to nobody for the script")
	}
	before := sysvIDs(t)
	defer noNewObjects(t, before) // after the removals below
	kq, ks, km := testKey(3), testKey(4), testKey(5)
	q, err := ipc.Msgget(kq, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.MsgctlRmid(q)
	s, err := ipc.Semget(ks, 3, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.SemctlRmid(s)
	m, err := ipc.Shmget(km, 100, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer ipc.ShmctlRmid(m)

	src := fmt.Sprintf(`try msgget q key=%#x mode=0600
expect err == "EACCES"
try msgget q key=%#x
expect err == "EACCES"
try shmget m key=%#x size=0 mode=0600
expect err == "EACCES"
try semget s key=%#x mode=0400
expect err == "EACCES"
msgget q key=%#x mode=0
shmget m key=%#x size=0 mode=0
semget s key=%#x mode=0
expect q.id == %d && m.id == %d && s.id == %d
try send q "x" nowait
expect err == "EACCES"
try sem get s[2]
expect err == "EACCES"
`, kq, kq, km, ks, kq, km, ks, q, m, s)
	out, err := asNobody(t, src)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		fmt.Sprintf("main: msgget q key=%#x mode=0600 -> error EACCES", kq),
		fmt.Sprintf("main: shmget m key=%#x size=0 mode=0 -> opened", km),
		fmt.Sprintf("main: semget s key=%#x mode=0 -> opened", ks),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

// asNobody runs src as runCfg does, with the effective uid and gid of
// nobody for the run itself (the runner is set up and closed as root).
// syscall.Setresuid changes every thread of the process, and the saved
// uid 0 lets the test switch back.
func asNobody(t *testing.T, src string) (string, error) {
	t.Helper()
	prog := mustParse(t, src)
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setresgid(-1, 65534, -1); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setresuid(-1, 65534, -1); err != nil {
		syscall.Setresgid(-1, 0, -1)
		t.Fatal(err)
	}
	runErr := r.Run(prog)
	if err := syscall.Setresuid(-1, 0, -1); err != nil {
		panic(err) // the rest of the tests cannot run as nobody
	}
	if err := syscall.Setresgid(-1, 0, -1); err != nil {
		panic(err)
	}
	runErr = r.End(runErr)
	if err := r.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return out.String(), runErr
}
