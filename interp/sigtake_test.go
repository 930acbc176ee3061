package interp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
				if b, err := cCommand(s[0], s[1:]...).CombinedOutput(); err != nil {
					return fmt.Errorf("%v: %v: %s", s, err, b)
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
