package ipc

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func mustSend(t *testing.T, q int, mtype int64, text string) {
	t.Helper()
	if err := Msgsnd(q, mtype, []byte(text), unix.IPC_NOWAIT, nil); err != nil {
		t.Fatalf("send %d %q: %v", mtype, text, err)
	}
}

// recv receives with a max of maxText bytes and returns type and text.
func recv(q int, mtype int64, flags, maxText int) (int64, string, error) {
	buf := make([]byte, MsgHeader+maxText)
	got, n, err := Msgrcv(q, buf, mtype, flags, nil)
	return got, string(buf[MsgHeader : MsgHeader+n]), err
}

func mustRecv(t *testing.T, q int, mtype int64, flags int, wantType int64, wantText string) {
	t.Helper()
	got, text, err := recv(q, mtype, flags|unix.IPC_NOWAIT, 100)
	if err != nil || got != wantType || text != wantText {
		t.Fatalf("recv type=%d flags=%#o = %d %q, %v; want %d %q", mtype, flags, got, text, err, wantType, wantText)
	}
}

func TestMsgTypes(t *testing.T) {
	q := newQueue(t)
	mustSend(t, q, 3, "c")
	mustSend(t, q, 1, "a")
	mustSend(t, q, 2, "b")
	mustSend(t, q, 1, "a2")
	mustSend(t, q, 5, "") // an empty message is a message

	mustRecv(t, q, 2, 0, 2, "b")                  // first of type 2
	mustRecv(t, q, -2, 0, 1, "a")                 // lowest type up to 2, the first of it
	mustRecv(t, q, 1, MSG_EXCEPT, 3, "c")         // first not of type 1
	mustRecv(t, q, 0, 0, 1, "a2")                 // first of any type
	mustRecv(t, q, 4, MSG_EXCEPT, 5, "")          // the empty one
	_, _, err := recv(q, 0, unix.IPC_NOWAIT, 100) // the queue is empty
	wantErrno(t, err, unix.ENOMSG)
}

func TestMsgBadArguments(t *testing.T) {
	q := newQueue(t)
	wantErrno(t, Msgsnd(q, 0, []byte("x"), unix.IPC_NOWAIT, nil), unix.EINVAL) // types are > 0
	if _, _, err := Msgrcv(q, make([]byte, MsgHeader-1), 0, 0, nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Msgrcv with no room for the type = %v, want EINVAL", err)
	}
	limits, err := Limits()
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, limits.MsgMax+1)
	wantErrno(t, Msgsnd(q, 1, big, unix.IPC_NOWAIT, nil), unix.EINVAL)
	wantErrno(t, Msgsnd(-1, 1, nil, unix.IPC_NOWAIT, nil), unix.EINVAL)
}

func TestMsgNoerrorTruncates(t *testing.T) {
	q := newQueue(t)
	mustSend(t, q, 1, "0123456789")

	_, _, err := recv(q, 0, unix.IPC_NOWAIT, 4)
	wantErrno(t, err, unix.E2BIG)
	if ds, _ := MsgctlStat(q); ds.Qnum != 1 {
		t.Fatalf("after E2BIG the message should still be queued; qnum = %d", ds.Qnum)
	}

	mustRecv4 := func() {
		got, text, err := recv(q, 0, MSG_NOERROR|unix.IPC_NOWAIT, 4)
		if got != 1 || text != "0123" || err != nil {
			t.Fatalf("recv noerror max=4 = %d %q, %v; want 1 \"0123\"", got, text, err)
		}
	}
	mustRecv4()
	if ds, _ := MsgctlStat(q); ds.Qnum != 0 || ds.Cbytes != 0 {
		t.Fatalf("the rest of a truncated message is discarded; qnum %d cbytes %d", ds.Qnum, ds.Cbytes)
	}
}

func TestMsgFullQueue(t *testing.T) {
	q := newQueue(t)
	ds, err := MsgctlStat(q)
	if err != nil {
		t.Fatal(err)
	}
	ds.Qbytes = 100
	if err := MsgctlSet(q, &ds); err != nil {
		t.Fatal("IPC_SET qbytes:", err)
	}
	if ds, _ := MsgctlStat(q); ds.Qbytes != 100 {
		t.Fatalf("qbytes = %d after IPC_SET 100", ds.Qbytes)
	}
	text := []byte(strings.Repeat("x", 60))
	if err := Msgsnd(q, 1, text, unix.IPC_NOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, Msgsnd(q, 1, text, unix.IPC_NOWAIT, nil), unix.EAGAIN)
}

func TestMsgStat(t *testing.T) {
	q := newQueue(t)
	ds, err := MsgctlStat(q)
	if err != nil {
		t.Fatal(err)
	}
	limits, _ := Limits()
	if ds.Qnum != 0 || ds.Cbytes != 0 || ds.Stime != 0 || ds.Lspid != 0 || ds.Ctime == 0 ||
		ds.Qbytes != limits.MsgMnb || ds.Perm.Mode&0o777 != 0o600 || ds.Perm.Key != 0 ||
		ds.Perm.Uid != uint32(os.Getuid()) || ds.Perm.Cuid != uint32(os.Getuid()) {
		t.Fatalf("new queue: %+v", ds)
	}

	mustSend(t, q, 1, "hello")
	mustSend(t, q, 2, "hi")
	ds, _ = MsgctlStat(q)
	if ds.Qnum != 2 || ds.Cbytes != 7 || ds.Lspid != int32(os.Getpid()) || ds.Stime == 0 || ds.Lrpid != 0 {
		t.Fatalf("after two sends: %+v", ds)
	}
	mustRecv(t, q, 0, 0, 1, "hello")
	ds, _ = MsgctlStat(q)
	if ds.Qnum != 1 || ds.Cbytes != 2 || ds.Lrpid != int32(os.Getpid()) || ds.Rtime == 0 {
		t.Fatalf("after a receive: %+v", ds)
	}

	pid := helper(t, "msgsnd", q)
	ds, _ = MsgctlStat(q)
	if ds.Lspid != int32(pid) || ds.Qnum != 2 {
		t.Fatalf("after the helper (pid %d) sent: lspid %d qnum %d", pid, ds.Lspid, ds.Qnum)
	}
	mustRecv(t, q, 7, 0, 7, "from the helper")

	ds.Perm.Mode = 0o640
	if err := MsgctlSet(q, &ds); err != nil {
		t.Fatal(err)
	}
	if ds, _ := MsgctlStat(q); ds.Perm.Mode&0o777 != 0o640 {
		t.Fatalf("mode %#o after IPC_SET 0640", ds.Perm.Mode)
	}
}

// A receiver blocked on a queue that is removed gets EIDRM.
func TestMsgRemovedWhileWaiting(t *testing.T) {
	q := newQueue(t)
	done := make(chan error, 1)
	tid := lockedTid(func() {
		_, _, err := recv(q, 0, 0, 100)
		done <- err
	})
	waitInSyscall(t, tid, unix.SYS_MSGRCV)
	if err := MsgctlRmid(q); err != nil {
		t.Fatal(err)
	}
	wantErrno(t, <-done, unix.EIDRM)
	_, err := MsgctlStat(q)
	wantErrno(t, err, unix.EINVAL)
}

// A blocked receiver gets a message sent later, by another goroutine.
func TestMsgBlockingReceive(t *testing.T) {
	q := newQueue(t)
	done := make(chan string, 1)
	tid := lockedTid(func() {
		_, text, err := recv(q, 2, 0, 100)
		if err != nil {
			text = err.Error()
		}
		done <- text
	})
	waitInSyscall(t, tid, unix.SYS_MSGRCV)
	mustSend(t, q, 1, "not for it")
	mustSend(t, q, 2, "for it")
	if got := <-done; got != "for it" {
		t.Fatalf("blocked receiver got %q", got)
	}
}

func TestMsgDoNotAllocate(t *testing.T) {
	q := newQueue(t)
	// Bigger than the 32 bytes for which the compiler would put even a
	// fresh buffer on the stack.
	text := []byte(strings.Repeat("ping", 25))
	buf := make([]byte, MsgHeader+len(text))
	for _, it := range []*Interrupter{nil, NewInterrupter()} {
		allocs := testing.AllocsPerRun(200, func() {
			if err := Msgsnd(q, 1, text, 0, it); err != nil {
				t.Fatal(err)
			}
			if _, _, err := Msgrcv(q, buf, 0, 0, it); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Msgsnd+Msgrcv (Interrupter %v) allocated %v times per run", it != nil, allocs)
		}
	}
}
