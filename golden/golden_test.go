package golden

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	update    = flag.Bool("update", false, "rewrite the golden files from a real run")
	countRuns = flag.Int("count-runs", 10, "how many times each golden script runs; every run must match")
)

// runTimeout bounds one run of a script: a golden script that hangs is a
// failure, not a stuck test.
const runTimeout = 20 * time.Second

// ipcsh is the binary under test, built once by TestMain.
var ipcsh string

func TestMain(m *testing.M) {
	flag.Parse()
	// Modes shown by `stat` and made by `mkfifo`/`open create` go through
	// the umask; fix it so the transcripts do not depend on the caller's.
	syscall.Umask(0o022)
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "golden-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ipcsh = filepath.Join(dir, "ipcsh")
	args := []string{"build", "-o", ipcsh}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "ipcsh/cmd/ipcsh")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "golden: go build ipcsh: %v\n%s", err, out)
		return 1
	}
	// Every run gets a private TMPDIR, so the interpreter's tmp directories
	// never land in the real one; check anyway that none appeared there.
	before := tmpLeftovers(os.TempDir())
	code := m.Run()
	if left := waitGone(before, func() map[string]bool { return tmpLeftovers(os.TempDir()) }); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "golden: the runs left %s in %s\n", strings.Join(left, ", "), os.TempDir())
		code = 1
	}
	return code
}

// A goldenCase is one script and its golden file.
type goldenCase struct {
	name   string // "examples/02-pipe-to-itself"
	script string // path of the .ipc file
	golden string // path of the .golden file beside it
}

func findCases(t *testing.T) []goldenCase {
	var cases []goldenCase
	for _, d := range []struct{ label, dir string }{
		{"examples", filepath.Join("..", "scripts", "examples")},
		{"testdata", "testdata"},
	} {
		scripts, err := filepath.Glob(filepath.Join(d.dir, "*.ipc"))
		if err != nil {
			t.Fatal(err)
		}
		goldens, err := filepath.Glob(filepath.Join(d.dir, "*.golden"))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range goldens {
			if _, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".ipc"); err != nil {
				t.Errorf("%s has no script beside it (renamed or removed?)", g)
			}
		}
		for _, s := range scripts {
			base := strings.TrimSuffix(filepath.Base(s), ".ipc")
			cases = append(cases, goldenCase{
				name:   d.label + "/" + base,
				script: s,
				golden: strings.TrimSuffix(s, ".ipc") + ".golden",
			})
		}
	}
	if len(cases) == 0 {
		t.Fatal("no golden scripts found")
	}
	return cases
}

func TestGolden(t *testing.T) {
	for _, c := range findCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t)
		})
	}
}

func (c goldenCase) check(t *testing.T) {
	src, err := os.ReadFile(c.script)
	if err != nil {
		t.Fatal(err)
	}
	var want result
	haveWant := false
	if b, err := os.ReadFile(c.golden); err == nil {
		if want, err = parseGolden(string(b)); err != nil {
			t.Fatalf("%s: %v", c.golden, err)
		}
		haveWant = true
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	} else if !*update {
		t.Skipf("%s has no golden file; make one with go test ./golden -update", c.script)
	}

	args := scriptArgs(string(src))
	// A short private TMPDIR: the interpreter's tmp directories go there,
	// so each run's leftovers are its own.
	tmpdir, err := os.MkdirTemp("", "golden-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(tmpdir) })
	sysvBefore, haveIPCS := sysvObjects(t)

	runs := max(*countRuns, 1)
	bad := 0
	for i := range runs {
		got := c.run(t, tmpdir, args)
		for _, l := range sortedKeys(tmpLeftovers(tmpdir)) {
			t.Errorf("run %d left %s behind", i+1, l)
			_ = os.RemoveAll(filepath.Join(tmpdir, l))
		}
		if i == 0 && *update {
			text := got.format()
			if !haveWant || text != want.format() {
				if err := os.WriteFile(c.golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", c.golden)
			}
			want, haveWant = got, true
			continue
		}
		if d := want.mismatch(got); d != "" {
			if bad == 0 {
				t.Errorf("run %d of %s differs from %s:\n%s", i+1, c.script, c.golden, d)
			}
			bad++
		} else if got.stdout != want.stdout {
			t.Logf("run %d: same transcript per process, different interleaving:\n%s", i+1, got.stdout)
		}
	}
	if bad > 1 {
		t.Errorf("%d of %d runs differ from %s", bad, runs, c.golden)
	}

	if haveIPCS {
		if left := waitGone(sysvBefore, func() map[string]bool { m, _ := sysvObjects(t); return m }); len(left) > 0 {
			t.Errorf("SysV objects left behind (ipcs): %s", strings.Join(left, "; "))
		}
	}
}

// scriptArgs reads the optional first-line comment `# args: a b c`.
func scriptArgs(src string) []string {
	first, _, _ := strings.Cut(src, "\n")
	rest, ok := strings.CutPrefix(strings.TrimSpace(first), "#")
	if !ok {
		return nil
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "args:")
	if !ok {
		return nil
	}
	return strings.Fields(rest)
}

// run runs the script once, in its own directory, with TMPDIR private to
// this case.
func (c goldenCase) run(t *testing.T, tmpdir string, args []string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ipcsh, append([]string{filepath.Base(c.script)}, args...)...)
	cmd.Dir = filepath.Dir(c.script)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmpdir, "GORACE=atexit_sleep_ms=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %v; stdout so far:\n%s\nstderr:\n%s", c.script, runTimeout, stdout.String(), stderr.String())
	}
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.exit = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.exit = 128 + int(ws.Signal()) // as a shell shows it
		}
	default:
		t.Fatalf("running %s: %v", c.script, err)
	}
	return r
}

// result is what one run produced.
type result struct {
	stdout, stderr string
	exit           int
}

// noNewline marks output that did not end with a newline, as diff does.
const noNewline = `\ no newline at end`

// format renders a result as a golden file: the transcript exactly, then
// `--- exit N`, then `--- stderr` and stderr when there is any.
func (r result) format() string {
	var b strings.Builder
	writeBlock(&b, r.stdout)
	fmt.Fprintf(&b, "--- exit %d\n", r.exit)
	if r.stderr != "" {
		b.WriteString("--- stderr\n")
		writeBlock(&b, r.stderr)
	}
	return b.String()
}

func writeBlock(b *strings.Builder, s string) {
	b.WriteString(s)
	if s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteString("\n" + noNewline + "\n")
	}
}

func readBlock(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"+noNewline+"\n"); ok {
		return t
	}
	return s
}

var exitLine = regexp.MustCompile(`(?m)^--- exit (-?\d+)\n`)

// parseGolden is the inverse of format. Transcript lines all start with a
// process name, so the first `--- exit N` line at the start of a line
// ends the transcript.
func parseGolden(s string) (result, error) {
	loc := exitLine.FindStringSubmatchIndex(s)
	if loc == nil {
		return result{}, errors.New("no `--- exit N` line")
	}
	var r result
	r.stdout = readBlock(s[:loc[0]])
	r.exit, _ = strconv.Atoi(s[loc[2]:loc[3]])
	rest := s[loc[1]:]
	if rest != "" {
		errText, ok := strings.CutPrefix(rest, "--- stderr\n")
		if !ok {
			return result{}, fmt.Errorf("after the exit line: want `--- stderr`, found %q", firstLine(rest))
		}
		r.stderr = readBlock(errText)
	}
	return r, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// mismatch compares a run with the golden result by LANGUAGE.md §4's
// "the same transcript": the same lines for every process, in the same
// order (the projection per process), and exactly the same exit code and
// stderr. It returns "" when they match, or an explanation.
func (want result) mismatch(got result) string {
	var b strings.Builder
	if want.exit != got.exit {
		fmt.Fprintf(&b, "exit code: want %d, got %d\n", want.exit, got.exit)
	}
	if wp, gp := project(want.stdout), project(got.stdout); wp != gp {
		fmt.Fprintf(&b, "transcript, per process (- golden, + this run):\n%s", lineDiff(wp, gp))
	}
	if want.stderr != got.stderr {
		fmt.Fprintf(&b, "stderr (- golden, + this run):\n%s", lineDiff(want.stderr, got.stderr))
	}
	return b.String()
}

// procPrefix matches the process name that starts a transcript line,
// with the pid that -v adds.
var procPrefix = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(\[\d+\])?: `)

// project groups the transcript's lines by process, keeping each
// process's lines in their order (a stable sort by process name). Lines
// that belong to no process (output of a program run by `spawn … exec`
// straight to stdout) form one group of their own, sorted first.
func project(stdout string) string {
	if stdout == "" {
		return ""
	}
	lines := strings.SplitAfter(stdout, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	proc := func(l string) string {
		if m := procPrefix.FindStringSubmatch(l); m != nil {
			return m[1]
		}
		return ""
	}
	sort.SliceStable(lines, func(i, j int) bool { return proc(lines[i]) < proc(lines[j]) })
	return strings.Join(lines, "")
}

// lineDiff shows the lines of a and b with - and + marks, from their
// longest common subsequence; large inputs are shown whole.
func lineDiff(a, b string) string {
	al, bl := splitLines(a), splitLines(b)
	var out strings.Builder
	if len(al)*len(bl) > 4_000_000 {
		fmt.Fprintf(&out, "--- golden\n%s\n+++ this run\n%s\n", a, b)
		return out.String()
	}
	// lcs[i][j] is the LCS length of al[i:] and bl[j:].
	lcs := make([][]int, len(al)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(bl)+1)
	}
	for i := len(al) - 1; i >= 0; i-- {
		for j := len(bl) - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(al) || j < len(bl) {
		switch {
		case i < len(al) && j < len(bl) && al[i] == bl[j]:
			fmt.Fprintf(&out, "  %s\n", al[i])
			i, j = i+1, j+1
		case i < len(al) && (j == len(bl) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", al[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", bl[j])
			j++
		}
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.Split(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	} else {
		l[len(l)-1] += " " + noNewline
	}
	return l
}

// tmpLeftovers lists what ipcsh runs may leave in dir: the run's tmp
// directories (os.MkdirTemp("", "ipcsh-")), and the files in a clean-up
// journal directory ipcsh-UID, which itself may stay.
func tmpLeftovers(dir string) map[string]bool {
	left := map[string]bool{}
	entries, _ := filepath.Glob(filepath.Join(dir, "ipcsh-*"))
	journal := "ipcsh-" + strconv.Itoa(os.Getuid())
	for _, e := range entries {
		if fi, err := os.Stat(e); err != nil || !fi.IsDir() {
			continue
		}
		name := filepath.Base(e)
		if name != journal {
			left[name] = true
			continue
		}
		inner, _ := os.ReadDir(e)
		for _, f := range inner {
			left[name+"/"+f.Name()] = true
		}
	}
	return left
}

// sysvObjects lists the SysV message queues, shared memory segments and
// semaphore sets `ipcs -q -m -s` shows; ok is false when ipcs is missing.
func sysvObjects(t *testing.T) (objs map[string]bool, ok bool) {
	t.Helper()
	path, err := exec.LookPath("ipcs")
	if err != nil {
		return nil, false
	}
	out, err := exec.Command(path, "-q", "-m", "-s").Output()
	if err != nil {
		t.Errorf("ipcs -q -m -s: %v", err)
		return nil, false
	}
	objs = map[string]bool{}
	section := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "------ ") {
			section = strings.Trim(l, "- ")
			continue
		}
		if f := strings.Fields(l); len(f) >= 2 && strings.HasPrefix(f[0], "0x") {
			objs[fmt.Sprintf("%s key=%s id=%s", section, f[0], f[1])] = true
		}
	}
	return objs, true
}

// waitGone returns what now() lists that before did not, once it stays
// there: other tests of this package, and other programs on the machine,
// run at the same time, and what their live runs hold disappears when
// they end, while a real leftover stays.
func waitGone(before map[string]bool, now func() map[string]bool) []string {
	return waitGoneFor(5*time.Second, before, now)
}

func waitGoneFor(patience time.Duration, before map[string]bool, now func() map[string]bool) []string {
	deadline := time.Now().Add(patience)
	for {
		var extra []string
		for k := range now() {
			if !before[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) == 0 || time.Now().After(deadline) {
			sort.Strings(extra)
			return extra
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
