package interp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cSigqueue sends one signal with a value, as any C program outside the
// run would: sigqueue PID SIGNO VALUE.
const cSigqueue = `#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc != 4) return 2;
	union sigval v = { .sival_int = atoi(argv[3]) };
	if (sigqueue(atoi(argv[1]), atoi(argv[2]), v) != 0) { perror("sigqueue"); return 1; }
	return 0;
}
`

// runOutside runs a program that is no process of the run, as cCommand
// does, but with ForkExec and wait4: os/exec's pipes and pidfd would still
// be open when a run that ends meanwhile counts its fds.
func runOutside(bin string, args ...string) error {
	cmd := cCommand(bin, args...)
	pid, err := syscall.ForkExec(cmd.Path, cmd.Args, &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 2, 2}})
	if err != nil {
		return err
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
		return err
	}
	if ws.ExitStatus() != 0 {
		return fmt.Errorf("%s %v: %v", bin, args, ws)
	}
	return nil
}

func buildC(t *testing.T, name, src string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, name)
	if err := os.WriteFile(bin+".c", []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(cc, "-o", bin, bin+".c").CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, b)
	}
	return bin
}

// A signal from a program that is not part of the run — a C program's
// sigqueue, a shell's kill — reaches a trap and a sigwait with the
// kernel's siginfo: the sender is another-process, and sigqueue's value
// is there, in main (this test's process) and in a spawned child.
func TestSignalFromOutsideKeepsItsValue(t *testing.T) {
	if !sigTaken {
		t.Fatal("the test binary does not run with the taken signals blocked (ServeChild in TestMain)")
	}
	sq := buildC(t, "sigqueue", cSigqueue)
	pidFile := filepath.Join(t.TempDir(), "pid")
	errs := make(chan error, 1)
	go func() {
		errs <- func() error {
			var wpid string
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				b, _ := os.ReadFile(pidFile)
				if wpid = strings.TrimSpace(string(b)); strings.HasSuffix(string(b), "\n") {
					break
				}
				if time.Now().After(deadline) {
					return os.ErrDeadlineExceeded
				}
			}
			time.Sleep(200 * time.Millisecond) // main in its sleep, w in its sigwait
			steps := [][]string{
				{sq, strconv.Itoa(os.Getpid()), "10", "7"}, // main's trap
				{sq, wpid, "12", "9"},                      // w's sigwait USR2
				{"sleep", "0.2"},
				{sq, wpid, "10", "8"}, // w's trap
				{"sh", "-c", "sleep 0.2; kill -USR1 " + strconv.Itoa(os.Getpid())}, // main's again, no value
			}
			for _, s := range steps {
				if err := runOutside(s[0], s[1:]...); err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	out, err := run(t, `trap USR1 { print "main got", sig.signal, sig.value, sig.from }
pipe p
spawn w {
  trap USR1 { print "w got", sig.signal, sig.value, sig.from }
  write p.w "ready"
  let s = sigwait USR2 timeout=10s
  print "w sigwait", s.signal, s.value, s.from
  sleep 10s
}
read p.r 5
open f args[0] write create
write f str(w.pid) + "\n"
close f
sleep 10s
sleep 10s
wait w
`, pidFile)
	if gerr := <-errs; gerr != nil {
		t.Fatalf("sender: %v", gerr)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"main: signal SIGUSR1 from another-process value=7\nmain: main got SIGUSR1 7 another-process\nmain: sleep 10s -> interrupted by SIGUSR1\n",
		"w: sigwait SIGUSR2 timeout=10s -> signal=SIGUSR2 value=9 from=another-process\nw: w sigwait SIGUSR2 9 another-process\n",
		"w: signal SIGUSR1 from another-process value=8\nw: w got SIGUSR1 8 another-process\nw: sleep 10s -> interrupted by SIGUSR1\n",
		"main: signal SIGUSR1 from another-process\nmain: main got SIGUSR1 0 another-process\n",
		"main: wait w -> 0\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want\n%s\nin\n%s", want, out)
		}
	}
}

// A program the run execs starts with the signal mask a C program's exec
// would give it (none blocked), not with the one ipcsh runs with, and with
// what the script ignores still ignored.
func TestExecdProgramGetsAPlainMask(t *testing.T) {
	out, err := run(t, `trap USR2 ignore
spawn k exec grep -E "^Sig(Blk|Ign)" /proc/self/status
wait k
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "k: SigBlk:\t0000000000000000\n") {
		t.Errorf("want nothing blocked:\n%s", out)
	}
	// SIGUSR2 is 12: bit 11 of SigIgn.
	ign := ""
	for _, l := range linesOf(out, "k") {
		if s, ok := strings.CutPrefix(l, "k: SigIgn:\t"); ok {
			ign = s
		}
	}
	if v, err := strconv.ParseUint(ign, 16, 64); err != nil || v&(1<<11) == 0 {
		t.Errorf("want SIGUSR2 ignored, SigIgn %q:\n%s", ign, out)
	}
}

// A program that cannot be exec'd fails at its spawn with the kernel's
// errno, as it did before the trampoline.
func TestExecFailureThroughTheTrampoline(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "data")
	if err := os.WriteFile(notExec, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "try spawn k exec "+strconv.Quote(notExec)+"\nprint err\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.HasSuffix(out, "main: EACCES\n") {
		t.Errorf("want EACCES:\n%s", out)
	}
}

// cMqSend is a C program outside the run that sends one message with
// glibc's mq_send: mqsend NAME TEXT.
const cMqSend = `#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
	if (argc != 3) return 2;
	mqd_t q = mq_open(argv[1], O_WRONLY);
	if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
	if (mq_send(q, argv[2], strlen(argv[2]), 0) != 0) { perror("mq_send"); return 1; }
	return mq_close(q);
}
`

// mqnotify delivers: a message sent to the empty queue raises the
// registered signal, with the kernel's siginfo (SI_MESGQ; si_pid is the
// process that sent), and the trap runs. The sender is a spawned child
// (named), then a C program outside the run (another-process).
func TestMqnotifyDelivers(t *testing.T) {
	mqs := buildC(t, "mqsend", cMqSend)
	q := pxName("notified")
	defer posixGone(t, kMq, q)
	ready := filepath.Join(t.TempDir(), "ready")
	errs := make(chan error, 1)
	go func() {
		errs <- func() error {
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					return os.ErrDeadlineExceeded
				}
			}
			time.Sleep(200 * time.Millisecond) // main in its sleep
			return runOutside(mqs, q, "from C")
		}()
	}()
	out, err := run(t, `mqopen q args[0] create
trap USR1 { print "notified by", sig.from, sig.value }
mqnotify q signal=SIGUSR1
spawn w {
  sleep 200ms
  send q "from w"
}
sleep 10s
let m = recv q
print m.text
wait w
mqnotify q signal=SIGUSR1
open f args[1] write create
close f
sleep 10s
let m2 = recv q
print m2.text
mqunlink args[0]
`, q, ready)
	if gerr := <-errs; gerr != nil {
		t.Fatalf("sender: %v", gerr)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"main: signal SIGUSR1 from w\nmain: notified by w 0\nmain: sleep 10s -> interrupted by SIGUSR1\n",
		"main: signal SIGUSR1 from another-process\nmain: notified by another-process 0\nmain: sleep 10s -> interrupted by SIGUSR1\n",
		"main: from C\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want\n%s\nin\n%s", want, out)
		}
	}
}
