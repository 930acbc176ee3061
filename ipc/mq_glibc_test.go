package ipc

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The queues of mq.go against glibc's mq_* through testdata/pmq.c.
func TestMqGlibcInterop(t *testing.T) {
	bin := cProgram(t, "pmq")

	t.Run("GoCreatesCUses", func(t *testing.T) {
		name, q := newMq(t, 4, 32)
		// C sends with priorities; Go receives the highest first.
		got := runC(t, bin, name, "open", "send=1:low", "send=9:high", "send=5:mid", "big", "attr")
		want := []string{"send ok", "send ok", "send ok", "big EMSGSIZE", "attr 4 32 3 0"}
		if len(got) != len(want) {
			t.Fatalf("C said %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("C said %q, want %q", got[i], want[i])
			}
		}
		for _, w := range []struct {
			text string
			prio uint
		}{{"high", 9}, {"mid", 5}, {"low", 1}} {
			if text, prio := mqRecv(t, q, 32); text != w.text || prio != w.prio {
				t.Fatalf("Go received %q prio %d, want %q prio %d", text, prio, w.text, w.prio)
			}
		}
		// Go sends; C receives the highest first, then times out.
		mqSend(t, q, "two", 2)
		mqSend(t, q, "seven", 7)
		mqSend(t, q, "also-seven", 7)
		got = runC(t, bin, name, "open", "recv", "recv", "recv", "timedrecv=20")
		want = []string{"recv 7 seven", "recv 7 also-seven", "recv 2 two", "recv ETIMEDOUT"}
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Fatalf("C said %q, want %q", got, want)
			}
		}
	})

	t.Run("CCreatesGoUses", func(t *testing.T) {
		name := posixTestName(t)
		if got := runC(t, bin, name, "create=2,8"); len(got) != 1 || got[0] != "" {
			t.Fatalf("C said %q", got)
		}
		q, err := MqOpen(name, unix.O_RDWR, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer Close(q)
		if a, _ := MqGetattr(q); a.Maxmsg != 2 || a.Msgsize != 8 {
			t.Fatalf("C's queue has %d x %d, want 2 x 8", a.Maxmsg, a.Msgsize)
		}
		wantErrno(t, MqTimedsend(q, []byte("nine byte"), 0, nil, nil), unix.EMSGSIZE)

		// Each side blocked in a receive is woken by the other's send.
		p := startC(t, bin, name, "open", "timedrecv=10000", "unlink")
		p.inSyscall(unix.SYS_MQ_TIMEDRECEIVE)
		mqSend(t, q, "to C", 3)
		p.expect("recv 3 to C")
		p.expect("unlink ok")
		p.end()
		it := NewInterrupter()
		done := make(chan error, 1)
		go func() {
			buf := make([]byte, 8)
			n, prio, err := MqTimedreceive(q, buf, Deadline(10*time.Second), it)
			if err == nil && (string(buf[:n]) != "to Go" || prio != 4) {
				t.Errorf("Go received %q prio %d", buf[:n], prio)
			}
			done <- err
		}()
		waitInSyscall(t, callerTid(t, it), unix.SYS_MQ_TIMEDRECEIVE)
		// The name is gone, but C can still reach the queue through a
		// descriptor it inherits, as a child of ipcsh would.
		if got := runCWithFd(t, bin, q, "-", "fd=3", "send=4:to Go"); got != "send ok" {
			t.Fatalf("C said %q", got)
		}
		if err := waitDone(t, done); err != nil {
			t.Fatal(err)
		}
		_, err = MqOpen(name, unix.O_RDWR, 0, nil)
		wantErrno(t, err, unix.ENOENT)
	})
}

// runCWithFd runs a C program of one step that inherits fd as its fd 3,
// and returns its line.
func runCWithFd(t *testing.T, bin string, fd int, args ...string) string {
	t.Helper()
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(dup), "inherited")
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSuffix(string(out), "\n")
}
