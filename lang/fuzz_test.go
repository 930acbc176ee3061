package lang

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are inputs that reached bugs or limits once, kept beside the
// scripts and the error table as places to start from.
var fuzzSeeds = []string{
	"",
	"\n\n;;\n",
	"spawn l exec ls ) x",
	"spawn x { print 1 }   # a comment after a block",
	strings.Repeat("try {", 16) + strings.Repeat("}", 15),
	strings.Repeat("if x {", 30) + " raed ",
	strings.Repeat("(", 200) + "1",
	"x = " + strings.Repeat("-", 300) + "1",
	"print " + strings.Repeat("a[", 100),
	"let x = 0x12G4",
	"print \"\\xff\" é \xff",
	"sem op s 0:-1 1:+1 undo nowait timeout=10ms",
	"if a { } else if b { } else { } else { }",
	strings.Repeat("if x {} else {", 8) + ")" + strings.Repeat("}", 8),
}

// parseTimeLimit bounds one Parse of a small input. participle backtracks,
// and a grammar change once made a 16-level nest of `try {` take 30 s: a
// slow input is a bug here even when the fuzzer's own timeout would not
// notice it.
const (
	parseTimeLimit = 2 * time.Second
	smallInput     = 4 << 10
)

// FuzzParse: Parse and ParseAll never panic or hang, every error has a
// position inside the source, and every position of a parsed program is
// sound (positionErrors).
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../scripts/examples/*.ipc", "../golden/testdata/*.ipc"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(b))
		}
	}
	for _, c := range errorCases {
		f.Add(c.src)
	}
	for _, s := range fuzzSeeds {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		prog, err := Parse("f.ipc", src)
		if d := time.Since(start); len(src) < smallInput && d > parseTimeLimit {
			t.Fatalf("Parse of %d bytes took %v", len(src), d)
		}
		checkErrors(t, "Parse", src, err)
		if err == nil {
			for _, msg := range positionErrors(prog) {
				t.Error(msg)
			}
		}
		_ = IsIncomplete(err)

		all, errAll := ParseAll("f.ipc", src)
		checkErrors(t, "ParseAll", src, errAll)
		if (err == nil) != (errAll == nil) {
			t.Fatalf("Parse: %v; ParseAll: %v", err, errAll)
		}
		if err == nil {
			if !reflect.DeepEqual(prog, all) {
				t.Fatal("ParseAll gave another program than Parse")
			}
			return
		}
		// ParseAll starts with what Parse finds, and goes on.
		got := map[string]bool{}
		for _, e := range errAll.(ErrorList) {
			got[e.Error()] = true
		}
		for _, e := range err.(ErrorList) {
			if !got[e.Error()] {
				t.Errorf("ParseAll lacks %q, which Parse reported", e.Error())
			}
		}
	})
}

// checkErrors: an error is a non-empty ErrorList of positioned errors,
// each inside the source, on the line its offset is on, and printable.
func checkErrors(t *testing.T, what, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("%s: error %T %v is not a non-empty ErrorList", what, err, err)
	}
	w := &posWalker{src: src, base: Pos{Filename: "f.ipc", Line: 1, Column: 1}}
	for i, e := range list {
		if e.Msg == "" {
			t.Errorf("%s: error %d has no message", what, i)
		}
		if e.Pos.Line < 1 || e.Pos.Column < 1 || !w.check(e.Pos, "error", 0, len(src)) {
			t.Errorf("%s: error %q at %d:%d@%d, outside the source of %d bytes", what, e.Msg, e.Pos.Line, e.Pos.Column, e.Pos.Offset, len(src))
		}
		if i > 0 && list[i-1].Pos.Offset > e.Pos.Offset {
			t.Errorf("%s: errors out of order: %v", what, err)
		}
		if e.Line != lineAt(src, e.Pos.Offset) {
			t.Errorf("%s: error %q shows line %q, not the line of its position", what, e.Msg, e.Line)
		}
		_ = e.Caret()
	}
	for _, msg := range w.errs {
		t.Errorf("%s: %s", what, msg)
	}
}
