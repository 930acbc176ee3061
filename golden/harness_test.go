package golden

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The mechanism's own rules, checked on made-up transcripts and a fake
// ipcsh: a harness that compared too little would let every golden test
// pass.

func TestProjectKeepsEachProcessInOrder(t *testing.T) {
	a := "main: spawn c\nc: write p.w \"x\"\nmain: read p.r -> \"x\"\nc: exit 0\nmain: wait c -> 0\n"
	b := "main: spawn c\nc: write p.w \"x\"\nc: exit 0\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if Project(a) != Project(b) {
		t.Errorf("same lines per process, different interleaving, yet projections differ:\n%s---\n%s", Project(a), Project(b))
	}
	want := "c: write p.w \"x\"\nc: exit 0\nmain: spawn c\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if got := Project(a); got != want {
		t.Errorf("Project:\n%s\nwant:\n%s", got, want)
	}
	swapped := "main: spawn c\nc: exit 0\nc: write p.w \"x\"\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if Project(a) == Project(swapped) {
		t.Error("two lines of one process swapped, yet the projections are equal")
	}
	if got := Processes(a); !reflect.DeepEqual(got, []string{"main", "c"}) {
		t.Errorf("Processes = %q", got)
	}
}

func TestProjectVerboseAndRawLines(t *testing.T) {
	// -v adds the pid to the name; output of an exec'd program belongs to
	// no process and keeps its own order.
	got := Project("main[12]: pipe p\nraw 1\nc[13]: exit 0\nraw 2\n")
	want := "raw 1\nraw 2\nc[13]: exit 0\nmain[12]: pipe p\n"
	if got != want {
		t.Errorf("Project = %q, want %q", got, want)
	}
}

func TestSameAndDiff(t *testing.T) {
	base := Result{Stdout: "main: a\nc: b\n", Stderr: "ipcsh: x\n", Exit: 1}
	for _, tc := range []struct {
		name  string
		got   Result
		match bool
		shows string // a line the diff must show
	}{
		{"identical", base, true, ""},
		{"interleaved", Result{Stdout: "c: b\nmain: a\n", Stderr: "ipcsh: x\n", Exit: 1}, true, ""},
		{"exit code", Result{Stdout: base.Stdout, Stderr: base.Stderr, Exit: 0}, false, "exit code: golden 1, got 0"},
		{"stderr", Result{Stdout: base.Stdout, Stderr: "ipcsh: y\n", Exit: 1}, false, "+ ipcsh: y"},
		{"missing line", Result{Stdout: "main: a\n", Stderr: base.Stderr, Exit: 1}, false, "- c: b"},
		{"extra line", Result{Stdout: base.Stdout + "main: a\n", Stderr: base.Stderr, Exit: 1}, false, "+ main: a"},
		{"other process", Result{Stdout: "main: a\nd: b\n", Stderr: base.Stderr, Exit: 1}, false, "process d"},
		{"no final newline", Result{Stdout: "main: a\nc: b", Stderr: base.Stderr, Exit: 1}, false, "+ c: b " + noNewline},
	} {
		if Same(base, tc.got) != tc.match {
			t.Errorf("%s: Same = %v, want %v", tc.name, !tc.match, tc.match)
		}
		d := Diff(base, tc.got, "golden", "got", nil)
		if (d == "") != tc.match {
			t.Errorf("%s: Diff = %q, want match=%v", tc.name, d, tc.match)
		}
		if !strings.Contains(d, tc.shows) {
			t.Errorf("%s: Diff does not show %q:\n%s", tc.name, tc.shows, d)
		}
	}
}

func TestDiffNamesTheStatement(t *testing.T) {
	trace := ReadTrace(strings.NewReader(`{"proc":"main","kind":"call","pos":"x.ipc:1:1","stmt":"pipe p"}
{"proc":"c","kind":"call","pos":"x.ipc:3:3","stmt":"write p.w \"x\""}
{"proc":"main","kind":"print","pos":"x.ipc:5:1","text":"two\nlines"}
{"proc":"main","kind":"call","pos":"x.ipc:6:1","stmt":"read p.r","result":"\"y\""}
`), "dir")
	want := Result{Stdout: "main: pipe p\nc: write p.w \"x\"\nmain: two\nmain: lines\nmain: read p.r -> \"x\"\n"}
	got := Result{Stdout: "main: pipe p\nc: write p.w \"x\"\nmain: two\nmain: lines\nmain: read p.r -> \"y\"\n"}
	d := Diff(want, got, "golden", "got", trace.Where)
	for _, s := range []string{
		"process main (- golden, + got), first difference at " + filepath.Join("dir", "x.ipc") + ":6:\n",
		"  main: lines\n- main: read p.r -> \"x\"\n+ main: read p.r -> \"y\"\n",
	} {
		if !strings.Contains(d, s) {
			t.Errorf("diff lacks %q:\n%s", s, d)
		}
	}
	if strings.Contains(d, "process c") {
		t.Errorf("a process whose lines match is shown:\n%s", d)
	}
	// A run that stopped short: the place is after its last line.
	short := Result{Stdout: "main: pipe p\nc: write p.w \"x\"\nmain: two\nmain: lines\n"}
	if d := Diff(want, short, "golden", "got", trace.Where); !strings.Contains(d, "first difference after "+filepath.Join("dir", "x.ipc")+":5:") {
		t.Errorf("diff of a short run:\n%s", d)
	}
	// No trace (a run killed before it wrote one): no position, still a diff.
	if d := Diff(want, got, "golden", "got", (*Trace)(nil).Where); strings.Contains(d, "first difference") || d == "" {
		t.Errorf("diff without trace:\n%s", d)
	}
}

func TestDiffShowsContextOnly(t *testing.T) {
	var a, b strings.Builder
	for i := range 100 {
		line := "main: line " + strconv.Itoa(i) + "\n"
		a.WriteString(line)
		if i == 50 {
			line = "main: changed\n"
		}
		b.WriteString(line)
	}
	d := Diff(Result{Stdout: a.String()}, Result{Stdout: b.String()}, "golden", "got", nil)
	if strings.Contains(d, "line 10\n") || !strings.Contains(d, "  main: line 47\n") || !strings.Contains(d, "- main: line 50\n+ main: changed\n") || !strings.Contains(d, "  ...\n") {
		t.Errorf("diff of one changed line in 100:\n%s", d)
	}
}

func TestDiffHugeInputs(t *testing.T) {
	// Beyond maxLCS the diff is cruder, but still names every changed line.
	var a, b []string
	for i := range 3000 {
		a = append(a, "main: a"+strconv.Itoa(i))
		b = append(b, "main: b"+strconv.Itoa(i))
	}
	ops := diffLines(a, b)
	minus, plus := 0, 0
	for _, o := range ops {
		switch o.kind {
		case '-':
			minus++
		case '+':
			plus++
		}
	}
	if minus != 3000 || plus != 3000 {
		t.Errorf("diff of 3000 changed lines: %d -, %d +", minus, plus)
	}
}

func TestGoldenFormatRoundTrip(t *testing.T) {
	for _, r := range []Result{
		{},
		{Exit: 2, Stderr: "x.ipc:1:1: oops\n    oops\n    ^\n"},
		{Stdout: "main: pipe p\n", Exit: 0},
		{Stdout: "main: 1\n", Exit: 143, Stderr: "no newline"},
		{Stdout: "raw", Exit: 3},
	} {
		text := r.Format()
		back, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
			continue
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("round trip of %+v through\n%s\ngave %+v", r, text, back)
		}
	}
	if got := (Result{Stdout: "main: x\n", Exit: 1, Stderr: "e\n"}).Format(); got != "main: x\n--- exit 1\n--- stderr\ne\n" {
		t.Errorf("Format = %q", got)
	}
	for _, bad := range []string{"main: x\n", "--- exit 0\nmain: x\n"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a malformed golden file", bad)
		}
	}
}

func TestScriptStall(t *testing.T) {
	for src, want := range map[string]time.Duration{
		"# A deadlock.\n# stall: 300ms\npipe p\n": 300 * time.Millisecond,
		"# stall: 2s\n":            2 * time.Second,
		"pipe p\n# stall: 300ms\n": 0, // not in the opening comments
		"# stall: soon\n":          0,
	} {
		got, ok := ScriptStall(src)
		if got != want || ok != (want > 0) {
			t.Errorf("ScriptStall(%q) = %v, %v; want %v", src, got, ok, want)
		}
	}
}

func TestScriptArgs(t *testing.T) {
	for src, want := range map[string][]string{
		"# args: a b  c\nprint args\n": {"a", "b", "c"},
		"#args:x\n":                    {"x"},
		"print 1 # args: a\n":          nil,
		"# a comment\n# args: a\n":     nil,
		"":                             nil,
	} {
		if got := ScriptArgs(src); !reflect.DeepEqual(got, want) {
			t.Errorf("ScriptArgs(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestScriptRunsInDir(t *testing.T) {
	for src, want := range map[string]bool{
		"# C and a script.\n# runs in its directory: it builds peers/x.c\nlet a = 1\n": true,
		"#runs in its directory: why\n":             true,
		"let a = 1\n# runs in its directory: why\n": false, // not in the opening comments
		"# it runs in its directory\n":              false,
		"":                                          false,
	} {
		if got := ScriptRunsInDir(src); got != want {
			t.Errorf("ScriptRunsInDir(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestTraceWhere(t *testing.T) {
	tr := ReadTrace(strings.NewReader(`{"proc":"main","kind":"call","pos":"a:b.ipc:7:3"}
{"proc":"x","kind":"print","text":"raw output"}
not json
{"proc":"main","kind":"call","pos":"a:b.ipc:9:1"}
`), "")
	for _, tc := range []struct {
		proc string
		i    int
		want string
	}{
		{"main", 0, "a:b.ipc:7"}, // a colon in the file name survives
		{"main", 1, ""},          // the trace ended at the bad line
		{"x", 0, ""},             // an event without a position
		{"nobody", 0, ""},
		{"main", -1, ""},
	} {
		if got := tr.Where(tc.proc, tc.i); got != tc.want {
			t.Errorf("Where(%q, %d) = %q, want %q", tc.proc, tc.i, got, tc.want)
		}
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{
		"a.ipc", "a.golden", // a test
		"b.ipc",                     // no golden file: not a test when searching
		"orphan.golden",             // no script: a test, which fails
		"sub/c.ipc", "sub/c.golden", // found recursively
		"_fixtures/d.ipc", "_fixtures/d.golden", // skipped, as go skips _dirs
		".hidden/e.ipc", ".hidden/e.golden",
	} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := func(tests []Test) []string {
		var n []string
		for _, tc := range tests {
			rel, _ := filepath.Rel(dir, tc.Name)
			n = append(n, rel)
		}
		return n
	}
	tests, err := Find([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(tests), []string{"a", "orphan", "sub/c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Find(dir) = %q, want %q", got, want)
	}
	if tests[0].Script != filepath.Join(dir, "a.ipc") || tests[0].Golden != filepath.Join(dir, "a.golden") {
		t.Errorf("Find(dir)[0] = %+v", tests[0])
	}
	// Named explicitly: a script without a golden file, a skipped
	// directory, and duplicates only once.
	tests, err = Find([]string{filepath.Join(dir, "b.ipc"), filepath.Join(dir, "_fixtures"), filepath.Join(dir, "a.golden"), filepath.Join(dir, "a.ipc")})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(tests), []string{"b", "_fixtures/d", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Find(files) = %q, want %q", got, want)
	}
	if _, err := Find([]string{filepath.Join(dir, "missing")}); err == nil {
		t.Error("Find of a missing path: no error")
	}
	if _, err := Find([]string{filepath.Join(dir, "sub", "c.txt")}); err == nil {
		t.Error("Find of a missing path: no error")
	}
}

func TestTmpLeftovers(t *testing.T) {
	dir := t.TempDir()
	if got := tmpLeftovers(dir); len(got) != 0 {
		t.Errorf("tmpLeftovers of an empty directory = %q", got)
	}
	for _, d := range []string{"ipcsh-123", "ipcsh-" + strconv.Itoa(os.Getuid())} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"file", "ipcsh-" + strconv.Itoa(os.Getuid()), "ipcsh-123"}
	if got := tmpLeftovers(dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tmpLeftovers = %q, want %q", got, want)
	}
}

func TestWaitGone(t *testing.T) {
	before := map[string]bool{"old": true}
	calls := 0
	transient := func() map[string]bool {
		calls++
		if calls < 3 {
			return map[string]bool{"old": true, "someone else's": true}
		}
		return map[string]bool{"old": true}
	}
	if left := waitGoneFor(5*time.Second, before, transient); len(left) != 0 {
		t.Errorf("an object that went away was reported: %q", left)
	}
	stays := func() map[string]bool { return map[string]bool{"old": true, "leak": true} }
	if left := waitGoneFor(200*time.Millisecond, before, stays); !reflect.DeepEqual(left, []string{"leak"}) {
		t.Errorf("waitGone = %q, want the leak", left)
	}
}

// fakeIpcsh is a stand-in for the binary that misbehaves on purpose, in
// ways a real ipcsh should not: ignoring SIGTERM, leaving processes and
// files behind. It answers `help` and `clean` like ipcsh, and otherwise
// acts by the script's name (the argument after "--").
const fakeIpcsh = `#!/bin/sh
case "$1" in
help) echo "  ipcsh clean   remove what killed runs left"; exit 0;;
clean) touch "$FAKE_DIR/cleaned"; exit 0;;
esac
while [ "$1" != "--" ]; do shift; done
case "$2" in
stubborn.ipc) trap '' TERM; echo "main: started"; echo "stuck here" >&2; sleep 60;;
leaky.ipc) trap 'exit 143' TERM; sleep 60 & wait;;
junk.ipc) echo x > "$TMPDIR/junk"; echo "main: hi";;
journal.ipc) mkdir -p "$IPCSH_JOURNAL_DIR"; echo "queue id=5" > "$IPCSH_JOURNAL_DIR/run-1.journal"; echo "main: hi";;
pid.ipc) echo "main: $$";;
slow.ipc) sleep 0.3; echo "main: hi";;
*) echo "main: hi";;
esac
`

// fakeTests writes the fake binary and scripts with golden files
// ("main: hi", exit 0) into a new directory.
func fakeTests(t *testing.T, names ...string) (*Runner, map[string]Test, string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "fake-ipcsh")
	if err := os.WriteFile(bin, []byte(fakeIpcsh), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := map[string]Test{}
	for _, n := range names {
		script := filepath.Join(dir, n+".ipc")
		if err := os.WriteFile(script, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n+".golden"), []byte("main: hi\n--- exit 0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		tests[n] = Test{Name: n, Script: script, Golden: filepath.Join(dir, n+".golden")}
	}
	r := &Runner{Binary: bin, Count: 1, Timeout: 300 * time.Millisecond, Grace: 200 * time.Millisecond, Env: []string{"FAKE_DIR=" + dir}}
	return r, tests, dir
}

func TestTimeoutEscalatesToSIGKILLAndClean(t *testing.T) {
	t.Parallel()
	r, tests, dir := fakeTests(t, "stubborn")
	o := r.Check(context.Background(), tests["stubborn"])
	if o.Status != Fail {
		t.Fatalf("status %s, want fail", o.Status)
	}
	for _, s := range []string{"timed out after 300ms (run 1 of 1)", "killed with SIGKILL", "stderr:\nstuck here\n", "transcript so far:\nmain: started\n"} {
		if !strings.Contains(o.Message, s) {
			t.Errorf("message lacks %q:\n%s", s, o.Message)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "cleaned")); err != nil {
		t.Errorf("ipcsh clean did not run after the kill: %v", err)
	}
	if r.Stall() != 150*time.Millisecond {
		t.Errorf("Stall() = %v, want half the timeout", r.Stall())
	}
}

func TestLeftoverProcessesAndFilesFail(t *testing.T) {
	t.Parallel()
	r, tests, _ := fakeTests(t, "leaky", "junk", "journal")
	o := r.Check(context.Background(), tests["leaky"])
	if o.Status != Fail || !strings.Contains(o.Message, "timed out") || !strings.Contains(o.Message, "left behind: process ") || !strings.Contains(o.Message, "(sleep 60) still running") {
		t.Errorf("a run that left a process: %s\n%s", o.Status, o.Message)
	}
	if strings.Contains(o.Message, "SIGKILL") {
		t.Errorf("the fake exits on SIGTERM, yet:\n%s", o.Message)
	}
	o = r.Check(context.Background(), tests["junk"])
	if o.Status != Fail || !strings.Contains(o.Message, "run 1 left behind:\n  $TMPDIR/junk") {
		t.Errorf("a run that left a file: %s\n%s", o.Status, o.Message)
	}
	o = r.Check(context.Background(), tests["journal"])
	if o.Status != Fail || !strings.Contains(o.Message, "run 1 left behind:\n  clean-up journal run-1.journal, which lists:\n    queue id=5\n") {
		t.Errorf("a run that left a journal: %s\n%s", o.Status, o.Message)
	}
}

func TestFlakyAndUpdate(t *testing.T) {
	t.Parallel()
	r, tests, _ := fakeTests(t, "pid", "hi")
	r.Count = 3
	o := r.Check(context.Background(), tests["pid"])
	if o.Status != Flaky || o.Runs != 3 || !strings.Contains(o.Message, "3 different transcripts in 3 runs; 0 of 3 match the golden file") {
		t.Errorf("pid printed: %s, %d runs\n%s", o.Status, o.Runs, o.Message)
	}
	// Flaky runs are not written as a golden file.
	r.Update = true
	o = r.Check(context.Background(), tests["pid"])
	if b, _ := os.ReadFile(tests["pid"].Golden); o.Status != Flaky || o.Updated || string(b) != "main: hi\n--- exit 0\n" {
		t.Errorf("update of a flaky test: %s updated=%v, golden now %q", o.Status, o.Updated, b)
	}
	// An unchanged golden file is not rewritten; a missing one is written.
	if o = r.Check(context.Background(), tests["hi"]); o.Status != OK || o.Updated {
		t.Errorf("update of a passing test: %+v", o)
	}
	if err := os.Remove(tests["hi"].Golden); err != nil {
		t.Fatal(err)
	}
	if o = r.Check(context.Background(), tests["hi"]); o.Status != OK || !o.Updated {
		t.Errorf("update of a test without golden file: %+v", o)
	}
	if b, _ := os.ReadFile(tests["hi"].Golden); string(b) != "main: hi\n--- exit 0\n" {
		t.Errorf("golden written: %q", b)
	}
	r.Update = false
	if err := os.Remove(tests["hi"].Golden); err != nil {
		t.Fatal(err)
	}
	if o = r.Check(context.Background(), tests["hi"]); o.Status != Fail || !strings.Contains(o.Message, "write one with --update") {
		t.Errorf("a test without golden file: %+v", o)
	}
}

func TestRunAllReportsInOrder(t *testing.T) {
	t.Parallel()
	r, tests, _ := fakeTests(t, "slow", "hi", "junk")
	r.Timeout = 10 * time.Second
	list := []Test{tests["slow"], tests["hi"], tests["junk"]}
	var got []string
	r.RunAll(context.Background(), list, 3, func(o Outcome) { got = append(got, o.Test.Name+" "+string(o.Status)) })
	if want := []string{"slow ok", "hi ok", "junk fail"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RunAll reported %q, want %q", got, want)
	}
	// Cancelled before it starts: nothing runs, nothing is reported.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = nil
	r.RunAll(ctx, list, 1, func(o Outcome) { got = append(got, o.Test.Name+" "+string(o.Status)) })
	for _, g := range got {
		if !strings.HasSuffix(g, " fail") {
			t.Errorf("after cancel: %q", got)
		}
	}
}

func TestReports(t *testing.T) {
	outcomes := []Outcome{
		{Test: Test{Name: "dir/a"}, Status: OK, Runs: 2, Elapsed: 120 * time.Millisecond},
		{Test: Test{Name: "dir/b"}, Status: Fail, Runs: 1, Elapsed: time.Second, Message: "exit code: golden 0, got 1\nstderr <&>\n"},
		{Test: Test{Name: "c"}, Status: Flaky, Runs: 20, Message: "2 different transcripts\n"},
		{Test: Test{Name: "d"}, Status: OK, Updated: true},
	}
	var text bytes.Buffer
	var sum Summary
	for _, o := range outcomes {
		WriteText(&text, o)
		sum.Add(o)
	}
	want := "ok dir/a 0.12s\nFAIL dir/b 1.00s\n    exit code: golden 0, got 1\n    stderr <&>\nFLAKY c 0.00s\n    2 different transcripts\nupdated d 0.00s\n"
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	if sum.String() != "2 passed, 1 failed, 1 flaky (1 golden files updated)" || sum.OK() {
		t.Errorf("summary %q ok=%v", sum.String(), sum.OK())
	}

	var js bytes.Buffer
	for _, o := range outcomes {
		if err := WriteJSON(&js, o); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(js.String(), "\n"), "\n")
	if len(lines) != len(outcomes) {
		t.Fatalf("--json wrote %d lines for %d tests:\n%s", len(lines), len(outcomes), js.String())
	}
	var second jsonOutcome
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if second.Name != "dir/b" || second.Status != Fail || second.Seconds != 1 || second.Runs != 1 || second.Diff != outcomes[1].Message {
		t.Errorf("json line: %+v", second)
	}

	var x bytes.Buffer
	if err := WriteJUnit(&x, outcomes, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, x.String())
	}
	s := doc.Suites[0]
	if doc.Tests != 4 || doc.Failures != 2 || s.Tests != 4 || len(s.Cases) != 4 || s.Cases[0].Failure != nil {
		t.Errorf("junit: %+v", doc)
	}
	if f := s.Cases[1].Failure; f == nil || f.Text != outcomes[1].Message || f.Type != "fail" || s.Cases[1].Classname != "ipcsh.dir" {
		t.Errorf("junit case: %+v", s.Cases[1])
	}
}
