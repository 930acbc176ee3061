package lang

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// TestFormatRepoScripts keeps every .ipc of the repository in `ipcsh fmt`'s
// layout (it runs in `make test`): a script that formatting would change
// fails here, with the command that fixes it. Each one is also a case of
// checkFormat: its formatted text says the same and is a fixed point.
func TestFormatRepoScripts(t *testing.T) {
	files := repoScripts(t)
	if len(files) < 40 {
		t.Fatalf("found only %d scripts: %v", len(files), files)
	}
	for _, path := range files {
		src, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(path, string(src)); err != nil {
			continue // the syntax-error cases: fmt leaves them alone too
		}
		out := checkFormat(t, path, string(src))
		if out != string(src) {
			t.Errorf("%s is not in ipcsh fmt's layout (run: go run ./cmd/ipcsh fmt %s):\n%s", path, path, lineDiff(string(src), out))
		}
	}
}

// repoScripts lists the .ipc files git tracks, from the repository's root;
// without git (a source tarball), every .ipc under the root.
func repoScripts(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "-C", "..", "ls-files", "-z", "--", "*.ipc").Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".ipc") {
			rel, _ := filepath.Rel("..", path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// lineDiff shows the lines of want that differ from got's, numbered.
func lineDiff(got, want string) string {
	a, b := strings.Split(got, "\n"), strings.Split(want, "\n")
	var out strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			out.WriteString("  line " + strconv.Itoa(i+1) + ":\n  - " + x + "\n  + " + y + "\n")
		}
	}
	return out.String()
}

func TestFormatLayout(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"spacing",
			"if x==1{print   -a,b;close f1;close f2}else if !y {  print \"no\" # c\n}\n" +
				"let m=recv q type= -5\nquiet repeat 3{sem p s[0];sem v s[1]}\n\n\n\n" +
				"spawn w exec ls -l (tmp+\"/x\") stdout=p.w # run ls\n" +
				"a[0:5]=\"hello\"; atomic a.i64[0]+=1\nwrite p.w hex(1)[3:]\n" +
				"for i in 0 ..n-1 { print i }\n" +
				"# the end\n",
			`if x == 1 { print -a, b; close f1; close f2 } else if !y {
  print "no"  # c
}
let m = recv q type=-5
quiet repeat 3 { sem p s[0]; sem v s[1] }

spawn w exec ls -l (tmp + "/x") stdout=p.w  # run ls
a[0:5] = "hello"; atomic a.i64[0] += 1
write p.w hex(1)[3:]
for i in 0..n - 1 { print i }
# the end
`},
		// The statements the author put on one line stay on one line; a
		// trailing ";" and empty statements go.
		{"one line",
			"close f1;close f2 ;  close f3;\n;;\nprint 1\n",
			"close f1; close f2; close f3\nprint 1\n"},
		// The script of issue 14, which once panicked in blankBefore.
		{"issue 14",
			"pipe p\nclose p.r; close p.w      # both ends\nlet x = 1                 # one\nlet longer_name = 2       # two\n\nprint x, longer_name\n",
			"pipe p\nclose p.r; close p.w  # both ends\nlet x = 1             # one\nlet longer_name = 2   # two\n\nprint x, longer_name\n"},
		// A run of trailing comments is one column, two spaces after the
		// longest line; a blank line, a line without a comment, a comment
		// line or another indentation starts a new run.
		{"comment columns",
			"let a = 1 # a\nlet bbbbbb = 2 # b\n\nlet c = 3    # c\nprint c\nlet dd = 4 # d\n# own\nlet e = 5 # e\n" +
				"spawn x { # x\n  print 1 # one\n  print 22222 # two\n} # end\n",
			"let a = 1       # a\nlet bbbbbb = 2  # b\n\nlet c = 3  # c\nprint c\nlet dd = 4  # d\n# own\nlet e = 5  # e\n" +
				"spawn x {  # x\n  print 1      # one\n  print 22222  # two\n}  # end\n"},
		// Blank lines stay, a run of them as one, at the start and end of a
		// block too (as gofmt keeps them); not at the start of the file.
		{"blank lines",
			"\n\n# head\n\n\n\nspawn x {\n\n\n  print 1\n\n  # last\n\n}\n\n\n",
			"# head\n\nspawn x {\n\n  print 1\n\n  # last\n\n}\n"},
		// Comments in blocks keep their depth; one after "{" stays there.
		{"comments in blocks",
			"if a {    # why\n# first\nprint 1\n     # between\nprint 2\n    # closing\n} else {\n print 3 }  # after\nrepeat 2 { # nothing\n}\n",
			"if a {  # why\n  # first\n  print 1\n  # between\n  print 2\n  # closing\n} else {\n  print 3\n}           # after\nrepeat 2 {  # nothing\n}\n"},
		// A block opened over several lines stays so; the statements on
		// its first or last line move to lines of their own, and those the
		// author joined stay joined.
		{"several lines",
			"repeat 3 { sem p s; print 1\n print 2; sem v s }\n",
			"repeat 3 {\n  sem p s; print 1\n  print 2; sem v s\n}\n"},
		{"empty blocks",
			"spawn x {}\nspawn y {\n\n}\nif a { } else {\n}\n",
			"spawn x { }\nspawn y { }\nif a { } else { }\n"},
		{"try and quiet",
			"try   close x\nquiet{close y}\ntry quiet {\nclose z}\n",
			"try close x\nquiet { close y }\ntry quiet {\n  close z\n}\n"},
		{"exec words",
			"spawn l exec ls  -l   '/a b'\"c\"(1+2) stdin=p.r   stdout = p.w\n",
			"spawn l exec ls -l '/a b' \"c\" (1 + 2) stdin=p.r stdout=p.w\n"},
		{"nested one-line blocks",
			"spawn one { quiet repeat 5000 { sem p mutex; a.i64[0] = a.i64[0] + 1; sem v mutex } }\n",
			"spawn one { quiet repeat 5000 { sem p mutex; a.i64[0] = a.i64[0] + 1; sem v mutex } }\n"},
		{"unicode comment column",
			"print \"é\" # a\nprint \"ab\" # b\n",
			"print \"é\"   # a\nprint \"ab\"  # b\n"},
	} {
		got, err := Format("t.ipc", c.src)
		if err != nil || got != c.want {
			t.Errorf("%s: Format:\n%s\nerr %v\nwant:\n%s", c.name, got, err, c.want)
			continue
		}
		checkFormat(t, "t.ipc", c.src)
	}
	if _, err := Format("t.ipc", "print )\n"); err == nil {
		t.Error("a syntax error was formatted")
	}
}

// A block written on one line that is wider than maxInline is opened, one
// statement to a line; the blocks inside it that fit stay on their lines.
func TestFormatWideBlock(t *testing.T) {
	long := strings.Repeat("x", maxInline)
	src := "repeat 2 { print \"" + long + "\"; repeat 3 { print 1; print 2 } }\n"
	want := "repeat 2 {\n  print \"" + long + "\"\n  repeat 3 { print 1; print 2 }\n}\n"
	if got := checkFormat(t, "t.ipc", src); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	fits := "repeat 2 { print \"" + long[:maxInline-len(`{ print "" }`)] + "\" }\n"
	if got := checkFormat(t, "t.ipc", fits); got != fits {
		t.Errorf("a block of exactly %d columns was opened:\n%s", maxInline, got)
	}
}

// The formatter finds a statement's blocks, statements, expressions,
// arguments, options and words through its grammar fields, whatever the
// statement's type: a statement added to the grammar needs no case in
// format.go. The fields the checker fills in (`parser:""`) are not the
// author's text and are left out.
func TestFormatLeavesOfAnyShape(t *testing.T) {
	type param struct {
		Pos  Pos
		Name string `parser:"@Ident"`
	}
	type def struct {
		Pos     Pos
		Name    string   `parser:"\"def\" @Ident"`
		Params  []*param `parser:"'(' @@* ')'"`
		Default Expr     `parser:"@@?"`
		Body    *Block   `parser:"@@"`
		Opts    []*Option
		Derived *Block `parser:""`
	}
	at := func(off int) Pos { return Pos{Offset: off} }
	d := &def{
		Params:  []*param{{Pos: at(8)}},
		Default: &Ident{span: span{Pos: at(12), EndPos: at(13)}, Name: "x"},
		Body:    &Block{Pos: at(20)},
		Opts:    []*Option{{Pos: at(30), Value: &Literal{span: span{Pos: at(32)}}}},
		Derived: &Block{Pos: at(40)},
	}
	got := leavesOf(reflect.ValueOf(d).Elem())
	want := map[int]any{12: d.Default, 20: d.Body, 30: d.Opts[0]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("leavesOf = %v, want %v", got, want)
	}
}

// The bare tokens of a statement's own grammar (a future `def f(a, b)` or
// `spawn w[i]`) are spaced by spaceBefore: a bracket glued to the word
// before it stays glued, one the author set apart stays apart; commas and
// closing brackets are glued to what they follow.
func TestFormatBareTokenSpacing(t *testing.T) {
	for _, c := range []struct {
		src  string
		want string
	}{
		{"def f(a,b)", "def f(a, b)"},
		{"def f (a , b )", "def f (a, b)"},
		{"spawn w[ i ]", "spawn w[i]"},
		{"x in 0 .. 9", "x in 0..9"},
	} {
		toks, err := scan("t.ipc", c.src, lexer.Position{Line: 1, Column: 1})
		if err != nil {
			t.Fatal(err)
		}
		f := &formatter{}
		for _, tok := range toks {
			if tok.Type != tokEOL && tok.Type != tokEOF {
				f.put(tok.Value, tok.Value, tok.Pos.Offset, tok.Pos.Offset+len(tok.Value))
			}
		}
		if got := f.cur.String(); got != c.want {
			t.Errorf("%q: %q, want %q", c.src, got, c.want)
		}
	}
}
