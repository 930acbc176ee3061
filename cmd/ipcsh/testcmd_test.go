package main

// End-to-end tests of `ipcsh test` on the built binary, over the fixtures
// in testdata/_ipcsh-test (a directory `ipcsh test` skips when it searches,
// since some of them fail on purpose). Each test copies the fixtures to a
// directory of its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
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

	"ipcsh/golden"
)

// testCmdTimeout bounds one `ipcsh test` invocation: it runs many
// scripts, some many times.
const testCmdTimeout = 2 * time.Minute

type testCmdResult struct {
	stdout, stderr string
	code           int
}

// fixtures copies the fixture scripts and golden files into a new
// directory.
func fixtures(t *testing.T) string {
	t.Helper()
	src := filepath.Join("testdata", "_ipcsh-test")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// ipcshTest runs `ipcsh test args...` in dir and checks what every such
// run must leave as it found: no SysV object, no process of the runs
// (they inherit TMPDIR), nothing in TMPDIR.
func ipcshTest(t *testing.T, dir string, args ...string) testCmdResult {
	t.Helper()
	tmpdir, err := os.MkdirTemp("", "e2e-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmpdir)
	sysvBefore := sysvKeys(t)

	ctx, cancel := context.WithTimeout(context.Background(), testCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"test"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmpdir, "GORACE=atexit_sleep_ms=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := testCmdResult{stdout: stdout.String(), stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("ipcsh test %s: still running after %v; stdout:\n%s", strings.Join(args, " "), testCmdTimeout, r.stdout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatal(err)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stdout+r.stderr, "WARNING: DATA RACE") {
		t.Errorf("ipcsh test %s: Go panic or data race:\n%s", strings.Join(args, " "), r.stderr)
	}

	if procs := processesUnder(tmpdir); len(procs) > 0 {
		t.Errorf("ipcsh test %s left processes running: %s", strings.Join(args, " "), strings.Join(procs, "; "))
		for _, p := range procs {
			pid, _ := strconv.Atoi(strings.Fields(p)[0])
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if entries, _ := os.ReadDir(tmpdir); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("ipcsh test %s left %q in its TMPDIR", strings.Join(args, " "), names)
	}
	// Other tests run at the same time; what their live runs hold goes
	// away when they end, a leftover stays.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var extra []string
		for k := range sysvKeys(t) {
			if !sysvBefore[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) == 0 {
			break
		}
		if time.Now().After(deadline) {
			sort.Strings(extra)
			t.Errorf("ipcsh test %s left SysV objects: %s", strings.Join(args, " "), strings.Join(extra, "; "))
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return r
}

// sysvKeys lists the SysV objects of the system from /proc/sysvipc, as
// "kind id".
func sysvKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for _, kind := range []string{"msg", "shm", "sem"} {
		b, err := os.ReadFile(filepath.Join("/proc/sysvipc", kind))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for _, l := range lines[1:] { // a header line first
			if f := strings.Fields(l); len(f) >= 2 {
				keys[kind+" key="+f[0]+" id="+f[1]] = true
			}
		}
	}
	return keys
}

// processesUnder lists live processes whose TMPDIR is dir or below it:
// every run of `ipcsh test` gets a TMPDIR inside the one it was given.
func processesUnder(dir string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, v := range bytes.Split(env, []byte{0}) {
			if string(v) == "TMPDIR="+dir || bytes.HasPrefix(v, []byte("TMPDIR="+dir+"/")) {
				cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
				found = append(found, e.Name()+" "+string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
				break
			}
		}
	}
	return found
}

// resultLines are the `ok NAME`/`FAIL NAME`... lines, without times.
func resultLines(out string) []string {
	var lines []string
	re := regexp.MustCompile(`^(ok|FAIL|FLAKY|updated) (\S+) \d+\.\d\ds$`)
	for _, l := range strings.Split(out, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			lines = append(lines, m[1]+" "+m[2])
		}
	}
	return lines
}

func wantResults(t *testing.T, r testCmdResult, code int, results ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	if got := resultLines(r.stdout); strings.Join(got, "\n") != strings.Join(results, "\n") {
		t.Errorf("results:\n%s\nwant:\n%s\nstdout:\n%s", strings.Join(got, "\n"), strings.Join(results, "\n"), r.stdout)
	}
}

func TestTestCmdPassing(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	// pass has two processes whose lines interleave by chance; killself
	// dies by SIGKILL and syntax never runs: all as their golden files say.
	r := ipcshTest(t, dir, "--count", "10", "--run", "^(pass|args|syntax|killself)$")
	wantResults(t, r, 0, "ok args", "ok killself", "ok pass", "ok syntax")
	wantContains(t, "stdout", r.stdout, "\n4 passed, 0 failed, 0 flaky\n")
}

func TestTestCmdFailing(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	r := ipcshTest(t, dir, "--run", "^(fail|crash)$")
	wantResults(t, r, 1, "FAIL crash", "FAIL fail")
	wantContains(t, "stdout", r.stdout,
		// the diff per process, with the line of the statement
		"    process main (- golden, + got), first difference at fail.ipc:5:\n"+
			"      main: pipe p\n"+
			"      main: write p.w \"ping\"\n"+
			"    - main: read p.r -> \"pong\"\n"+
			"    + main: read p.r -> \"ping\"\n"+
			"      main: close p.w\n",
		// a script that dies: its exit code and stderr
		"    exit code: golden 0, got 1\n",
		"    process main (- golden, + got), first difference at crash.ipc:4:\n",
		"    + ipcsh: crash.ipc:4:1: write p.w \"nobody reads this\": EPIPE",
		"0 passed, 2 failed, 0 flaky\n")
}

func TestTestCmdFlaky(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	r := ipcshTest(t, dir, "--count", "20", "--run", "^flaky$")
	wantResults(t, r, 1, "FLAKY flaky")
	wantContains(t, "stdout", r.stdout, " different transcripts in 20 runs; ", "first difference at flaky.ipc:12:\n", "    + main: read p.r 65536 -> ", "0 passed, 0 failed, 1 flaky\n")
	// Only main's transcript depends on the race.
	wantLacks(t, "stdout", r.stdout, "process child")
}

func TestTestCmdTimeout(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	// sleep-timeout sleeps; fifo-timeout blocks in open(2) of a FIFO while
	// its child sleeps, so the stall detector stays quiet; deadlock blocks
	// alone and reports itself before the timeout. The timeout leaves the
	// deadlock its stall (timeout/2) plus a second for a race-built
	// ipcsh to start on a loaded CI machine: at 1s it once did not.
	r := ipcshTest(t, dir, "--timeout", "3s", "-j", "3", "--count", "5", "--run", "^(sleep-timeout|fifo-timeout|deadlock)$")
	wantResults(t, r, 1, "FAIL deadlock", "FAIL fifo-timeout", "FAIL sleep-timeout")
	wantContains(t, "stdout", r.stdout,
		"FAIL fifo-timeout ", "    timed out after 3s (run 1 of 5); stopped with SIGTERM, exit 143\n",
		"    transcript so far:\n    main: spawn child\n    main: mkfifo \"$TMP/fifo\"\n",
		"    transcript so far:\n    main: going to sleep\n",
		"    run 1 of 5 stopped in a deadlock (exit 3):\n",
		"    + ipcsh: deadlock: every process is blocked",
		"main: deadlock.ipc:4:1: open r tmp + \"/fifo\" read",
		"0 passed, 3 failed, 0 flaky\n")
	if strings.Count(r.stdout, "timed out after 3s") != 2 {
		t.Errorf("want two timeouts:\n%s", r.stdout)
	}
}

func TestTestCmdSysVCleanUp(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	// sysv-timeout holds a queue and a semaphore set when the timeout's
	// SIGTERM comes; killself-sysv dies by SIGKILL holding a queue, and
	// the runner's `ipcsh clean` removes it. ipcshTest checks that ipcs
	// shows nothing new afterwards.
	r := ipcshTest(t, dir, "--timeout", "3s", "--run", "sysv")
	wantResults(t, r, 1, "ok killself-sysv", "FAIL sysv-timeout")
	wantContains(t, "stdout", r.stdout, "timed out after 3s (run 1 of 1); stopped with SIGTERM, exit 143\n",
		"    main: msgget q key=private create -> created\n    main: semget s key=private create -> created\n")
	wantLacks(t, "stdout", r.stdout, "left behind")
}

func TestTestCmdUpdate(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	passGolden := filepath.Join(dir, "pass.golden")
	old, err := os.ReadFile(passGolden)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(passGolden); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.ipc"), []byte("print \"fresh\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Not yet a golden test: no golden file beside it.
	r := ipcshTest(t, dir, "new.ipc")
	wantResults(t, r, 1, "FAIL new")
	wantContains(t, "stdout", r.stdout, "no golden file new.golden: write one with --update")

	// Flags after paths work too. pass.golden is missing, so only the
	// script named on the command line is a test.
	r = ipcshTest(t, dir, "fail.ipc", "args.ipc", "pass.ipc", "new.ipc", "--update", "--count", "3")
	wantResults(t, r, 0, "updated fail", "ok args", "updated pass", "updated new")
	wantContains(t, "stdout", r.stdout, "4 passed, 0 failed, 0 flaky (3 golden files updated)\n")

	readGolden := func(name string) golden.Result {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := golden.Parse(string(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res
	}
	want, err := golden.Parse(string(old))
	if err != nil {
		t.Fatal(err)
	}
	if got := readGolden("pass.golden"); !golden.Same(want, got) {
		t.Errorf("pass.golden written as\n%s\nwant the same transcript as\n%s", got.Format(), old)
	}
	if got := readGolden("new.golden"); got.Format() != "main: fresh\n--- exit 0\n" {
		t.Errorf("new.golden: %q", got.Format())
	}
	if got := readGolden("fail.golden"); !strings.Contains(got.Stdout, `main: read p.r -> "ping"`) {
		t.Errorf("fail.golden not rewritten:\n%s", got.Format())
	}
	// Now they pass; an update with nothing to change writes nothing.
	r = ipcshTest(t, dir, "--run", "^(fail|args|pass|new)$")
	wantResults(t, r, 0, "ok args", "ok fail", "ok new", "ok pass")
	r = ipcshTest(t, dir, "--update", "--run", "^(fail|args|pass|new)$")
	wantResults(t, r, 0, "ok args", "ok fail", "ok new", "ok pass")
}

func TestTestCmdRunAndJobs(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	// Several copies of one FIFO test in parallel: each run has its own
	// tmp, so they cannot meet in one FIFO.
	src, err := os.ReadFile(filepath.Join("..", "..", "scripts", "examples", "10-fifo-open-rules.ipc"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "scripts", "examples", "10-fifo-open-rules.golden"))
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	var expect []string
	for i := range 6 {
		name := "fifo" + strconv.Itoa(i)
		for ext, b := range map[string][]byte{".ipc": src, ".golden": want} {
			if err := os.WriteFile(filepath.Join(sub, name+ext), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		expect = append(expect, "ok sub/"+name)
	}
	r := ipcshTest(t, dir, "-j", "4", "--count", "5", "--run", "^(sub/|pass$)")
	// Reported in the order found, whatever order they finished in.
	wantResults(t, r, 0, append([]string{"ok pass"}, expect...)...)

	r = ipcshTest(t, dir, "--run", "nothing-matches")
	wantResults(t, r, 1)
	wantContains(t, "stderr", r.stderr, "no test in . matches --run nothing-matches")
}

func TestTestCmdJUnitAndJSON(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	junit := filepath.Join(t.TempDir(), "report.xml")
	r := ipcshTest(t, dir, "--json", "--junit", junit, "--run", "^(pass|fail)$")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	// stdout is JSON alone; the text report goes to stderr.
	type jsonLine struct {
		Name    string  `json:"name"`
		Status  string  `json:"status"`
		Seconds float64 `json:"seconds"`
		Runs    int     `json:"runs"`
		Diff    *string `json:"diff"`
	}
	var got []jsonLine
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var j jsonLine
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("--json line %q: %v", l, err)
		}
		got = append(got, j)
	}
	if len(got) != 2 || got[0].Name != "fail" || got[0].Status != "fail" || got[0].Runs != 1 || got[0].Diff == nil || !strings.Contains(*got[0].Diff, `+ main: read p.r -> "ping"`) ||
		got[1].Name != "pass" || got[1].Status != "ok" || got[1].Diff == nil || *got[1].Diff != "" || got[1].Seconds <= 0 {
		t.Errorf("--json:\n%s", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, "FAIL fail ", "1 passed, 1 failed, 0 flaky")

	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suite    []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("--junit wrote no valid XML: %v\n%s", err, b)
	}
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suite) != 1 || len(doc.Suite[0].Cases) != 2 {
		t.Fatalf("--junit:\n%s", b)
	}
	c := doc.Suite[0].Cases
	if c[0].Name != "fail" || c[0].Failure == nil || !strings.Contains(c[0].Failure.Text, "first difference at fail.ipc:5") || c[1].Failure != nil {
		t.Errorf("--junit:\n%s", b)
	}
}

func TestTestCmdUsage(t *testing.T) {
	t.Parallel()
	dir := fixtures(t)
	r := ipcshTest(t, dir, "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "usage: ipcsh test [options] [PATH...]") {
		t.Errorf("ipcsh test -h: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"--count", "0"},
		{"-j", "0"},
		{"--timeout", "-1s"},
		{"--run", "("},
		{"--bogus"},
		{"missing-dir"},
		{"fail.ipc.txt"},
	} {
		r := ipcshTest(t, dir, args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "ipcsh test: ") || r.stdout != "" {
			t.Errorf("ipcsh test %s: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	empty := t.TempDir()
	r = ipcshTest(t, empty)
	if r.code != 1 || !strings.Contains(r.stderr, "no tests in .: a test is NAME.ipc with NAME.golden beside it") {
		t.Errorf("ipcsh test in an empty directory: exit %d\n%s", r.code, r.stderr)
	}
	// The fixtures are in a directory whose name starts with "_": skipped
	// when searching, found when named.
	r = ipcshTest(t, ".", "--run", "^testdata/_ipcsh-test/pass$", "testdata")
	if r.code != 1 || !strings.Contains(r.stderr, "no tests in testdata") {
		t.Errorf("ipcsh test testdata: exit %d, want 1: the fixtures are in a _ directory\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = ipcshTest(t, ".", "--run", "/args$", filepath.Join("testdata", "_ipcsh-test"))
	wantResults(t, r, 0, "ok testdata/_ipcsh-test/args")
}
