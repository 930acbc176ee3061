package lang

import (
	"errors"
	"fmt"
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

// addSeeds gives a fuzzer the project's scripts, the sources of the
// error table and fuzzSeeds.
func addSeeds(f *testing.F) {
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
	addSeeds(f)
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

// formatSeeds are layouts the formatter has to get right: comments in
// every place, joined statements, blank lines, one-line blocks.
var formatSeeds = []string{
	"pipe p\nclose p.r; close p.w      # both ends\nlet x = 1                 # one\nlet longer_name = 2       # two\n\nprint x, longer_name\n",
	"if a {    # why\n# first\nprint 1\n     # between\nprint 2\n    # closing\n} else {\n print 3 }  # after\nrepeat 2 { # nothing\n}\n",
	"repeat 3 { sem p s; print 1\n print 2; sem v s }; close x # c\n\n\n",
	"spawn l exec ls  -l   '/a #b'\"c\"(1+2) stdin=p.r   stdout = p.w # w\n",
	"try quiet { close x }\nquiet try close y;let m=recv q type= -5 # t\n",
	"for i in 0 ..n-1{a.i64[i]+=-(1)}\nsem op s 0:-1 1:+1 undo\nprint -a,!b,(c)",
}

// FuzzFormat: for every source that parses, Format never panics, its
// result parses to the same program with the same comments, and
// formatting that result changes nothing (checkFormat).
func FuzzFormat(f *testing.F) {
	addSeeds(f)
	for _, s := range formatSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		checkFormat(t, "f.ipc", src)
	})
}

// checkFormat formats src, which must parse (or it is no case: it returns
// ""), and checks the result: it parses, to the program src is with the
// positions left out (astText) and with the same comments, and it is in
// the layout already. It returns the formatted text.
func checkFormat(t *testing.T, name, src string) string {
	t.Helper()
	prog, err := Parse(name, src)
	if err != nil {
		return ""
	}
	out, err := Format(name, src)
	if err != nil {
		t.Fatalf("Format of a source that parses: %v\n%s", err, src)
	}
	again, err := Parse(name, out)
	if err != nil {
		t.Fatalf("the formatted source does not parse: %v\n--- source\n%s\n--- formatted\n%s", err, src, out)
	}
	if a, b := astText(prog), astText(again); a != b {
		t.Fatalf("the formatted source is another program:\n--- source\n%s\n--- formatted\n%s\n--- its tree\n%s\n--- formatted, its tree\n%s", src, out, a, b)
	}
	c1, _ := Comments(src)
	c2, _ := Comments(out)
	if len(c1) != len(c2) {
		t.Fatalf("formatting kept %d comments of %d:\n--- source\n%s\n--- formatted\n%s", len(c2), len(c1), src, out)
	}
	for i := range c1 {
		if c1[i].Text != c2[i].Text {
			t.Fatalf("comment %d was %q, is %q:\n--- source\n%s\n--- formatted\n%s", i, c1[i].Text, c2[i].Text, src, out)
		}
	}
	twice, err := Format(name, out)
	if err != nil || twice != out {
		t.Fatalf("formatting twice changes the text (err %v):\n--- source\n%s\n--- once\n%s\n--- twice\n%s", err, src, out, twice)
	}
	return out
}

// astText prints a tree without its positions: every field of every node,
// by name, except the positions and the fields the checker derives from
// the others (tagged `parser:""`, among them Program.Src).
func astText(n any) string {
	var b strings.Builder
	var write func(v reflect.Value, depth int)
	write = func(v reflect.Value, depth int) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			write(v.Elem(), depth)
		case reflect.Slice:
			b.WriteString("[")
			for i := 0; i < v.Len(); i++ {
				b.WriteString("\n" + strings.Repeat("  ", depth+1))
				write(v.Index(i), depth+1)
			}
			b.WriteString("]")
		case reflect.Struct:
			t := v.Type()
			b.WriteString(t.Name() + "{")
			for i := 0; i < t.NumField(); i++ {
				sf := t.Field(i)
				if tag, ok := sf.Tag.Lookup("parser"); ok && tag == "" || sf.Type == reflect.TypeFor[Pos]() {
					continue
				}
				if sf.Anonymous {
					write(v.Field(i), depth)
					continue
				}
				b.WriteString(" " + sf.Name + ":")
				write(v.Field(i), depth)
			}
			b.WriteString("}")
		default:
			fmt.Fprintf(&b, "%q", fmt.Sprint(v))
		}
	}
	write(reflect.ValueOf(n), 0)
	return b.String()
}
