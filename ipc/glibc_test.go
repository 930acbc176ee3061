package ipc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Helpers for the tests against glibc itself: small C programs in
// testdata, built with cc, that make glibc's calls on the objects the Go
// side made (and the other way round), one step per argument and one line
// of output per step.

// cProgram builds testdata/name.c into the test's temporary directory, or
// skips the test where there is no C compiler.
func cProgram(t testing.TB, name string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to build the glibc side of the test")
	}
	bin := filepath.Join(t.TempDir(), name)
	src := filepath.Join("testdata", name+".c")
	if out, err := exec.Command(cc, "-O2", "-Wall", "-Werror", "-pthread", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("compiling %s: %v\n%s", src, err, out)
	}
	return bin
}

// runC runs a C program to its end and returns its lines.
func runC(t *testing.T, bin string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// runC1 runs a C program of one step and returns its one line.
func runC1(t *testing.T, bin string, args ...string) string {
	t.Helper()
	lines := runC(t, bin, args...)
	if len(lines) != 1 {
		t.Fatalf("%s %s: %q, want one line", filepath.Base(bin), strings.Join(args, " "), lines)
	}
	return lines[0]
}

// A cProc is a C program running alongside the test, read line by line.
type cProc struct {
	t     testing.TB
	cmd   *exec.Cmd
	lines chan string
}

func startC(t testing.TB, bin string, args ...string) *cProc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &cProc{t: t, cmd: cmd, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // if the test failed while it waited
		cmd.Wait()
	})
	return p
}

// expect reads the program's next line and fails unless it is want.
func (p *cProc) expect(want string) {
	p.t.Helper()
	select {
	case got, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("the C program ended; wanted %q", want)
		}
		if got != want {
			p.t.Fatalf("the C program said %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		p.t.Fatalf("the C program said nothing for 10s; wanted %q", want)
	}
}

// quiet fails if the program says anything within d: it should be blocked.
func (p *cProc) quiet(d time.Duration) {
	p.t.Helper()
	select {
	case got := <-p.lines:
		p.t.Fatalf("the C program said %q while it should have been waiting", got)
	case <-time.After(d):
	}
}

// end waits for the program to exit successfully after its last line.
func (p *cProc) end() {
	p.t.Helper()
	if got, ok := <-p.lines; ok {
		p.t.Fatalf("the C program said %q more", got)
	}
	if err := p.cmd.Wait(); err != nil {
		p.t.Fatalf("the C program: %v", err)
	}
}

// inSyscall waits until process pid (single-threaded) is blocked in
// system call nr.
func (p *cProc) inSyscall(nr uintptr) {
	p.t.Helper()
	path := fmt.Sprintf("/proc/%d/syscall", p.cmd.Process.Pid)
	want := strconv.FormatUint(uint64(nr), 10) + " "
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil && strings.HasPrefix(string(data), want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the C program never blocked in system call %d: %s", nr, data)
		}
		time.Sleep(time.Millisecond)
	}
}
