package main

// A run stopped from outside — its reader gone (`| head -1`), its terminal
// closed (SIGHUP), SIGQUIT — cleans up as after SIGTERM (LANGUAGE.md §3,
// §5): children stopped, objects removed, tmp and journal gone, exit
// 128+signal, and nothing printed after the standard output broke.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stoppedRun is one run of ipcsh whose leftovers the test checks.
type stoppedRun struct {
	cmd      *exec.Cmd
	tmp      string // its TMPDIR: every process it starts has it in its environment
	journals string
	stderr   bytes.Buffer
	stdout   io.ReadCloser
}

func startStoppable(t *testing.T, dir string, args ...string) *stoppedRun {
	t.Helper()
	r := &stoppedRun{tmp: privateTmp(t), journals: filepath.Join(t.TempDir(), "journals")}
	r.cmd = exec.Command(bin, args...)
	r.cmd.Dir = dir
	r.cmd.Env = append(runEnv(r.tmp), "IPCSH_JOURNAL_DIR="+r.journals)
	r.cmd.Stderr = &r.stderr
	var err error
	if r.stdout, err = r.cmd.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return r
}

// wait waits for the run's end and returns its exit status; a run killed
// by a signal (no clean-up) is -1.
func (r *stoppedRun) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		return exitStatus(err)
	case <-time.After(runTimeout):
		_ = r.cmd.Process.Kill()
		t.Fatalf("the run did not end in %v; stderr:\n%s", runTimeout, r.stderr.String())
	}
	return 0
}

// checkLeftovers fails the test for anything the run left: SysV objects
// (compared with before), POSIX objects, files in its TMPDIR, a journal,
// a process.
func (r *stoppedRun) checkLeftovers(t *testing.T, before map[string]bool, posixBefore []string) {
	t.Helper()
	r.checkRest(t, posixBefore)
	wantNoNewObjects(t, before)
}

// checkRest is checkLeftovers without SysV objects.
func (r *stoppedRun) checkRest(t *testing.T, posixBefore []string) {
	t.Helper()
	if now := posixObjects(); len(now) > len(posixBefore) {
		t.Errorf("POSIX objects left: before %v, after %v", posixBefore, now)
	}
	if left, _ := os.ReadDir(r.tmp); len(left) > 0 {
		t.Errorf("the run left %d entries in its TMPDIR (%s...)", len(left), left[0].Name())
	}
	if left, _ := filepath.Glob(filepath.Join(r.journals, "*")); len(left) > 0 {
		t.Errorf("journal left behind: %v", left)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		procs := procsOfRun(r.tmp)
		if len(procs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of the run still alive: %v", procs)
			for _, p := range procs {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// posixObjects lists /dev/shm and /dev/mqueue.
func posixObjects() []string {
	var all []string
	for _, d := range []string{"/dev/shm", "/dev/mqueue"} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			all = append(all, filepath.Join(d, e.Name()))
		}
	}
	sort.Strings(all)
	return all
}

// procsOfRun lists live processes whose environment has TMPDIR=tmp: the
// run itself, its children, and programs they exec'd.
func procsOfRun(tmp string) []int {
	want := []byte("TMPDIR=" + tmp + "\x00")
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && (bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// outsiders are examples that make SysV objects on purpose that the run
// must not remove: 19-shell-way makes one with ipcmk and one with `keep`
// (removed later by the script itself, which a stop may not reach).
var outsiders = map[string]bool{"19-shell-way.ipc": true}

// removeNewObjects removes the SysV objects with a key (not private) made
// since before: ipcmk's and the kept queue of 19-shell-way. Private ones
// are left to the leak checks, and to whoever else made them.
func removeNewObjects(t *testing.T, before map[string]bool) {
	t.Helper()
	flag := map[string]string{"msg": "-q", "shm": "-m", "sem": "-s"}
	for _, kind := range []string{"msg", "shm", "sem"} {
		b, err := os.ReadFile("/proc/sysvipc/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(l)
			if len(f) < 2 || f[0] == "0" || before[kind+":"+f[1]] {
				continue
			}
			_ = exec.Command("ipcrm", flag[kind], f[1]).Run()
		}
	}
}

// TestExamplesStoppedFromOutside runs every example three ways: with its
// standard output closed after the first line (`| head -1`, done here),
// and with SIGHUP and SIGQUIT arriving once it has printed its first line.
// Whatever point each run had reached, it must end by itself with its own
// exit code or the stop's, and leave nothing behind.
func TestExamplesStoppedFromOutside(t *testing.T) {
	files := examples(t)
	dir, _ := filepath.Abs(filepath.Dir(files[0]))
	stops := map[string]int{}
	for _, f := range files {
		name := filepath.Base(f)
		for _, how := range []string{"head -1", "SIGHUP", "SIGQUIT"} {
			t.Run(name+"/"+how, func(t *testing.T) {
				before, posixBefore := sysvSnapshot(t), posixObjects()
				r := startStoppable(t, dir, "--stall", "1s", name)
				first := make(chan string, 1)
				rest := make(chan []byte, 1)
				go func() {
					br := bufio.NewReader(r.stdout)
					l, _ := br.ReadString('\n')
					first <- l
					if how == "head -1" {
						_ = r.stdout.Close() // head exits: the pipe has no reader
						rest <- nil
						return
					}
					b, _ := io.ReadAll(br)
					rest <- b
				}()
				select {
				case <-first:
				case <-time.After(runTimeout):
					_ = r.cmd.Process.Kill()
					t.Fatalf("no first line; stderr:\n%s", r.stderr.String())
				}
				want := map[string]int{"head -1": 141, "SIGHUP": 129, "SIGQUIT": 131}[how]
				switch how {
				case "SIGHUP":
					_ = r.cmd.Process.Signal(syscall.SIGHUP)
				case "SIGQUIT":
					_ = r.cmd.Process.Signal(syscall.SIGQUIT)
				}
				<-rest
				code := r.wait(t)
				if code == want {
					stops[how]++
				} else if code < 0 || code > 3 {
					// Ending before the stop came is fine (0-3, the
					// script's own code); dying without clean-up is not.
					t.Errorf("exit %d, want %d or the script's own; stderr:\n%s", code, want, r.stderr.String())
				}
				if how == "head -1" && code == 141 && strings.Contains(r.stderr.String(), "main:") {
					t.Errorf("transcript lines went to stderr after stdout broke:\n%s", r.stderr.String())
				}
				if outsiders[name] {
					r.checkRest(t, posixBefore)
					removeNewObjects(t, before)
					wantNoNewObjects(t, before) // nothing private left
					return
				}
				r.checkLeftovers(t, before, posixBefore)
			})
		}
	}
	// The examples that run for a while (children, blocking calls) must
	// have been stopped, not merely finished, or this test proves nothing.
	for _, how := range []string{"head -1", "SIGHUP", "SIGQUIT"} {
		if stops[how] == 0 {
			t.Errorf("no example was stopped by %s: the test did not reach the stop path", how)
		}
	}
}

// TestBrokenStdoutStopsBlockedRun: the reader goes away while main is
// blocked and a child keeps printing; the printer's EPIPE must stop the
// run (exit 141) with everything removed, though main never writes.
func TestBrokenStdoutStopsBlockedRun(t *testing.T) {
	before, posixBefore := sysvSnapshot(t), posixObjects()
	dir := t.TempDir()
	src := makeObjects + `spawn talker { repeat 1000 { print "more"; sleep 10ms } }
pipe never
read never.r
`
	if err := os.WriteFile(filepath.Join(dir, "run.ipc"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startStoppable(t, dir, "run.ipc")
	br := bufio.NewReader(r.stdout)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("no ready line; stderr:\n%s", r.stderr.String())
		}
		if l == "main: ready\n" {
			break
		}
	}
	_ = r.stdout.Close()
	if code := r.wait(t); code != 141 {
		t.Errorf("exit %d, want 141; stderr:\n%s", code, r.stderr.String())
	}
	if r.stderr.Len() > 0 {
		t.Errorf("a broken stdout is not an error to report:\n%s", r.stderr.String())
	}
	r.checkLeftovers(t, before, posixBefore)
}
