package lang

import (
	"strings"
	"testing"
)

// TestStatementArguments: a blank before "(" or before a negative literal
// starts a new statement argument; without the blank, or inside brackets,
// the expression goes on.
func TestStatementArguments(t *testing.T) {
	// Each argument is shown as its source text, between bars.
	tests := []struct{ src, want string }{
		{"popen r (cmd) read", "|r|(cmd)| flags: read"},
		{`write p.w ("abc")`, `|p.w|("abc")|`},
		{`write p.w ("a" + "b")`, `|p.w|("a" + "b")|`},
		{"sem set s[0] -1", "|s[0]|-1|"},
		{"sem setall s -1 -2 0", "|s|-1|-2|0|"},
		{"seek f -4KiB", "|f|-4KiB|"},
		{"sem op s 0:-1 1:1", "|s|0:-1|1:1|"},
		{"let n = write p.w (x)", "|p.w|(x)|"},
		// The expression rules stand without a blank, with a blank after
		// the "-", after a "-" that is not a literal's, inside brackets.
		{"exit a -b", "|a -b|"},
		{"exit a - 1", "|a - 1|"},
		{"exit a-1", "|a-1|"},
		{"exit (a -1)", "|(a -1)|"},
		{"exit x[a -1]", "|x[a -1]|"},
		{"exit len(s)", "|len(s)|"},
		{"exit str(len (s))", "|str(len (s))|"},
		{"exit -1", "|-1|"},
		{"exit 2 * -1", "|2 * -1|"},
	}
	for _, tt := range tests {
		prog, err := Parse("t.ipc", tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		cmd := prog.Stmts[0].Cmd
		if cmd == nil && prog.Stmts[0].Let != nil {
			cmd = prog.Stmts[0].Let.Value.Cmd
		}
		if cmd == nil {
			t.Errorf("Parse(%q): not a statement with arguments", tt.src)
			continue
		}
		got := "|"
		for _, a := range cmd.Params {
			got += tt.src[a.Pos.Offset:a.EndPos.Offset] + "|"
		}
		if len(cmd.Flags) > 0 {
			var flags []string
			for f := range cmd.Flags {
				flags = append(flags, f)
			}
			got += " flags: " + strings.Join(flags, " ")
		}
		if got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
	// In an expression, outside statement arguments, blanks change nothing.
	for _, src := range []string{"x = len (s)", "x = a -1", "if len (s) -1 > 0 { }", "let x = len (s)"} {
		prog, err := Parse("t.ipc", src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if s := prog.Stmts[0]; s.Cmd != nil || s.Assign != nil && s.Assign.Value.Cmd != nil || s.Let != nil && s.Let.Value.Cmd != nil {
			t.Errorf("Parse(%q): a statement, want an expression", src)
		}
	}
}

func TestStatementArgumentErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		// Two arguments where one was before: the statement counts them.
		{"close p.w (x)", `t.ipc:1:11: close: expected end of statement, found "(x)" (usage: close FD)`},
		{"exit f (1)", `t.ipc:1:8: exit: expected end of statement, found "(1)" (usage: exit [EXPR])`},
		{"sem set s[0] -1 -2", `t.ipc:1:17: sem set: expected end of statement, found "-2" (usage: sem set S[I] V)`},
	}
	for _, tt := range tests {
		_, err := Parse("t.ipc", tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestExecWords(t *testing.T) {
	tests := []struct{ src, want string }{
		{"spawn a exec sh -c 'echo hi; echo there'", "word:sh word:-c word:'echo hi; echo there'"},
		{`spawn a exec echo "x y" (1 + 2) LANG=C`, `word:echo str:"x y" expr:1 + 2 word:LANG=C`},
		// Names that hold no value are words: the process's own name, a
		// handle, a statement; so are other shapes of a variable's name.
		{"spawn ls exec ls", "word:ls"},
		{"pipe p; spawn c exec cat p", "word:cat word:p"},
		{"let q = 1; spawn c exec grep -q q/x q- q. 'q' \"q\" (q)", `word:grep word:-q word:q/x word:q- word:q. word:'q' str:"q" expr:q`},
	}
	for _, tt := range tests {
		prog, err := Parse("t.ipc", tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		var words []string
		for _, w := range prog.Stmts[len(prog.Stmts)-1].Spawn.Exec {
			switch {
			case w.Raw != nil:
				words = append(words, "word:"+*w.Raw)
			case w.Str != nil:
				words = append(words, "str:"+*w.Str)
			default:
				start, end := w.Expr.Span()
				words = append(words, "expr:"+tt.src[start.Offset:end.Offset])
			}
		}
		if got := strings.Join(words, " "); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestExecWordErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"let dir = \"/\"\nspawn l exec ls -1 dir",
			`t.ipc:2:20: spawn l exec: dir is the variable dir: write (dir) for its value or "dir" for the word`},
		{"spawn peer exec perl args[0] args[1]",
			`t.ipc:1:22: spawn peer exec: args[0] reads the built-in args: write (args[0]) for its value or "args[0]" for the word` + "\n" +
				`t.ipc:1:30: spawn peer exec: args[1] reads the built-in args: write (args[1]) for its value or "args[1]" for the word`},
		{"let m = recv q\nspawn e exec echo m.text",
			`t.ipc:2:19: spawn e exec: m.text reads the variable m: write (m.text) for its value or "m.text" for the word`},
		{"spawn l exec ls tmp", `t.ipc:1:17: spawn l exec: tmp is the built-in tmp: write (tmp) for its value or "tmp" for the word`},
		{"spawn l exec echo self err", `t.ipc:1:19: spawn l exec: self is the built-in self: write (self) for its value or "self" for the word` + "\n" +
			`t.ipc:1:24: spawn l exec: err is the built-in err: write (err) for its value or "err" for the word`},
		// A for variable, = and +=, a name bound in a block or after
		// the spawn: every name the script binds to a value counts.
		{"for i in 1..3 { spawn w exec sleep i }", `t.ipc:1:36: spawn w exec: i is the variable i: write (i) for its value or "i" for the word`},
		{"spawn w exec echo n\nif true { n += 1 }", `t.ipc:1:19: spawn w exec: n is the variable n: write (n) for its value or "n" for the word`},
		{"spawn c { x = 1 }\nspawn w exec x", `t.ipc:2:14: spawn w exec: x is the variable x: write (x) for its value or "x" for the word`},
		{"spawn c { spawn w exec echo tmp }", `t.ipc:1:29: spawn w exec: tmp is the built-in tmp: write (tmp) for its value or "tmp" for the word`},
	}
	for _, tt := range tests {
		_, err := Parse("t.ipc", tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", tt.src, err, tt.want)
		}
		// ipcsh check reports the same.
		_, err = ParseAll("t.ipc", tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseAll(%q)\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestWordText(t *testing.T) {
	for raw, want := range map[string]string{
		"ls": "ls", "'echo hi; echo there'": "echo hi; echo there", "a'b c'd": "ab cd",
		"''": "", `'"'`: `"`, "x'='y": "x=y", "'#'": "#",
	} {
		if got := WordText(raw); got != want {
			t.Errorf("WordText(%q) = %q, want %q", raw, got, want)
		}
		if WordQuoted(raw) != strings.Contains(raw, "'") {
			t.Errorf("WordQuoted(%q) wrong", raw)
		}
	}
}
