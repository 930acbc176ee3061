package golden

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The harness's own rules, checked on made-up transcripts: a harness that
// compared too little would let every golden test pass.

func TestProjectKeepsEachProcessInOrder(t *testing.T) {
	a := "main: spawn c\nc: write p.w \"x\"\nmain: read p.r -> \"x\"\nc: exit 0\nmain: wait c -> 0\n"
	b := "main: spawn c\nc: write p.w \"x\"\nc: exit 0\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if project(a) != project(b) {
		t.Errorf("same lines per process, different interleaving, yet projections differ:\n%s---\n%s", project(a), project(b))
	}
	want := "c: write p.w \"x\"\nc: exit 0\nmain: spawn c\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if got := project(a); got != want {
		t.Errorf("project:\n%s\nwant:\n%s", got, want)
	}
	swapped := "main: spawn c\nc: exit 0\nc: write p.w \"x\"\nmain: read p.r -> \"x\"\nmain: wait c -> 0\n"
	if project(a) == project(swapped) {
		t.Error("two lines of one process swapped, yet the projections are equal")
	}
}

func TestProjectVerboseAndRawLines(t *testing.T) {
	// -v adds the pid to the name; output of an exec'd program belongs to
	// no process and keeps its own order.
	got := project("main[12]: pipe p\nraw 1\nc[13]: exit 0\nraw 2\n")
	want := "raw 1\nraw 2\nc[13]: exit 0\nmain[12]: pipe p\n"
	if got != want {
		t.Errorf("project = %q, want %q", got, want)
	}
}

func TestMismatch(t *testing.T) {
	base := result{stdout: "main: a\nc: b\n", stderr: "ipcsh: x\n", exit: 1}
	for _, tc := range []struct {
		name  string
		got   result
		match bool
	}{
		{"identical", base, true},
		{"interleaved", result{stdout: "c: b\nmain: a\n", stderr: "ipcsh: x\n", exit: 1}, true},
		{"exit code", result{stdout: base.stdout, stderr: base.stderr, exit: 0}, false},
		{"stderr", result{stdout: base.stdout, stderr: "ipcsh: y\n", exit: 1}, false},
		{"missing line", result{stdout: "main: a\n", stderr: base.stderr, exit: 1}, false},
		{"extra line", result{stdout: base.stdout + "main: a\n", stderr: base.stderr, exit: 1}, false},
		{"other process", result{stdout: "main: a\nd: b\n", stderr: base.stderr, exit: 1}, false},
		{"no final newline", result{stdout: "main: a\nc: b", stderr: base.stderr, exit: 1}, false},
	} {
		if d := base.mismatch(tc.got); (d == "") != tc.match {
			t.Errorf("%s: mismatch = %q, want match=%v", tc.name, d, tc.match)
		}
	}
}

func TestGoldenFormatRoundTrip(t *testing.T) {
	for _, r := range []result{
		{},
		{exit: 2, stderr: "x.ipc:1:1: oops\n    oops\n    ^\n"},
		{stdout: "main: pipe p\n", exit: 0},
		{stdout: "main: 1\n", exit: 143, stderr: "no newline"},
		{stdout: "raw", exit: 3},
	} {
		text := r.format()
		back, err := parseGolden(text)
		if err != nil {
			t.Errorf("parseGolden(%q): %v", text, err)
			continue
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("round trip of %+v through\n%s\ngave %+v", r, text, back)
		}
	}
	if got := (result{stdout: "main: x\n", exit: 1, stderr: "e\n"}).format(); got != "main: x\n--- exit 1\n--- stderr\ne\n" {
		t.Errorf("format = %q", got)
	}
	for _, bad := range []string{"main: x\n", "--- exit 0\nmain: x\n"} {
		if _, err := parseGolden(bad); err == nil {
			t.Errorf("parseGolden(%q) accepted a malformed golden file", bad)
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
		if got := scriptArgs(src); !reflect.DeepEqual(got, want) {
			t.Errorf("scriptArgs(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	d := lineDiff("a\nb\nc\n", "a\nx\nc\n")
	if !strings.Contains(d, "- b\n+ x\n") || !strings.Contains(d, "  a\n") {
		t.Errorf("lineDiff:\n%s", d)
	}
}

func TestTmpLeftovers(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "ipcsh-"+strconv.Itoa(os.Getuid()))
	for _, d := range []string{filepath.Join(dir, "ipcsh-123"), journal, filepath.Join(dir, "other")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// An empty journal directory may stay; a run's tmp directory may not.
	if got, want := sortedKeys(tmpLeftovers(dir)), []string{"ipcsh-123"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tmpLeftovers = %q, want %q", got, want)
	}
	if err := os.WriteFile(filepath.Join(journal, "run-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"ipcsh-123": true, filepath.Base(journal) + "/run-1": true}
	if got := tmpLeftovers(dir); !reflect.DeepEqual(got, want) {
		t.Errorf("tmpLeftovers = %v, want %v", got, want)
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
