package lang

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

var kindNames = map[lexer.TokenType]string{
	tokEOF: "EOF", tokEOL: "EOL", tokIdent: "Ident", tokInt: "Int", tokSize: "Size",
	tokDuration: "Duration", tokString: "String", tokWord: "Word", tokPunct: "Punct",
	tokCmpOp: "CmpOp", tokAddOp: "AddOp", tokMulOp: "MulOp",
}

// lex renders the tokens of src as `Kind(value)`, without the EOL and EOF
// that end every input, so a table states the whole token stream.
func lex(t *testing.T, src string) string {
	t.Helper()
	toks, err := scan("t.ipc", src, Pos{Filename: "t.ipc", Line: 1, Column: 1})
	if err != nil {
		t.Fatalf("scan(%q): %v", src, err)
	}
	n := len(toks)
	if n < 2 || toks[n-1].Type != tokEOF || toks[n-2].Type != tokEOL || toks[n-2].Value != "" {
		t.Fatalf("scan(%q) does not end in EOL EOF: %v", src, toks)
	}
	var out []string
	for _, tk := range toks[:n-2] {
		out = append(out, fmt.Sprintf("%s(%s)", kindNames[tk.Type], strings.ReplaceAll(tk.Value, "\n", `\n`)))
	}
	return strings.Join(out, " ")
}

func TestLexTokens(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", ""},
		{"print x", "Ident(print) Ident(x)"},
		{"a_1 _b B9", "Ident(a_1) Ident(_b) Ident(B9)"},
		// Integers in every base, and C-style octal, stay one token each;
		// their value is ParseInt's business (literal_test.go).
		{"42 0x1f 0X1F 0b101 0o644 0600 1_000_000 0", "Int(42) Int(0x1f) Int(0X1F) Int(0b101) Int(0o644) Int(0600) Int(1_000_000) Int(0)"},
		{"4KiB 1MiB 1GiB 512B", "Size(4KiB) Size(1MiB) Size(1GiB) Size(512B)"},
		{"500us 10ms 2s 1m 3h 7ns", "Duration(500us) Duration(10ms) Duration(2s) Duration(1m) Duration(3h) Duration(7ns)"},
		{`"a b" "" "\"q\""`, `String("a b") String("") String("\"q\"")`},
		// Longest match for two-character operators.
		{"== != <= >= && || += -= .. = < > ! + - * / % . , [ ] { } ( ) :",
			"CmpOp(==) CmpOp(!=) CmpOp(<=) CmpOp(>=) Punct(&&) Punct(||) Punct(+=) Punct(-=) Punct(..) " +
				"Punct(=) CmpOp(<) CmpOp(>) Punct(!) AddOp(+) AddOp(-) MulOp(*) MulOp(/) MulOp(%) Punct(.) " +
				"Punct(,) Punct([) Punct(]) Punct({) Punct(}) Punct(() Punct()) Punct(:)"},
		{"1..10", "Int(1) Punct(..) Int(10)"},
		{"a.i64[0]", "Ident(a) Punct(.) Ident(i64) Punct([) Int(0) Punct(])"},
		{"0:-1", "Int(0) Punct(:) AddOp(-) Int(1)"},
		// Statements end at a newline or ";"; runs of them stay separate
		// tokens (the grammar takes EOL*).
		{"a\nb;c;;\n", `Ident(a) EOL(\n) Ident(b) EOL(;) Ident(c) EOL(;) EOL(;) EOL(\n)`},
		{"a\r\nb", `Ident(a) EOL(\n) Ident(b)`},
		// Comments run to the end of the line, and the newline still ends
		// the statement.
		{"print 1 # a comment ; not a statement\nprint 2", `Ident(print) Int(1) EOL(\n) Ident(print) Int(2)`},
		{"# only a comment", ""},
		{`print "# not a comment"`, `Ident(print) String("# not a comment")`},
		// Tabs, form feeds and vertical tabs are blanks.
		{"\tprint\f1\v", "Ident(print) Int(1)"},
	}
	for _, tt := range tests {
		if got := lex(t, tt.src); got != tt.want {
			t.Errorf("lex(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestLexExecWords(t *testing.T) {
	tests := []struct{ src, want string }{
		// After `spawn NAME exec` the line is shell words, so paths and
		// flags need no quotes; stdin=/stdout=/stderr= take an expression.
		{"spawn l exec ls -l /tmp stdout=p.w",
			"Ident(spawn) Ident(l) Ident(exec) Word(ls) Word(-l) Word(/tmp) Ident(stdout) Punct(=) Ident(p) Punct(.) Ident(w)"},
		{`spawn e exec echo "a b" (n + 1) x=y a#b`,
			`Ident(spawn) Ident(e) Ident(exec) Word(echo) String("a b") Punct(() Ident(n) AddOp(+) Int(1) Punct()) Word(x=y) Word(a#b)`},
		// A word may hold any byte but blanks and ; " ( ) { }; inside
		// single quotes, any byte but a newline. The token keeps its quotes.
		{"spawn x exec sh -c 'exit 3' --a=b ./x.sh é",
			"Ident(spawn) Ident(x) Ident(exec) Word(sh) Word(-c) Word('exit 3') Word(--a=b) Word(./x.sh) Word(é)"},
		{`spawn x exec sh -c 'echo hi; echo "there" # (not) {a comment}' next`,
			`Ident(spawn) Ident(x) Ident(exec) Word(sh) Word(-c) Word('echo hi; echo "there" # (not) {a comment}') Word(next)`},
		// Quotes join with what touches them; a quoted stdout= is a word.
		{"spawn x exec a'b c'd '' x'='y 'stdout=p.w'",
			"Ident(spawn) Ident(x) Ident(exec) Word(a'b c'd) Word('') Word(x'='y) Word('stdout=p.w')"},
		{"spawn c exec cat stdin=p.r stdout=q.w",
			"Ident(spawn) Ident(c) Ident(exec) Word(cat) Ident(stdin) Punct(=) Ident(p) Punct(.) Ident(r) Ident(stdout) Punct(=) Ident(q) Punct(.) Ident(w)"},
		// Words end at the blanks that separate other tokens (found by
		// FuzzParse: a form feed was part of the word).
		{"spawn x exec a\fb\vc\td", "Ident(spawn) Ident(x) Ident(exec) Word(a) Word(b) Word(c) Word(d)"},
		// Word mode ends with the statement.
		{"spawn l exec ls; print -l", "Ident(spawn) Ident(l) Ident(exec) Word(ls) EOL(;) Ident(print) AddOp(-) Ident(l)"},
		{"spawn l exec ls # list\nprint -l", `Ident(spawn) Ident(l) Ident(exec) Word(ls) EOL(\n) Ident(print) AddOp(-) Ident(l)`},
		// Nested parentheses stay an expression until the last one closes.
		{"spawn l exec ls (f(1)) -x", "Ident(spawn) Ident(l) Ident(exec) Word(ls) Punct(() Ident(f) Punct(() Int(1) Punct()) Punct()) Word(-x)"},
		// `exec` elsewhere is an ordinary name.
		{"print exec -l", "Ident(print) Ident(exec) AddOp(-) Ident(l)"},
		{"spawn l { exec -l }", "Ident(spawn) Ident(l) Punct({) Ident(exec) AddOp(-) Ident(l) Punct(})"},
		// A ")" with no "(" is a token, not an endless empty word (it hung).
		{"spawn l exec ls ) x", "Ident(spawn) Ident(l) Ident(exec) Word(ls) Punct()) Word(x)"},
	}
	for _, tt := range tests {
		if got := lex(t, tt.src); got != tt.want {
			t.Errorf("lex(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestLexPositions(t *testing.T) {
	src := "pipe p\n  write p.w \"é\" ; close p.w\n"
	toks, err := scan("f.ipc", src, Pos{Filename: "f.ipc", Line: 1, Column: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, fmt.Sprintf("%d:%d@%d", tk.Pos.Line, tk.Pos.Column, tk.Pos.Offset))
		if tk.Pos.Filename != "f.ipc" {
			t.Errorf("token %q has file %q", tk.Value, tk.Pos.Filename)
		}
	}
	// Columns count runes: "é" is two bytes and one column, so ";" is at
	// byte 17 of its line but column 17, not 18.
	want := "1:1@0 1:6@5 1:7@6 " + // pipe p EOL
		"2:3@9 2:9@15 2:10@16 2:11@17 2:13@19 2:17@24 2:19@26 2:25@32 2:26@33 2:27@34 2:28@35 " + // write p . w "é" ; close p . w EOL
		"3:1@36 3:1@36" // the closing EOL and EOF
	if strings.Join(got, " ") != want {
		t.Errorf("positions\n got %s\nwant %s", strings.Join(got, " "), want)
	}

	// A base shifts everything: a spawned block keeps its file's lines,
	// columns and offsets.
	toks, err = scan("f.ipc", "x = 1\ny", Pos{Filename: "f.ipc", Offset: 100, Line: 7, Column: 12})
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, tk := range toks {
		got = append(got, fmt.Sprintf("%d:%d@%d", tk.Pos.Line, tk.Pos.Column, tk.Pos.Offset))
	}
	if want := "7:12@100 7:14@102 7:16@104 7:17@105 8:1@106 8:2@107 8:2@107"; strings.Join(got, " ") != want {
		t.Errorf("based positions\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		// A bad number is one error at its start, never two tokens.
		{"x = 0x12G4", `t.ipc:1:5: malformed number "0x12G4": unknown unit "G4" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
		{"x = 1__0", `t.ipc:1:5: malformed number "1__0": digits expected, with _ only between digits`},
		{"x = 1_", `t.ipc:1:5: malformed number "1_": digits expected, with _ only between digits`},
		{"x = 0x", `t.ipc:1:5: malformed number "0x": digits expected, with _ only between digits`},
		{"x = 0x_1", `t.ipc:1:5: malformed number "0x_1": digits expected, with _ only between digits`},
		{"x = 09", `t.ipc:1:5: malformed number "09": a leading 0 means octal, and 8 and 9 are not octal digits`},
		{"x = 0b12", `t.ipc:1:5: malformed number "0b12": not a valid base-2 number`},
		{"x = 0o9", `t.ipc:1:5: malformed number "0o9": not a valid base-8 number`},
		{"x = 12abc", `t.ipc:1:5: malformed number "12abc": unknown unit "abc" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
		{"x = 4kib", `t.ipc:1:5: malformed number "4kib": unknown unit "kib" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
		{"x = 99999999999999999999", `t.ipc:1:5: malformed number "99999999999999999999": out of the 64-bit range`},
		{"sleep 99999999999h", `t.ipc:1:7: malformed number "99999999999h": out of the 64-bit range`},
		{"x = 9000000000GiB", `t.ipc:1:5: malformed number "9000000000GiB": out of the 64-bit range`},
		// Strings.
		{`print "abc`, `t.ipc:1:7: unterminated string`},
		{"print \"abc\nprint 1", `t.ipc:1:7: unterminated string`},
		{`print "a\qb"`, `t.ipc:1:7: bad string "a\qb": unknown escape \q (known: \n \t \r \0 \\ \" \xHH)`},
		{`print "\x4"`, `t.ipc:1:7: bad string "\x4": \x needs two hex digits`},
		{`print "\xg0"`, `t.ipc:1:7: bad string "\xg0": \x needs two hex digits`},
		{`print "\x"`, `t.ipc:1:7: bad string "\x": \x needs two hex digits`},
		// A single-quoted exec word ends on its line.
		{"spawn x exec sh -c 'echo hi", `t.ipc:1:20: unterminated quote: a word in ' ' ends on its line`},
		{"spawn x exec sh -c ab'c\nprint 1'", `t.ipc:1:22: unterminated quote: a word in ' ' ends on its line`},
		{"spawn x exec é'", `t.ipc:1:15: unterminated quote: a word in ' ' ends on its line`},
		// Stray characters, and the column of one after a multi-byte
		// character: "é" is one column, not two.
		{"print \"é\" @ 1", `t.ipc:1:11: unexpected character '@'`},
		{"print 1\n  ü = $", `t.ipc:2:3: unexpected character 'ü'`},
		{"print 1\n\"ü\" $", `t.ipc:2:5: unexpected character '$'`},
		{"print \xff", `t.ipc:1:7: unexpected byte 0xff`},
		{"print \x00", `t.ipc:1:7: unexpected character '\x00'`},
	}
	for _, tt := range tests {
		_, err := Parse("t.ipc", tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

// TestLexLimits: nesting and line length are bounded before participle
// sees the tokens (see maxDepth), with a positioned error.
func TestLexLimits(t *testing.T) {
	ok := []string{
		strings.Repeat("if true { ", maxDepth) + strings.Repeat("}", maxDepth),
		"print " + strings.Repeat("(", maxDepth) + "1" + strings.Repeat(")", maxDepth),
		strings.Repeat("try {", 250) + "x = " + strings.Repeat("-(", 250) + "1" + strings.Repeat(")", 250) + strings.Repeat("}", 250),
		"x = " + strings.Repeat("!", maxDepth) + "x",
		// Binary operators and names do not nest.
		"print " + strings.Repeat("a - ", maxLineTokens/2-2) + "1",
		"x = 1\n" + strings.Repeat("print 1;", maxLineTokens/3) + "\n" + strings.Repeat("print 1;", maxLineTokens/3),
	}
	for _, src := range ok {
		if _, err := Parse("t.ipc", src); err != nil {
			t.Errorf("Parse(%.40q…): %v", src, err)
		}
	}
	bad := []struct{ src, want string }{
		{strings.Repeat("if true {\n", maxDepth+1), "t.ipc:1001:9: blocks nested deeper than 1000"},
		{"print " + strings.Repeat("(", maxDepth+1), "t.ipc:1:1007: brackets nested deeper than 1000"},
		{"print " + strings.Repeat("a[", maxDepth+1), "t.ipc:1:2008: brackets nested deeper than 1000"},
		{"x = " + strings.Repeat("- ", maxDepth+1) + "1", "t.ipc:1:2005: operators nested deeper than 1000"},
		{"print " + strings.Repeat("!", maxDepth+1) + "x", "t.ipc:1:1007: operators nested deeper than 1000"},
		{strings.Repeat("try ", maxDepth+1) + "print 1", "t.ipc:1:4001: statements nested deeper than 1000"},
		// Each prefix counts towards the depth of what it encloses.
		// 250 × (try, {) = 500, 250 × (-, () = 500: the next "-" is one too many.
		{strings.Repeat("try {", 250) + strings.Repeat("-(", 250) + "-", "t.ipc:1:1751: operators nested deeper than 1000"},
		{"if x {}" + strings.Repeat(" else if x {}", maxDepth), "t.ipc:1:13006: blocks nested deeper than 1000"},
		{strings.Repeat("print 1;", maxLineTokens/3+1), "t.ipc:1:26671: line too long: more than 10000 tokens (split it over several lines)"},
	}
	for _, tt := range bad {
		_, err := Parse("t.ipc", tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%.40q…)\n got %v\nwant %s", tt.src, err, tt.want)
		}
		if IsIncomplete(err) {
			t.Errorf("Parse(%.40q…): a limit is not an incomplete input", tt.src)
		}
	}
}

func TestLexDefinition(t *testing.T) {
	// participle's Lexer interface: Lex reads a reader, and the lexer
	// keeps returning EOF at the end.
	l, err := lexDef{}.Lex("r.ipc", strings.NewReader("print 1"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 6 {
		tk, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, kindNames[tk.Type])
	}
	if want := "Ident Int EOL EOF EOF EOF"; strings.Join(got, " ") != want {
		t.Errorf("tokens %v, want %s", got, want)
	}
	if _, err := (lexDef{}).Lex("r.ipc", errReader{}); err == nil {
		t.Error("Lex on a failing reader: no error")
	}
	_, err = (lexDef{}).LexString("r.ipc", "@")
	var e *Error
	if !errors.As(err, &e) || e.Error() != "r.ipc:1:1: unexpected character '@'" {
		t.Errorf("LexString error %v", err)
	}
	if _, ok := (lexDef{}).Symbols()["Word"]; !ok {
		t.Error("Symbols lacks Word")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("boom") }
