package interp

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// pxName is a POSIX name unique to this test process.
func pxName(tag string) string {
	return fmt.Sprintf("/ipcsh-test-%d-%s", os.Getpid(), tag)
}

// posixGone fails the test if any of the POSIX objects is still there:
// the run must have unlinked what it made.
func posixGone(t *testing.T, kind posixKind, names ...string) {
	t.Helper()
	for _, n := range names {
		if kind == kMq {
			fd, err := ipc.MqOpen(n, unix.O_RDONLY, 0, nil)
			if err == nil {
				ipc.Close(fd)
				_ = ipc.MqUnlink(n)
				t.Errorf("POSIX queue %s left behind", n)
			}
			continue
		}
		if _, err := os.Lstat(kind.path(n)); err == nil {
			_ = os.Remove(kind.path(n))
			t.Errorf("%s left behind", kind.path(n))
		}
	}
}

func TestPosixQueueTranscript(t *testing.T) {
	q := pxName("q1")
	defer posixGone(t, kMq, q)
	out, err := run(t, `mqopen q args[0] create maxmsg=4 msgsize=64
send q "low" prio=1
send q "high" prio=9
send q "also high" prio=9
let m = recv q
expect m.prio == 9 && m.text == "high"
recv q
recv q
let a = mqattr q
expect a.curmsgs == 0 && a.maxmsg == 4 && a.msgsize == 64 && a.nonblock == false
try recv q nowait
expect err == "EAGAIN"
try recv q timeout=20ms
expect err == "ETIMEDOUT"
spawn child {
  let m = recv q
  print "child got", m.text, m.prio
}
send q "for the child" prio=3
wait child
ipcs
`, q)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		fmt.Sprintf(`main: mqopen q %q create maxmsg=4 msgsize=64 -> created`, q),
		`main: send q "low" prio=1`,
		`main: send q "high" prio=9`,
		`main: send q "also high" prio=9`,
		`main: recv q -> prio=9 "high"`,
		`main: recv q -> prio=9 "also high"`,
		`main: recv q -> prio=1 "low"`,
		`main: mqattr q -> maxmsg=4 msgsize=64 curmsgs=0 nonblock=false`,
		`main: recv q nowait -> error EAGAIN (resource temporarily unavailable)`,
		`main: recv q timeout=20ms -> error ETIMEDOUT (connection timed out)`,
		`main: spawn child`,
		`main: send q "for the child" prio=3`,
		`child: recv q -> prio=3 "for the child"`,
		`child: child got for the child 3`,
		`child: exit 0`,
		`main: wait child -> 0`,
		`main: ipcs -> 1 object`,
		fmt.Sprintf(`main:   q: kind=mq path=%s mode=0600 messages=0 maxmsg=4 msgsize=64`, q),
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
}

// TestPosixQueueErrors: each refusal says why, and leaves nothing behind.
func TestPosixQueueErrors(t *testing.T) {
	q, big := pxName("q2"), pxName("big")
	defer posixGone(t, kMq, q, big)
	l, err := ipc.ReadMqLimits()
	if err != nil {
		t.Fatal(err)
	}
	over := l.MsgMax + 1
	cases := []struct {
		src, errno, msg string
	}{
		{`mqopen x "noslash" create`, "EINVAL", `the name "noslash" does not start with '/'`},
		{`mqopen x "/a/b" create`, "EINVAL", "glibc's and POSIX's rule, not the kernel's"},
		{fmt.Sprintf(`mqopen x %q create maxmsg=%d`, big, over), "EINVAL", fmt.Sprintf("maxmsg=%d > /proc/sys/fs/mqueue/msg_max (%d)", over, l.MsgMax)},
		{fmt.Sprintf(`mqopen x %q`, big), "ENOENT", "add create"},
		{fmt.Sprintf("mqopen q %q create msgsize=16\nsend q \"%s\"", q, strings.Repeat("x", 20)), "EMSGSIZE", "20 bytes > msgsize 16 of " + q},
		{fmt.Sprintf("mqopen q %q create\nsend q \"x\" type=2", q), "", "q is a POSIX queue: type= belongs to SysV queues"},
		{fmt.Sprintf("mqopen q %q create\nrecv q type=2", q), "", "q is a POSIX queue: type= belongs to SysV queues"},
		{"msgget q key=private create\nsend q \"x\" prio=2", "", "q is a SysV queue: prio= belongs to POSIX queues"},
		{fmt.Sprintf("mqopen q %q create\nclose q\nrecv q", q), "EBADF", "q was closed at t.ipc:2:1"},
		{fmt.Sprintf("mqopen q %q create\nsend q \"x\" prio=40000", q), "EINVAL", "prio=40000: a priority is 0 to 32767"},
		{fmt.Sprintf("mqopen q %q create excl\nmqopen r %q create excl", q, q), "EEXIST", "already exists"},
		{`mqunlink "nope"`, "EINVAL", "does not start with '/'"},
	}
	for _, tc := range cases {
		_, err := run(t, tc.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: error %v, want an *Error", tc.src, err)
			continue
		}
		if e.Name() != tc.errno && !(tc.errno == "" && e.Name() == "ERROR") {
			t.Errorf("%s: %s, want %s", tc.src, e.Name(), tc.errno)
		}
		if !strings.Contains(e.Error(), tc.msg) {
			t.Errorf("%s: %q does not say %q", tc.src, e.Error(), tc.msg)
		}
	}
}

// TestPosixQueueKeep: keep leaves the queue for later runs; without
// create, a later run opens it, and mqunlink removes it.
func TestPosixQueueKeep(t *testing.T) {
	q := pxName("kept")
	defer posixGone(t, kMq, q)
	if _, err := run(t, `mqopen q args[0] create keep
send q "left for later" prio=7`, q); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, `mqopen q args[0]
recv q
mqunlink args[0]
try mqopen r args[0]`, q)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		fmt.Sprintf(`main: mqopen q %q -> opened`, q),
		`main: recv q -> prio=7 "left for later"`,
		fmt.Sprintf(`main: mqunlink %q`, q),
		fmt.Sprintf(`main: mqopen r %q -> error ENOENT (no such file or directory)`, q),
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
}

// TestPosixQueueNotify: the registration is the kernel's: while a child
// is registered, another process gets EBUSY (one per queue); once the
// child has closed its descriptor (by ending), main may register.
func TestPosixQueueNotify(t *testing.T) {
	q := pxName("notify")
	defer posixGone(t, kMq, q)
	out, err := run(t, `mqopen q args[0] create
pipe p
pipe done
spawn child {
  mqnotify q signal=SIGUSR2
  write p.w "x"
  read done.r 1
}
read p.r 1
try mqnotify q signal=SIGUSR1
expect err == "EBUSY"
write done.w "x"
wait child
send q "wake"
mqnotify q signal=USR1
mqnotify q off
`, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"main: mqnotify q signal=SIGUSR1 -> error EBUSY (device or resource busy)",
		"main: mqnotify q signal=USR1\nmain: mqnotify q off\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}
