package main

// End-to-end tests of the command line: each test runs the built ipcsh
// binary as a user would, and checks its output, exit code and clean-up.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runTimeout bounds every run: a test input that hangs the interpreter
// is a failure, not a stuck test.
const runTimeout = 10 * time.Second

// bin is the ipcsh binary under test, built once by TestMain.
var bin string

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "ipcsh")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, "ipcsh/cmd/ipcsh")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ipcsh: %v\n%s", err, out)
		return 1
	}
	// Every run below gets a private TMPDIR and is checked on its own;
	// check too that nothing landed in the real one.
	before := leftovers(os.TempDir())
	code := m.Run()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var extra []string
		for _, l := range leftovers(os.TempDir()) {
			if !contains(before, l) {
				extra = append(extra, l)
			}
		}
		if len(extra) == 0 {
			break
		}
		if time.Now().After(deadline) { // runs of other packages' tests come and go
			fmt.Fprintf(os.Stderr, "the tests left %s in %s\n", strings.Join(extra, ", "), os.TempDir())
			return 1
		}
		time.Sleep(100 * time.Millisecond)
	}
	return code
}

// leftovers lists the ipcsh-* directories in dir: the interpreter's tmp
// directories are os.MkdirTemp("", "ipcsh-").
func leftovers(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "ipcsh-*"))
	var dirs []string
	for _, p := range m {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			dirs = append(dirs, filepath.Base(p))
		}
	}
	sort.Strings(dirs)
	return dirs
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

type result struct {
	stdout, stderr string
	code           int
	tmpdir         string // the run's TMPDIR
}

// opts are the optional parts of a run.
type opts struct {
	stdin io.Reader
	dir   string
}

// ipcsh runs the binary with args and checks what every run must satisfy:
// it ends within runTimeout, never prints a Go panic trace, and leaves no
// tmp directory behind.
func ipcsh(t *testing.T, o opts, args ...string) result {
	t.Helper()
	tmpdir := privateTmp(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = runEnv(tmpdir)
	cmd.Dir = o.dir
	cmd.Stdin = o.stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), tmpdir: tmpdir}
	if ctx.Err() != nil {
		t.Fatalf("ipcsh %s: still running after %v (hangs); stderr:\n%s", short(args), runTimeout, clip(r.stderr))
	}
	r.code = exitCode(t, err)
	checkRun(t, r, args)
	return r
}

func runEnv(tmpdir string) []string {
	return append(os.Environ(), "TMPDIR="+tmpdir, "GORACE=atexit_sleep_ms=0")
}

// privateTmp is a short directory for TMPDIR (short, so that paths in it
// stay under the length at which the transcript shortens strings).
func privateTmp(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	t.Fatalf("running ipcsh: %v", err)
	return -1
}

func checkRun(t *testing.T, r result, args []string) {
	t.Helper()
	switch {
	case strings.Contains(r.stderr, "WARNING: DATA RACE"):
		t.Errorf("ipcsh %s: the race detector found a data race in the interpreter:\n%s", short(args), clip(r.stderr))
	case strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:"):
		t.Errorf("ipcsh %s: Go panic trace on stderr:\n%s", short(args), clip(r.stderr))
	}
	if l := leftovers(r.tmpdir); len(l) > 0 {
		t.Errorf("ipcsh %s left %v in its TMPDIR", short(args), l)
	}
}

// short and clip keep failure messages readable with huge inputs.
func short(args []string) string { return clip(strings.Join(args, " ")) }

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func wantCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, clip(r.stdout), clip(r.stderr))
	}
}

func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q:\n%s", what, s, clip(text))
		}
	}
}

func wantLacks(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(text, s) {
			t.Errorf("%s contains %q:\n%s", what, s, clip(text))
		}
	}
}

func TestScriptFileWithArgs(t *testing.T) {
	t.Parallel()
	p := writeScript(t, "args.ipc", `expect len(args) == 3
expect args[1] == "two words"
print args[0], "|", args[1], "|", args[2]
`)
	r := ipcsh(t, opts{}, p, "one", "two words", "")
	wantCode(t, r, 0)
	if r.stdout != "main: one | two words | \n" {
		t.Errorf("stdout = %q", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestDashC(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, "-c", `pipe p; write p.w "hi"; read p.r`)
	wantCode(t, r, 0)
	if want := "main: pipe p\nmain: write p.w \"hi\"\nmain: read p.r -> \"hi\"\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	r = ipcsh(t, opts{}, "-c", `print len(args), args[0]`, "first", "second")
	wantCode(t, r, 0)
	if r.stdout != "main: 2 first\n" {
		t.Errorf("-c with arguments: stdout = %q", r.stdout)
	}
	// Errors in -c source are positioned in "-c".
	r = ipcsh(t, opts{}, "-c", "print 1\nprint 1 / 0")
	wantCode(t, r, 1)
	wantContains(t, "stderr", r.stderr, "-c:2:")
}

func TestScriptOnStdin(t *testing.T) {
	t.Parallel()
	// exec gives the child a pipe for a non-file reader: not a terminal.
	src := "pipe p\nwrite p.w \"from stdin\"\nread p.r\nprint \"done\"\n"
	r := ipcsh(t, opts{stdin: strings.NewReader(src)})
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, `main: read p.r -> "from stdin"`, "main: done\n")

	r = ipcsh(t, opts{stdin: strings.NewReader("print 1\nexpect 1 == 2\n")})
	wantCode(t, r, 1)
	wantContains(t, "stderr", r.stderr, ":2:1: expect failed")
}

func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "scripts", "examples", "*.ipc"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scripts found (%v)", err)
	}
	return files
}

func TestCheckGoodFiles(t *testing.T) {
	t.Parallel()
	files := examples(t)
	r := ipcsh(t, opts{}, append([]string{"check"}, files...)...)
	wantCode(t, r, 0)
	for _, f := range files {
		wantContains(t, "stdout", r.stdout, f)
	}
	// check runs nothing: a script that only its run can find wrong passes,
	// and nothing of it runs.
	p := writeScript(t, "fails.ipc", "print \"ran\"\npipe p\nclose p.r\nwrite p.w \"x\"\n")
	r = ipcsh(t, opts{}, "check", p)
	wantCode(t, r, 0)
	wantLacks(t, "stdout", r.stdout, "main:")
}

func TestCheckReportsEveryError(t *testing.T) {
	t.Parallel()
	p := writeScript(t, "several.ipc", `pipe p
writ p.w "x"
read p.r 10 all
open f "x" read bogus
pipe q nonblokc
print (1 +
`)
	good := writeScript(t, "good.ipc", "print 1\n")
	r := ipcsh(t, opts{}, "check", good, p)
	wantCode(t, r, 2)
	for line := 2; line <= 6; line++ {
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^%s:%d:\d+: \S`, regexp.QuoteMeta(p), line))
		if !re.MatchString(r.stderr) {
			t.Errorf("no error reported for line %d:\n%s", line, r.stderr)
		}
	}
	wantContains(t, "stderr", r.stderr, `"nonblock"`)
	wantContains(t, "stdout", r.stdout, good)
	wantLacks(t, "stdout", r.stdout, p)

	r = ipcsh(t, opts{}, "check", filepath.Join(t.TempDir(), "missing.ipc"))
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "missing.ipc")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--help", "-h"} {
		r := ipcsh(t, opts{}, flag)
		wantCode(t, r, 0)
		// Every mode and option of LANGUAGE.md §6.
		wantContains(t, flag+" output", r.stdout,
			"FILE.ipc", "-c 'SOURCE'", "stdin", "check FILE", "clean",
			"-q", "-v", "--stall", "--trace")
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, "version")
	wantCode(t, r, 0)
	if !regexp.MustCompile(`^ipcsh v?\d+\.\d+\.\d+`).MatchString(r.stdout) {
		t.Errorf("version printed %q", r.stdout)
	}
}

const quietScript = `pipe p
print "hello from print"
write p.w "x"
read p.r
try seek p.r 0
close p.r
write p.w "y"
`

func TestQuiet(t *testing.T) {
	t.Parallel()
	p := writeScript(t, "quiet.ipc", quietScript)
	loud := ipcsh(t, opts{}, p)
	wantCode(t, loud, 1)
	calls := []string{"main: pipe p", `main: write p.w "x"`, `main: read p.r -> "x"`, "main: close p.r"}
	wantContains(t, "stdout without -q", loud.stdout, calls...)

	r := ipcsh(t, opts{}, "-q", p)
	wantCode(t, r, 1)
	wantLacks(t, "stdout with -q", r.stdout, calls...)
	wantContains(t, "stdout with -q", r.stdout, "main: hello from print", "main: seek p.r 0 -> error ESPIPE")
	wantContains(t, "stderr with -q", r.stderr, `:7:1: write p.w "y": EPIPE`)

	// The lines under a statement's own (ipcs's objects) go with it.
	r = ipcsh(t, opts{}, "-q", "-c", "msgget q key=private create\nipcs\nprint \"end\"\n")
	wantCode(t, r, 0)
	if r.stdout != "main: end\n" {
		t.Errorf("-q with ipcs printed:\n%s", r.stdout)
	}
}

func TestVerbose(t *testing.T) {
	t.Parallel()
	src := `pipe p; write p.w "x"; fds`
	fdNumber := regexp.MustCompile(`fd \d+`)
	r := ipcsh(t, opts{}, "-v", "-c", src)
	wantCode(t, r, 0)
	if !fdNumber.MatchString(r.stdout) {
		t.Errorf("-v shows no fd numbers:\n%s", r.stdout)
	}
	if !regexp.MustCompile(`(?m)^main\[\d+\]: `).MatchString(r.stdout) {
		t.Errorf("-v shows no pid:\n%s", r.stdout)
	}
	r = ipcsh(t, opts{}, "-c", src)
	wantCode(t, r, 0)
	if fdNumber.MatchString(r.stdout) || strings.Contains(r.stdout, "[") {
		t.Errorf("without -v, fd numbers or pids show:\n%s", r.stdout)
	}
}

// Every line carries the pid of the process it is about: an exec'd
// program's output and exit under -v, and in the trace a deadlocked
// child's unfinished call (they are written by its parent or by main).
func TestPidsAreTheirProcesses(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, "-v", "-c", "spawn e exec sh -c 'echo $$'\nwait e\n")
	m := regexp.MustCompile(`(?m)^e\[(\d+)\]: (\d+)\ne\[(\d+)\]: exit 0$`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] != m[2] || m[3] != m[2] {
		t.Errorf("the program's lines do not carry its pid:\n%s", r.stdout)
	}
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.jsonl")
	r = ipcsh(t, opts{}, "--stall", "300ms", "--trace", trace, "-c", "msgget q key=private create\nspawn c { print getpid()\nrecv q }\nwait c\n")
	wantCode(t, r, 3)
	pid := regexp.MustCompile(`(?m)^c: (\d+)$`).FindStringSubmatch(r.stdout)
	b, err := os.ReadFile(trace)
	if err != nil || pid == nil {
		t.Fatalf("no trace or no pid: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(string(b), `"proc":"c","pid":`+pid[1]+`,`) || !regexp.MustCompile(`"proc":"c","pid":`+pid[1]+`,[^\n]*"kind":"unfinished"`).Match(b) {
		t.Errorf("the unfinished recv of c (pid %s) carries another pid:\n%s", pid[1], b)
	}
}

func TestCommandLineMisuse(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, filepath.Join(t.TempDir(), "no-such-script.ipc"))
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "no-such-script.ipc")
	wantLacks(t, "stdout", r.stdout, "main:")

	r = ipcsh(t, opts{}, "--no-such-flag", "-c", "print 1")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "no-such-flag")
	wantLacks(t, "stdout", r.stdout, "main:")
}

// TestBadInput feeds the interpreter what a user might: each must end
// with a positioned error, exit 1 or 2, no panic and no hang.
func TestBadInput(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	const tenMB = 10 << 20
	nested := strings.Repeat("if true {\n", 10000) + "print 1\n" + strings.Repeat("}\n", 10000)
	for _, tc := range []struct {
		name string
		src  string
		code int
		line int // the line the error names; 0: any
		text string
	}{
		{"binary garbage", string(garbage), 2, 0, ""},
		{"NUL bytes", "print 1\n\x00\x00\x00\n", 2, 2, ""},
		{"10 MB word", strings.Repeat("x", tenMB) + "\n", 2, 1, "unknown statement"},
		{"10 MB unterminated string", `print "` + strings.Repeat("x", tenMB) + "\n", 2, 1, "unterminated string"},
		{"10 MB expression", "let x = " + strings.Repeat("1 + ", tenMB/4) + "\n", 2, 1, ""},
		{"10,000 nested blocks", nested, 2, 0, ""},
		{"10,000 nested blocks, one unclosed", strings.TrimSuffix(nested, "}\n"), 2, 0, ""},
		{"10,000 nested parentheses", "print " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "\n", 2, 1, ""},
		{"unterminated string", "print 1\nprint \"abc\n", 2, 2, "unterminated string"},
		{"unterminated block", "repeat 3 {\n  print 1\n", 2, 0, `"}"`},
		{"unknown statement", "pipe p\nfrobnicate p\n", 2, 2, "frobnicate"},
		{"wrong option", "pipe p nonblokc\n", 2, 1, `"nonblock"`},
		{"int used as a pipe", "let p = 5\nwrite p.w \"x\"\n", 1, 2, ""},
		{"int used as an fd", "write 5 \"x\"\n", 2, 1, "fd"}, // certain before the run: nothing runs
		{"division by zero", "let z = 0\nprint 1 / z\n", 1, 2, "division by zero"},
		{"modulo by zero", "let z = 0\nprint 1 % z\n", 1, 2, ""},
		{"args[9]", "print args[9]\n", 1, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeScript(t, "bad.ipc", tc.src)
			r := ipcsh(t, opts{}, p)
			wantCode(t, r, tc.code)
			line := `\d+`
			if tc.line > 0 {
				line = fmt.Sprint(tc.line)
			}
			re := regexp.MustCompile(`(?m)^(ipcsh: )?` + regexp.QuoteMeta(p) + ":" + line + `:\d+: \S`)
			if !re.MatchString(r.stderr) {
				t.Errorf("no positioned error (want %s:%s:COL: ...) on stderr:\n%s", p, line, clip(r.stderr))
			}
			wantContains(t, "stderr", r.stderr, tc.text)
			wantLacks(t, "stdout", r.stdout, "main: 1\n") // nothing ran before a static error
		})
	}
}

// TestModerateNesting: blocks nested a hundred deep run.
func TestModerateNesting(t *testing.T) {
	t.Parallel()
	src := strings.Repeat("repeat 1 {\n", 100) + "print \"deep\"\n" + strings.Repeat("}\n", 100)
	r := ipcsh(t, opts{}, writeScript(t, "deep.ipc", src))
	wantCode(t, r, 0)
	if r.stdout != "main: deep\n" {
		t.Errorf("stdout = %q", clip(r.stdout))
	}
}

// TestStall: a run whose only process is blocked for good stops with
// exit 3 and names the statement it is blocked at.
func TestStall(t *testing.T) {
	t.Parallel()
	p := writeScript(t, "stuck.ipc", "pipe p\nread p.r\n")
	start := time.Now()
	r := ipcsh(t, opts{}, "--stall", "300ms", p)
	wantCode(t, r, 3)
	wantContains(t, "stderr", r.stderr, p+":2:1", "read p.r")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stall of 300ms took %v to stop the run", d)
	}
}

// TestSignals: SIGTERM and SIGINT stop a run blocked in read, with the
// exit codes of a shell, and remove its tmp directory.
func TestSignals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			p := writeScript(t, "blocked.ipc", "mkfifo tmp + \"/f\"\npipe p\nread p.r\nprint \"not reached\"\n")
			tmpdir := privateTmp(t)
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--stall", "1m", p)
			cmd.Env = runEnv(tmpdir)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string)
			var stdout strings.Builder
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()
			// `pipe p` is printed after the run set up its signal handling
			// and its tmp directory; `read p.r` comes next and blocks.
			for l := range lines {
				stdout.WriteString(l + "\n")
				if l == "main: pipe p" {
					break
				}
			}
			if len(leftovers(tmpdir)) != 1 {
				t.Errorf("the run has no tmp directory in %s: %v", tmpdir, leftovers(tmpdir))
			}
			time.Sleep(100 * time.Millisecond)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			for l := range lines {
				stdout.WriteString(l + "\n")
			}
			err = cmd.Wait()
			if ctx.Err() != nil {
				t.Fatalf("still running %v after %v", runTimeout, tc.sig)
			}
			r := result{stdout: stdout.String(), stderr: stderr.String(), code: exitCode(t, err), tmpdir: tmpdir}
			wantCode(t, r, tc.code)
			wantLacks(t, "stdout", r.stdout, "not reached")
			wantContains(t, "stdout", r.stdout, "main: mkfifo \"$TMP/f\"\n")
			checkRun(t, r, []string{p})
		})
	}
}

// Bugs found while writing these tests; each fails until it is fixed.

// TestErrorShowsTmpAsDollarTMP: a failed call outside try names a path in
// tmp as $TMP on stderr, as the transcript does, so error output does not
// change from run to run (LANGUAGE.md §4: temporary paths show as $TMP).
func TestErrorShowsTmpAsDollarTMP(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, "-c", `open f tmp + "/missing" read`)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, `"$TMP/missing"`)
	wantContains(t, "stderr", r.stderr, `"$TMP/missing"`)
	wantLacks(t, "stderr", r.stderr, r.tmpdir)
}

// TestLongTmpDirShowsAsDollarTMP: when TMPDIR is long, paths in tmp are
// long enough to be shortened in the transcript; they must still show as
// $TMP, never as the real directory.
func TestLongTmpDirShowsAsDollarTMP(t *testing.T) {
	t.Parallel()
	long := filepath.Join(privateTmp(t), strings.Repeat("d", 64))
	if err := os.Mkdir(long, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-c", `mkfifo tmp + "/f"; stat tmp + "/f"`)
	cmd.Env = runEnv(long)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	wantContains(t, "stdout", string(out), `mkfifo "$TMP/f"`, `stat "$TMP/f"`)
	wantLacks(t, "stdout", string(out), long[:20])
}

// TestUndefinedNameReportedOnce: a name undefined in a comparison of
// expect is one error, reported once.
func TestUndefinedNameReportedOnce(t *testing.T) {
	t.Parallel()
	r := ipcsh(t, opts{}, "-c", "expect 1 == nosuch")
	wantCode(t, r, 2)
	if n := strings.Count(r.stderr, "undefined: nosuch"); n != 1 {
		t.Errorf("the error is reported %d times:\n%s", n, r.stderr)
	}
}

// TestFmt: ipcsh fmt rewrites a file in the canonical layout, --check
// lists what is not in it, and a syntax error leaves the file alone.
func TestFmt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	messy := filepath.Join(dir, "messy.ipc")
	broken := filepath.Join(dir, "broken.ipc")
	os.WriteFile(messy, []byte("pipe p;write p.w  \"x\"\n\n\n# done\n"), 0o644)
	os.WriteFile(broken, []byte("print )\n"), 0o644)
	r := ipcsh(t, opts{}, "fmt", "--check", messy)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, messy)
	r = ipcsh(t, opts{}, "fmt", messy)
	wantCode(t, r, 0)
	if b, _ := os.ReadFile(messy); string(b) != "pipe p; write p.w \"x\"\n\n# done\n" {
		t.Errorf("formatted file:\n%s", b)
	}
	wantCode(t, ipcsh(t, opts{}, "fmt", "--check", messy), 0)
	r = ipcsh(t, opts{}, "fmt", broken)
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "broken.ipc:1:7")
	if b, _ := os.ReadFile(broken); string(b) != "print )\n" {
		t.Errorf("a file with a syntax error was changed:\n%s", b)
	}
}

// The stderr line of a failed system call is the contract's, whole:
// `ipcsh: FILE:LINE:COL: STATEMENT: ENAME (message)`, so a program may
// anchor a match on it. What ipcsh found out about the failure comes on
// the next line.
func TestErrorLineIsTheContractsWhole(t *testing.T) {
	t.Parallel()
	p := writeScript(t, "e.ipc", "semget s key=private nsems=1 create\nsem set s[0] -1\n")
	r := ipcsh(t, opts{}, p)
	wantCode(t, r, 1)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	line := regexp.MustCompile(`^ipcsh: (.+):(\d+):(\d+): (.+): ([A-Z][A-Z0-9]*) \(([^()]+)\)$`)
	m := line.FindStringSubmatch(lines[0])
	if m == nil || !strings.HasSuffix(m[1], "e.ipc") || m[2] != "2" || m[3] != "1" || m[4] != "sem set s[0] -1" || m[5] != "ERANGE" || m[6] != "numerical result out of range" {
		t.Errorf("first stderr line %q is not the contract's (parts %q)", lines[0], m)
	}
	if len(lines) != 2 || lines[1] != "ipcsh:   a semaphore holds 0 to 32767 (SEMVMX)" {
		t.Errorf("stderr:\n%s\nwant the reason on a second line", r.stderr)
	}
}
