package golden

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// orderScript is LANGUAGE.md §4's example: the child's write enables
// main's read, and the child's exit main's wait.
const orderScript = `pipe p
spawn child { write p.w "hello\n" }
read p.r
wait child
`

// orderTrace is the --trace of a run of orderScript, as ipcsh wrote it.
const orderTrace = `{"seq":1,"t_ns":100,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"c.ipc:1:1","stmt":"pipe p","verb":"pipe","obj":"pipe:77"}
{"seq":2,"t_ns":200,"proc":"main","pid":10,"kind":"call","phase":"begin","pos":"c.ipc:2:1","stmt":"spawn child","verb":"spawn","obj":"proc:child"}
{"seq":3,"t_ns":300,"proc":"child","pid":11,"kind":"call","phase":"begin","pos":"c.ipc:2:15","stmt":"write p.w \"hello\\n\"","verb":"write","obj":"pipe:77","n":6}
{"seq":4,"t_ns":400,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"c.ipc:3:1","stmt":"read p.r","result":"\"hello\\n\"","verb":"read","obj":"pipe:77","n":6,"start_ns":250}
{"seq":5,"t_ns":500,"proc":"child","pid":11,"kind":"call","phase":"begin","pos":"c.ipc:2:14","stmt":"exit 0","verb":"exit","obj":"proc:child"}
{"seq":6,"t_ns":600,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"c.ipc:4:1","stmt":"wait child","result":"0","verb":"wait","obj":"proc:child","start_ns":450}
`

// The run's transcript of orderScript.
const orderRun = `main: pipe p
main: spawn child
child: write p.w "hello\n"
main: read p.r -> "hello\n"
child: exit 0
main: wait child -> 0
`

// TestOrderOfRelatedLines: an expected transcript with every process's
// lines right but a consume before the publish that enabled it is not
// the same transcript; one that only interleaves independent lines
// differently is.
func TestOrderOfRelatedLines(t *testing.T) {
	tr := ReadTrace(strings.NewReader(orderTrace), "dir")
	got := Result{Stdout: orderRun}
	for _, tc := range []struct {
		name, want string
		shows      []string // "" when want is the same transcript
	}{
		{"as run", orderRun, nil},
		{"independent lines swapped", `main: pipe p
main: spawn child
child: write p.w "hello\n"
child: exit 0
main: read p.r -> "hello\n"
main: wait child -> 0
`, nil},
		{"read before write", `main: pipe p
main: spawn child
main: read p.r -> "hello\n"
main: wait child -> 0
child: write p.w "hello\n"
child: exit 0
`, []string{
			"c.golden has\n  c.golden:3 main: read p.r -> \"hello\\n\"  (" + filepath.Join("dir", "c.ipc") + ":3)\nbefore\n  c.golden:5 child: write p.w \"hello\\n\"  (" + filepath.Join("dir", "c.ipc") + ":2)\n",
			"but in the run the read of main got 6 bytes from the write of child, so the line of the write comes first in every run\n",
			"c.golden:4 main: wait child -> 0  (" + filepath.Join("dir", "c.ipc") + ":4)\nbefore\n  c.golden:6 child: exit 0  (" + filepath.Join("dir", "c.ipc") + ":2)\n",
			"the wait of main reaped the exit of child, so the line of the exit comes first",
		}},
		{"child before its spawn", `main: pipe p
child: write p.w "hello\n"
main: spawn child
main: read p.r -> "hello\n"
child: exit 0
main: wait child -> 0
`, []string{
			"c.golden:2 child: write p.w \"hello\\n\"  (" + filepath.Join("dir", "c.ipc") + ":2)\nbefore\n  c.golden:3 main: spawn child  (" + filepath.Join("dir", "c.ipc") + ":2)\n",
			"child is the child the spawn of main started, and that is its first line",
		}},
		{"wait before exit", `main: pipe p
main: spawn child
child: write p.w "hello\n"
main: read p.r -> "hello\n"
main: wait child -> 0
child: exit 0
`, []string{
			"c.golden:5 main: wait child -> 0  (" + filepath.Join("dir", "c.ipc") + ":4)\nbefore\n  c.golden:6 child: exit 0  (" + filepath.Join("dir", "c.ipc") + ":2)\n",
			"the wait of main reaped the exit of child",
		}},
	} {
		want := Result{Stdout: tc.want}
		if !Same(want, got) {
			t.Fatalf("%s: per process, the lines differ; the case tests nothing", tc.name)
		}
		d := OrderDiff(want, got, tr, "c.golden")
		if (d == "") != (tc.shows == nil) {
			t.Errorf("%s: OrderDiff = %q", tc.name, d)
		}
		for _, s := range tc.shows {
			if !strings.Contains(d, s) {
				t.Errorf("%s: OrderDiff lacks %q:\n%s", tc.name, s, d)
			}
		}
		if tc.name == "wait before exit" && strings.Contains(d, "write") {
			t.Errorf("%s: a pair in order is reported:\n%s", tc.name, d)
		}
	}
}

// TestOrderWithoutTrace: a run without a trace (killed before it wrote
// one) has no pairs to check; Diff still compares per process.
func TestOrderWithoutTrace(t *testing.T) {
	want := Result{Stdout: "child: write p.w \"hello\\n\"\nmain: spawn child\n"}
	if d := OrderDiff(want, Result{Stdout: "main: spawn child\nchild: write p.w \"hello\\n\"\n"}, nil, "c.golden"); d != "" {
		t.Errorf("OrderDiff without a trace = %q", d)
	}
}

// TestOrderTraceNotTheTranscript: where the trace does not describe the
// transcript's lines (here the run printed other text), no pair is
// checked rather than a wrong one.
func TestOrderTraceNotTheTranscript(t *testing.T) {
	tr := ReadTrace(strings.NewReader(orderTrace), "")
	other := strings.ReplaceAll(orderRun, "hello", "bye")
	want := Result{Stdout: strings.ReplaceAll(`main: pipe p
main: spawn child
main: read p.r -> "hello\n"
main: wait child -> 0
child: write p.w "hello\n"
child: exit 0
`, "hello", "bye")}
	d := OrderDiff(want, Result{Stdout: other}, tr, "c.golden")
	if strings.Contains(d, "read") {
		t.Errorf("a pair of lines the trace does not describe is checked:\n%s", d)
	}
	if !strings.Contains(d, "exit") {
		t.Errorf("the exit, which the trace does describe, is not checked:\n%s", d)
	}
}

// TestRunnerChecksOrder: `ipcsh test` fails a golden file whose order no
// run can print, naming both lines, and passes one that only
// interleaves independent lines differently; --update rewrites the
// impossible one.
func TestRunnerChecksOrder(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "c.ipc")
	if err := os.WriteFile(script, []byte(orderScript), 0o644); err != nil {
		t.Fatal(err)
	}
	test := Test{Name: filepath.Join(dir, "c"), Script: script, Golden: filepath.Join(dir, "c.golden")}
	r := &Runner{Binary: ipcsh, Count: 1, Timeout: runTimeout}
	check := func(golden string) Outcome {
		t.Helper()
		if err := os.WriteFile(test.Golden, []byte(golden), 0o644); err != nil {
			t.Fatal(err)
		}
		return r.Check(context.Background(), test)
	}
	impossible := `main: pipe p
main: spawn child
main: read p.r -> "hello\n"
main: wait child -> 0
child: write p.w "hello\n"
child: exit 0
--- exit 0
`
	o := check(impossible)
	if o.Status != Fail || !strings.Contains(o.Message, test.Golden+`:3 main: read p.r -> "hello\n"  (`) ||
		!strings.Contains(o.Message, test.Golden+`:5 child: write p.w "hello\n"  (`) || !strings.Contains(o.Message, "got 6 bytes from the write of child") {
		t.Errorf("read before the write that enabled it: %s\n%s", o.Status, o.Message)
	}
	spawn := strings.Replace(orderRun, "main: spawn child\nchild: write p.w \"hello\\n\"\n", "child: write p.w \"hello\\n\"\nmain: spawn child\n", 1)
	if o := check(spawn + "--- exit 0\n"); o.Status != Fail || !strings.Contains(o.Message, "the spawn of main started") {
		t.Errorf("child's first line before its spawn: %s\n%s", o.Status, o.Message)
	}
	for _, ok := range []string{orderRun, strings.Replace(orderRun, "main: read p.r -> \"hello\\n\"\nchild: exit 0\n", "child: exit 0\nmain: read p.r -> \"hello\\n\"\n", 1)} {
		if o := check(ok + "--- exit 0\n"); o.Status != OK {
			t.Errorf("a possible order:\n%s%s\n%s", ok, o.Status, o.Message)
		}
	}
	check(impossible)
	r.Update = true
	if o := r.Check(context.Background(), test); o.Status != OK || !o.Updated {
		t.Errorf("--update of an impossible golden file: %s, updated %v\n%s", o.Status, o.Updated, o.Message)
	}
	b, _ := os.ReadFile(test.Golden)
	if string(b) == impossible {
		t.Errorf("--update left the impossible golden file as it was")
	}
}

// TestSameRunsKeepOrder: two runs with the same lines per process but a
// related pair the other way round are not the same transcript (the
// grouping behind FLAKY); independent lines interleaved otherwise are.
func TestSameRunsKeepOrder(t *testing.T) {
	a := run{Result: Result{Stdout: orderRun}, trace: ReadTrace(strings.NewReader(orderTrace), "")}
	swapped := run{Result: Result{Stdout: strings.Replace(orderRun, "child: write p.w \"hello\\n\"\nmain: read p.r -> \"hello\\n\"\n", "main: read p.r -> \"hello\\n\"\nchild: write p.w \"hello\\n\"\n", 1)}}
	independent := run{Result: Result{Stdout: strings.Replace(orderRun, "main: read p.r -> \"hello\\n\"\nchild: exit 0\n", "child: exit 0\nmain: read p.r -> \"hello\\n\"\n", 1)}}
	if swapped.Stdout == orderRun || independent.Stdout == orderRun {
		t.Fatal("the transcripts were not rearranged")
	}
	if sameRuns(a, swapped) || sameRuns(swapped, a) {
		t.Errorf("a run with the read before its write groups with a run in order")
	}
	if !sameRuns(a, independent) || !sameRuns(independent, a) {
		t.Errorf("runs that only interleave independent lines differently do not group")
	}
}

// Two processes write the same bytes to one pipe: another run may have
// given main's first read the other writer's bytes, so a golden file
// with main's read between a's and b's writes is right even when this
// run's read took b's. Such pairs are not checked; a spawn and the
// child's first line still are.
func TestOrderOnlyWherePairsAreForced(t *testing.T) {
	trace := `{"seq":1,"t_ns":100,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"t.ipc:1:1","stmt":"pipe p","verb":"pipe","obj":"pipe:77"}
{"seq":2,"t_ns":200,"proc":"main","pid":10,"kind":"call","phase":"begin","pos":"t.ipc:2:1","stmt":"spawn a","verb":"spawn","obj":"proc:a"}
{"seq":3,"t_ns":210,"proc":"main","pid":10,"kind":"call","phase":"begin","pos":"t.ipc:3:1","stmt":"spawn b","verb":"spawn","obj":"proc:b"}
{"seq":4,"t_ns":300,"proc":"b","pid":12,"kind":"call","phase":"begin","pos":"t.ipc:3:11","stmt":"write p.w \"x\"","verb":"write","obj":"pipe:77","n":1}
{"seq":5,"t_ns":400,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"t.ipc:4:1","stmt":"read p.r 1","result":"\"x\"","verb":"read","obj":"pipe:77","n":1,"start_ns":250}
{"seq":6,"t_ns":500,"proc":"a","pid":11,"kind":"call","phase":"begin","pos":"t.ipc:2:11","stmt":"write p.w \"x\"","verb":"write","obj":"pipe:77","n":1}
{"seq":7,"t_ns":600,"proc":"main","pid":10,"kind":"call","phase":"end","pos":"t.ipc:5:1","stmt":"read p.r 1","result":"\"x\"","verb":"read","obj":"pipe:77","n":1,"start_ns":550}
`
	tr := ReadTrace(strings.NewReader(trace), "dir")
	got := Result{Stdout: `main: pipe p
main: spawn a
main: spawn b
b: write p.w "x"
main: read p.r 1 -> "x"
a: write p.w "x"
main: read p.r 1 -> "x"
`}
	otherRun := `main: pipe p
main: spawn a
main: spawn b
a: write p.w "x"
main: read p.r 1 -> "x"
b: write p.w "x"
main: read p.r 1 -> "x"
`
	if d := OrderDiff(Result{Stdout: otherRun}, got, tr, "t.golden"); d != "" {
		t.Errorf("a run that paired the reads with the other writer was refused:\n%s", d)
	}
	childFirst := `main: pipe p
main: spawn a
b: write p.w "x"
main: spawn b
a: write p.w "x"
main: read p.r 1 -> "x"
main: read p.r 1 -> "x"
`
	if d := OrderDiff(Result{Stdout: childFirst}, got, tr, "t.golden"); !strings.Contains(d, "b: write p.w") {
		t.Errorf("b's line before its spawn was not refused: %q", d)
	}
}
