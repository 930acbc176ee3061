package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// POSIX objects a run made are unlinked however it ends, and after a
// SIGKILL `ipcsh clean` unlinks them: as for SysV (cleanup_test.go).

// makePosixObjects makes a queue, a shared memory object and a named
// semaphore in main, and a named semaphore in a child.
func makePosixObjects(tag string) (src string, names [4]string) {
	for i, k := range []string{"q", "m", "s", "c"} {
		names[i] = fmt.Sprintf("/ipcsh-clean-%d-%s-%s", os.Getpid(), tag, k)
	}
	// main waits for the child's byte, so the error case cannot end the
	// run before the child made its semaphore.
	src = fmt.Sprintf(`mqopen q %q create
shmopen f %q create size=4KiB
semopen s %q create
pipe p
spawn child { semopen c %q create; print "child made s"; write p.w "x"; sleep 1m }
read p.r 1
print "ready"
`, names[0], names[1], names[2], names[3])
	return src, names
}

// posixThere says which of the objects exist.
func posixThere(names [4]string) []bool {
	fd, err := ipc.MqOpen(names[0], unix.O_RDONLY, 0, nil)
	q := err == nil
	if q {
		ipc.Close(fd)
	}
	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	return []bool{q, exists("/dev/shm" + names[1]), exists("/dev/shm/sem." + names[2][1:]), exists("/dev/shm/sem." + names[3][1:])}
}

func forgetPosix(names [4]string) {
	_ = ipc.MqUnlink(names[0])
	_ = ipc.ShmUnlink(names[1])
	_ = ipc.SemUnlink(names[2])
	_ = ipc.SemUnlink(names[3])
}

func TestPosixCleanupOnSignalAndError(t *testing.T) {
	for _, tc := range []struct {
		name, tail string
		sig        syscall.Signal
	}{
		{"SIGTERM", "sleep 1m\n", syscall.SIGTERM},
		// Blocked in mq_receive and in a futex wait: the stop must end them.
		{"SIGTERM-in-recv", "recv q\n", syscall.SIGTERM},
		{"SIGINT-in-sem-p", "sem p s\n", syscall.SIGINT},
		{"error", "sleep 300ms\nprint 1 / 0\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, names := makePosixObjects(tc.name)
			defer forgetPosix(names)
			cmd, _, stderr := startRun(t, src+tc.tail)
			if got := posixThere(names); strings.Contains(fmt.Sprint(got), "false") {
				t.Fatalf("the run's objects are not all there while it runs: %v", got)
			}
			if tc.sig != 0 {
				time.Sleep(100 * time.Millisecond) // into the blocking call
				_ = cmd.Process.Signal(tc.sig)
			}
			if code := exitStatus(cmd.Wait()); code == 0 {
				t.Errorf("exit 0; stderr:\n%s", stderr)
			}
			if got := posixThere(names); strings.Contains(fmt.Sprint(got), "true") {
				t.Errorf("left behind (queue, shm, sem, child's sem): %v", got)
			}
		})
	}
}

func TestPosixCleanAfterSIGKILL(t *testing.T) {
	src, names := makePosixObjects("kill")
	defer forgetPosix(names)
	cmd, journals, _ := startRun(t, src+"sleep 1m\n")
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if got := posixThere(names); strings.Contains(fmt.Sprint(got), "false") {
		t.Fatalf("after SIGKILL the run's objects should all be there: %v", got)
	}
	clean := exec.Command(bin, "clean")
	clean.Env = append(os.Environ(), "IPCSH_JOURNAL_DIR="+journals)
	out, err := clean.CombinedOutput()
	if err != nil {
		t.Fatalf("ipcsh clean: %v\n%s", err, out)
	}
	for _, want := range []string{
		fmt.Sprintf("unlinked POSIX queue q %q", names[0]),
		fmt.Sprintf("unlinked POSIX shared memory object f %q", names[1]),
		fmt.Sprintf("unlinked POSIX semaphore s %q", names[2]),
		fmt.Sprintf("unlinked POSIX semaphore c %q", names[3]),
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ipcsh clean said:\n%s\nwant a line with %q", out, want)
		}
	}
	if got := posixThere(names); strings.Contains(fmt.Sprint(got), "true") {
		t.Errorf("left behind after clean: %v", got)
	}
}
