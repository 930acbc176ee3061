package lang

import (
	"testing"
)

// The statements of issue 15: families, procedures and retry. Each case
// parses (with positions checked), formats to the canonical text, and
// that text parses again.
func TestIssue15Parse(t *testing.T) {
	cases := []struct{ src, fmt, show string }{
		{"spawn w[i] { print self }", "spawn w[i] { print self }\n", `spawn w[i] {cmd(print [self])}`},
		{`spawn  w[ "left" ]  exec  ls  -l`, "spawn w[\"left\"] exec ls -l\n", `spawn w["left"] exec [word:ls word:-l] opts[]`},
		{"spawn w[a[1] + 1] exec cat stdin=p.r", "spawn w[a[1] + 1] exec cat stdin=p.r\n", `spawn w[(a[int:1] + int:1)] exec [word:cat] opts[stdin=p.r]`},
	}
	for _, c := range cases {
		prog := mustParse(t, c.src)
		if got := show(prog.Stmts[0]); got != c.show {
			t.Errorf("%q: got %s, want %s", c.src, got, c.show)
		}
		out, err := Format("t.ipc", c.src)
		if err != nil || out != c.fmt {
			t.Errorf("Format(%q) = %q, %v; want %q", c.src, out, err, c.fmt)
			continue
		}
		mustParse(t, out)
	}
}

func TestIssue15Errors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"spawn w[] { }", `t.ipc:1:8: expected "{" or "exec", found "["`},
		{"spawn w[1 { }", `t.ipc:1:8: expected "{" or "exec", found "["`},
	}
	for _, c := range cases {
		_, err := Parse("t.ipc", c.src)
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}

func TestGetByIDErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"msgget q id=5", ""},
		{"shmget s id=q.id mode=0400", ""},
		{"semget s id=7", ""},
		{"msgget q id=5 create", "t.ipc:1:15: msgget: create does not apply with id=: id= opens an existing object"},
		{"msgget q key=1 id=5", "t.ipc:1:10: msgget: key= and id= cannot be used together: id= opens the object with that IPC id"},
		{"shmget s id=5 size=4KiB keep", "t.ipc:1:15: shmget: size= does not apply with id=: id= opens an existing object\nt.ipc:1:25: shmget: keep does not apply with id=: id= opens an existing object"},
		{"semget s id=5 nsems=2 init=1 excl", "t.ipc:1:15: semget: nsems= does not apply with id=: id= opens an existing object\nt.ipc:1:23: semget: init= does not apply with id=: id= opens an existing object\nt.ipc:1:30: semget: excl does not apply with id=: id= opens an existing object"},
		{"msgget q", "t.ipc:1:1: msgget: key= is required (usage: msgget NAME key=KEY|private [create] [excl] [keep] [mode=0600])"},
		{"msgget q ix=1", "t.ipc:1:1: msgget: key= is required (usage: msgget NAME key=KEY|private [create] [excl] [keep] [mode=0600])\nt.ipc:1:10: msgget: unknown option \"ix=\" (did you mean \"id=\"?)"},
	}
	for _, c := range cases {
		_, err := Parse("t.ipc", c.src)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestProcedureParse(t *testing.T) {
	cases := []struct{ src, fmt string }{
		{"def  f( a ,b ) { return a+b }\nf(1, 2)\nprint f(1,2) * 2", "def f(a, b) { return a + b }\nf(1, 2)\nprint f(1, 2) * 2\n"},
		{"def nothing() {\n  return\n}\nnothing()", "def nothing() {\n  return\n}\nnothing()\n"},
		// A statement's name followed by "(" is that statement.
		{"print(1)", "print (1)\n"},
		{"def w(i) { spawn c[i] { w(i) } }", "def w(i) { spawn c[i] { w(i) } }\n"},
		{"retry 2s msgget q key=1", "retry 2s msgget q key=1\n"},
		{"retry 100ms {\n  open f \"x\" read\n}", "retry 100ms {\n  open f \"x\" read\n}\n"},
	}
	for _, c := range cases {
		mustParse(t, c.src)
		out, err := Format("t.ipc", c.src)
		if err != nil || out != c.fmt {
			t.Errorf("Format(%q) = %q, %v; want %q", c.src, out, err, c.fmt)
			continue
		}
		mustParse(t, out)
	}
}

func TestProcedureErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"return 1", "t.ipc:1:1: return outside a procedure (def NAME(...) { ... return EXPR })"},
		{"def f() { spawn c { return } }", "t.ipc:1:21: return outside a procedure (def NAME(...) { ... return EXPR })"},
		{"if true { def f() { } }", "t.ipc:1:11: def f: a procedure is defined at the top level of the script, not inside a block"},
		{"def read() { }", "t.ipc:1:1: def read: read is a statement: choose another name"},
		{"def len(x) { }", "t.ipc:1:1: def len: len is a built-in: choose another name"},
		{"def f(a, a) { }", "t.ipc:1:1: def f: parameter a given twice"},
		{"def f(self) { }", "t.ipc:1:1: def f: parameter self: it is a built-in name"},
		{"def f(a b) { }", `t.ipc:1:9: expected ")", found "b"`},
		{"f(1)[0]", `t.ipc:1:1: unknown statement "f"`},
		{"f(1) + 2", `t.ipc:1:6: expected end of statement, found "+"`},
		{"def (a) { }", `t.ipc:1:5: expected a name, found "("`},
		{"def f() print 1", `t.ipc:1:9: expected "{", found "print"`},
		{"retry 2s", `t.ipc:1:9: expected a statement, found end of input`},
		{"retry { }", `t.ipc:1:7: expected an expression, found "{"`},
		// An exec word that names a parameter is refused, as a variable's is.
		{"def f(dir) { spawn l exec ls dir }", `t.ipc:1:30: spawn l exec: dir is the variable dir: write (dir) for its value or "dir" for the word`},
	}
	for _, c := range cases {
		_, err := Parse("t.ipc", c.src)
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q)\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}
