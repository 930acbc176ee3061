package ipc

import (
	"os"
	"os/signal"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newMq creates a queue with a run-unique name, unlinked and closed when
// the test ends.
func newMq(t testing.TB, maxmsg, msgsize int64) (name string, mqd int) {
	t.Helper()
	name = posixTestName(t)
	var attr *MqAttr
	if maxmsg > 0 {
		attr = &MqAttr{Maxmsg: maxmsg, Msgsize: msgsize}
	}
	mqd, err := MqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, attr)
	if err != nil {
		t.Fatalf("MqOpen(%s): %v", name, err)
	}
	t.Cleanup(func() {
		Close(mqd)
		if err := MqUnlink(name); err != nil && err != unix.ENOENT {
			t.Errorf("MqUnlink(%s): %v", name, err)
		}
	})
	return name, mqd
}

func mqSend(t testing.TB, mqd int, text string, prio int) {
	t.Helper()
	if err := MqTimedsend(mqd, []byte(text), prio, nil, nil); err != nil {
		t.Fatalf("MqTimedsend(%q, %d): %v", text, prio, err)
	}
}

func mqRecv(t testing.TB, mqd int, size int) (string, uint) {
	t.Helper()
	buf := make([]byte, size)
	n, prio, err := MqTimedreceive(mqd, buf, nil, nil)
	if err != nil {
		t.Fatalf("MqTimedreceive: %v", err)
	}
	return string(buf[:n]), prio
}

func TestMqPriorityOrder(t *testing.T) {
	_, q := newMq(t, 10, 64)
	for _, m := range []struct {
		text string
		prio int
	}{{"low", 1}, {"high-1", 5}, {"mid", 3}, {"high-2", 5}, {"zero", 0}} {
		mqSend(t, q, m.text, m.prio)
	}
	// Highest priority first, and within one priority the oldest.
	for _, want := range []struct {
		text string
		prio uint
	}{{"high-1", 5}, {"high-2", 5}, {"mid", 3}, {"low", 1}, {"zero", 0}} {
		if text, prio := mqRecv(t, q, 64); text != want.text || prio != want.prio {
			t.Fatalf("received %q prio %d, want %q prio %d", text, prio, want.text, want.prio)
		}
	}
}

func TestMqSizesAndPriorityLimits(t *testing.T) {
	_, q := newMq(t, 2, 16)
	wantErrno(t, MqTimedsend(q, make([]byte, 17), 0, nil, nil), unix.EMSGSIZE)
	mqSend(t, q, "", 0) // empty messages are messages
	mqSend(t, q, "sixteen bytes!!!", 0)
	// The buffer must hold msgsize, whatever the message's length.
	_, _, err := MqTimedreceive(q, make([]byte, 15), nil, nil)
	wantErrno(t, err, unix.EMSGSIZE)
	if text, _ := mqRecv(t, q, 16); text != "" {
		t.Fatalf("first message %q, want the empty one", text)
	}
	// MQ_PRIO_MAX is 32768; a negative priority reaches the kernel as
	// its unsigned 32 bits, as from C, and a wider one is refused here.
	wantErrno(t, MqTimedsend(q, nil, 32768, nil, nil), unix.EINVAL)
	wantErrno(t, MqTimedsend(q, nil, -1, nil, nil), unix.EINVAL)
	wantErrno(t, MqTimedsend(q, nil, 1<<32, nil, nil), unix.EINVAL)
	mqSend(t, q, "top", 32767)
	if text, prio := mqRecv(t, q, 16); text != "top" || prio != 32767 {
		t.Fatalf("received %q prio %d", text, prio)
	}
}

func TestMqAttrNonblockAndTimeout(t *testing.T) {
	_, q := newMq(t, 3, 32)
	a, err := MqGetattr(q)
	if err != nil || a.Maxmsg != 3 || a.Msgsize != 32 || a.Curmsgs != 0 || a.Flags != 0 {
		t.Fatalf("MqGetattr = %+v, %v", a, err)
	}
	mqSend(t, q, "x", 0)
	if a, _ := MqGetattr(q); a.Curmsgs != 1 {
		t.Fatalf("curmsgs %d after one send", a.Curmsgs)
	}
	mqRecv(t, q, 32)

	// An absolute deadline that passes: ETIMEDOUT, after it and not long
	// before.
	start := time.Now()
	_, _, err = MqTimedreceive(q, make([]byte, 32), Deadline(30*time.Millisecond), nil)
	wantErrno(t, err, unix.ETIMEDOUT)
	if d := time.Since(start); d < 25*time.Millisecond {
		t.Fatalf("timed out after %v, before the deadline", d)
	}
	// A malformed deadline is the kernel's EINVAL, even before waiting.
	_, _, err = MqTimedreceive(q, make([]byte, 32), &unix.Timespec{Sec: 1, Nsec: 1e9}, nil)
	wantErrno(t, err, unix.EINVAL)

	old, err := MqSetattr(q, &MqAttr{Flags: unix.O_NONBLOCK})
	if err != nil || old.Flags != 0 {
		t.Fatalf("MqSetattr = %+v, %v", old, err)
	}
	if a, _ := MqGetattr(q); a.Flags != unix.O_NONBLOCK {
		t.Fatalf("flags %#x after setting O_NONBLOCK", a.Flags)
	}
	_, _, err = MqTimedreceive(q, make([]byte, 32), nil, nil)
	wantErrno(t, err, unix.EAGAIN)
	for range 3 {
		mqSend(t, q, "fill", 0)
	}
	wantErrno(t, MqTimedsend(q, []byte("full"), 0, nil, nil), unix.EAGAIN)
	// Only O_NONBLOCK can be set.
	_, err = MqSetattr(q, &MqAttr{Flags: unix.O_APPEND})
	wantErrno(t, err, unix.EINVAL)
}

func TestMqOpenFlagsAndDefaults(t *testing.T) {
	name, q := newMq(t, 0, 0) // the system's default attributes
	lim, err := ReadMqLimits()
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := MqGetattr(q); a.Maxmsg != lim.MsgDefault || a.Msgsize != lim.MsgsizeDefault {
		t.Fatalf("a queue made without attributes has %d x %d, the limits say %d x %d",
			a.Maxmsg, a.Msgsize, lim.MsgDefault, lim.MsgsizeDefault)
	}
	if lim.MsgMax < lim.MsgDefault || lim.MsgsizeMax < lim.MsgsizeDefault || lim.QueuesMax <= 0 {
		t.Fatalf("implausible limits %+v", lim)
	}
	// The kernel makes every queue descriptor close-on-exec.
	if fl, err := unix.FcntlInt(uintptr(q), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Fatalf("F_GETFD = %#x, %v: not close-on-exec", fl, err)
	}
	_, err = MqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, nil)
	wantErrno(t, err, unix.EEXIST)
	// A second descriptor of the same queue, read-only: sending is EBADF.
	r, err := MqOpen(name, unix.O_RDONLY, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(r)
	wantErrno(t, MqTimedsend(r, []byte("x"), 0, nil, nil), unix.EBADF)
	mqSend(t, q, "via q", 2)
	if text, prio := mqRecv(t, r, int(lim.MsgsizeDefault)); text != "via q" || prio != 2 {
		t.Fatalf("received %q prio %d through the second descriptor", text, prio)
	}
	// maxmsg 0 is the kernel's EINVAL.
	_, err = MqOpen(posixTestName(t), unix.O_RDWR|unix.O_CREAT, 0o600, &MqAttr{Maxmsg: 0, Msgsize: 8})
	wantErrno(t, err, unix.EINVAL)
	_, err = MqOpen(posixTestName(t), unix.O_RDWR, 0, nil)
	wantErrno(t, err, unix.ENOENT)
	wantErrno(t, MqUnlink(posixTestName(t)), unix.ENOENT)
}

func TestMqNotify(t *testing.T) {
	_, q := newMq(t, 4, 16)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGUSR2)
	defer signal.Stop(sigs)

	if err := MqNotify(q, unix.SIGUSR2, 7); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, MqNotify(q, unix.SIGUSR2, 7), unix.EBUSY) // one registration per queue
	if err := MqNotifyRemove(q); err != nil {
		t.Fatal(err)
	}
	mqSend(t, q, "unnoticed", 0)
	select {
	case s := <-sigs:
		t.Fatalf("%v after the registration was removed", s)
	case <-time.After(20 * time.Millisecond):
	}
	mqRecv(t, q, 16)

	if err := MqNotify(q, unix.SIGUSR2, 7); err != nil {
		t.Fatal(err)
	}
	mqSend(t, q, "noticed", 0)
	select {
	case <-sigs:
	case <-time.After(5 * time.Second):
		t.Fatal("no SIGUSR2 for a message on an empty queue")
	}
	// A notification is delivered once, and then the queue is free.
	if err := MqNotify(q, unix.SIGUSR2, 8); err != nil {
		t.Fatalf("registering again after the notification: %v", err)
	}
	if err := MqNotifyRemove(q); err != nil {
		t.Fatal(err)
	}
}

func TestInterruptBlockedMq(t *testing.T) {
	if !CanInterruptIO() {
		t.Skip("the interrupt signal has SA_RESTART here; mq calls cannot be cancelled")
	}
	_, q := newMq(t, 1, 16)
	it := NewInterrupter()
	done := make(chan error, 1)
	go func() {
		_, _, err := MqTimedreceive(q, make([]byte, 16), nil, it)
		done <- err
	}()
	if err := fireAndWait(t, it, unix.SYS_MQ_TIMEDRECEIVE, done); err != ErrInterrupted {
		t.Fatalf("cancelled MqTimedreceive = %v, want ErrInterrupted", err)
	}
	it.Reset()

	// A send waiting for room, with a deadline far away.
	mqSend(t, q, "fills it", 0)
	go func() { done <- MqTimedsend(q, []byte("waits"), 0, Deadline(time.Hour), it) }()
	if err := fireAndWait(t, it, unix.SYS_MQ_TIMEDSEND, done); err != ErrInterrupted {
		t.Fatalf("cancelled MqTimedsend = %v, want ErrInterrupted", err)
	}
	// Nothing was sent or taken by the cancelled calls.
	if a, _ := MqGetattr(q); a.Curmsgs != 1 {
		t.Fatalf("curmsgs %d, want the one message", a.Curmsgs)
	}
	it.Reset()
	if text, _ := mqRecv(t, q, 16); text != "fills it" {
		t.Fatalf("received %q", text)
	}
}
