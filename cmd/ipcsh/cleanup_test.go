package main

// Clean-up you can trust (issue 4): every SysV object a run creates is
// removed at its end, however it ends — normally, by an error, by SIGINT
// or SIGTERM, by the stall detector — and after a SIGKILL, `ipcsh clean`
// removes what the run's journal lists. Each case compares /proc/sysvipc
// before and after.

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A script that makes one object of each kind, in main and in a child,
// says it is ready, then waits for ever (or fails, for the error case).
const makeObjects = `msgget q key=private create
shmget seg key=private size=4KiB create
attach a seg
pipe p
spawn child { semget s key=private nsems=2 create; print "child made s"; write p.w "x"; sleep 1m }
read p.r 1
let t = tmp
print "ready"
`

// startRun starts ipcsh on src with a journal directory of its own and
// waits until it printed "main: ready".
func startRun(t *testing.T, src string, extra ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ipc")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	journals := filepath.Join(dir, "journals")
	cmd := exec.Command(bin, append(extra, path)...)
	cmd.Env = append(runEnv(privateTmp(t)), "IPCSH_JOURNAL_DIR="+journals)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		seen := map[string]bool{}
		for sc.Scan() {
			seen[sc.Text()] = true
			if seen["main: ready"] && seen["child: child made s"] {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			// Wait first: until it returns, exec's goroutine may still be
			// copying into stderr.
			_ = cmd.Wait()
			t.Fatalf("the run ended before it was ready: %s", stderr.String())
		}
	case <-time.After(runTimeout):
		_ = cmd.Process.Kill()
		t.Fatal("the run never got ready")
	}
	return cmd, journals, &stderr
}

func exitStatus(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestCleanupOnSignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{{"SIGINT", syscall.SIGINT, 130}, {"SIGTERM", syscall.SIGTERM, 143}, {"SIGHUP", syscall.SIGHUP, 129}, {"SIGQUIT", syscall.SIGQUIT, 131}} {
		t.Run(tc.name, func(t *testing.T) {
			before := sysvSnapshot(t)
			cmd, journals, stderr := startRun(t, makeObjects+"sleep 1m\n")
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if code := exitStatus(cmd.Wait()); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			wantNoNewObjects(t, before)
			if left, _ := filepath.Glob(filepath.Join(journals, "*")); len(left) > 0 {
				t.Errorf("journal left behind: %v", left)
			}
		})
	}
}

func TestCleanupAfterErrorAndStall(t *testing.T) {
	before := sysvSnapshot(t)
	// An error in main kills the sleeping child and removes everything.
	cmd, _, stderr := startRun(t, makeObjects+"print 1 / 0\n")
	if code := exitStatus(cmd.Wait()); code != 1 || !strings.Contains(stderr.String(), "division by zero") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	wantNoNewObjects(t, before)

	// A deadlock: main waits for a semaphore nobody will raise, and the
	// child sleeps... so it is not stalled; make it block in recv instead.
	src := strings.Replace(makeObjects, "sleep 1m", "recv q type=5", 1) + "semget z key=private\nsem p z\n"
	cmd, _, stderr = startRun(t, src, "--stall", "300ms")
	if code := exitStatus(cmd.Wait()); code != 3 || !strings.Contains(stderr.String(), "deadlock") {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	wantNoNewObjects(t, before)
}

// TestCleanAfterSIGKILL: a run killed with SIGKILL cannot clean up; its
// children die with it (Pdeathsig), its objects and tmp stay, and
// `ipcsh clean` removes exactly those.
func TestCleanAfterSIGKILL(t *testing.T) {
	before := sysvSnapshot(t)
	cmd, journals, _ := startRun(t, makeObjects+"sleep 1m\n")
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// The run's objects are the ones its journal lists: three, and all
	// still there (other tests may make objects of their own meanwhile).
	listed := journalObjects(t, journals)
	if len(listed) != 3 {
		t.Errorf("the journal lists %d objects, want the run's 3: %v", len(listed), listed)
	}
	now := sysvSnapshot(t)
	for _, k := range listed {
		if !now[k] || before[k] {
			t.Errorf("after SIGKILL, the run's %s is not there", k)
		}
	}
	clean := exec.Command(bin, "clean")
	clean.Env = append(os.Environ(), "IPCSH_JOURNAL_DIR="+journals)
	out, err := clean.CombinedOutput()
	if err != nil {
		t.Fatalf("ipcsh clean: %v\n%s", err, out)
	}
	for _, want := range []string{"removed queue q key=private", "removed segment seg key=private", "removed semaphore set s key=private", "removed directory"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("ipcsh clean said:\n%s\nwant a line with %q", out, want)
		}
	}
	wantNoNewObjects(t, before)
	// A second clean finds nothing, and leaves no journal.
	again := exec.Command(bin, "clean")
	again.Env = clean.Env
	if out, err := again.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "nothing to clean" {
		t.Errorf("second clean: %v\n%s", err, out)
	}
}

// TestCleanLeavesLiveRunsAlone: a journal whose process is alive is not
// touched, and neither is an object the journal does not list.
func TestCleanLeavesLiveRunsAlone(t *testing.T) {
	before := sysvSnapshot(t)
	cmd, journals, _ := startRun(t, makeObjects+"sleep 1m\n")
	clean := exec.Command(bin, "clean")
	clean.Env = append(os.Environ(), "IPCSH_JOURNAL_DIR="+journals)
	out, err := clean.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "still running: left alone") {
		t.Errorf("ipcsh clean on a live run: %v\n%s", err, out)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(cmd.Wait()); code != 143 {
		t.Errorf("exit %d, want 143 (the run kept its objects until its end)", code)
	}
	wantNoNewObjects(t, before)
}

// journalObjects lists the objects the journals in dir record, as
// sysvSnapshot names them ("msg:ID").
func journalObjects(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "run-*.journal"))
	var objs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == "obj" {
				objs = append(objs, f[1]+":"+f[2])
			}
		}
	}
	return objs
}
