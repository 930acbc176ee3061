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
