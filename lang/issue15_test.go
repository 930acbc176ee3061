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
