package lang

import (
	"strings"
	"testing"
)

// TestParseAllGoesOnAfterBraces: a syntax error on a line with a brace or
// a string does not end the search: its statement is blanked whole, with
// its blocks, and the errors after it are found at their own positions,
// with none that the blanking made.
func TestParseAllGoesOnAfterBraces(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"block after repeat", "repeat { }\nprint 2 +\nsend\n", `
1:8: expected an expression, found "{"
2:10: expected an expression, found end of line
3:5: send: expected Q, found end of statement (usage: send Q EXPR [type=1] [nowait])`},
		// The else and the break in it go with their if: neither is
		// blamed on its own.
		{"if with else", "while 1 {\n  if 1 == {\n    print 1\n  } else {\n    break\n  }\n  continue\n}\nsend\n", `
2:11: expected an expression, found "{"
9:5: send: expected Q, found end of statement (usage: send Q EXPR [type=1] [nowait])`},
		{"spawn without a name", "spawn {\n  print 1\n}\nsend\n", `
1:7: expected a name, found "{"
4:5: send: expected Q, found end of statement (usage: send Q EXPR [type=1] [nowait])`},
		{"nested blocks", "repeat 2 {\n  if x {\n    print 1 +\n  }\n  print 2 +\n}\nclose\n", `
3:14: expected an expression, found end of line
5:12: expected an expression, found end of line
7:6: close: expected FD, found end of statement (usage: close FD)`},
		{"braces in strings", "print \"a { b\" +\nprint \"}\" +\nprint \"é\" +\nclose\n", `
1:16: expected an expression, found end of line
2:12: expected an expression, found end of line
3:12: expected an expression, found end of line
4:6: close: expected FD, found end of statement (usage: close FD)`},
		// A "}" that closes a block opened before the statement stays.
		{"closing brace on the line", "repeat 2 {\n  print 1 + }\nprint 3 +\n", `
2:13: expected an expression, found "}"
3:10: expected an expression, found end of line`},
		{"return stays in its procedure", "def f(a) {\n  return a +\n}\nprint f(1) +\n", `
2:13: expected an expression, found end of line
4:13: expected an expression, found end of line`},
		{"after the block on its line", "if x { print 1 } else junk\nclose\n", `
1:23: expected "if" or "{", found "junk"
2:6: close: expected FD, found end of statement (usage: close FD)`},
		// The checker's errors before an unclosed block are found too.
		{"unclosed block at the end", "close\nwhile 1 {\n  print 1 +\n", `
1:6: close: expected FD, found end of statement (usage: close FD)
3:12: expected an expression, found end of line
4:1: expected "}", found end of input (the block opened at 2:9 is not closed)`},
		// A "{" that no "}" closes takes the rest of the source into
		// its block: the statement is blanked to the end.
		{"unmatched brace on the line", "print 1, {\nclose\n", `
1:10: expected an argument, found "{"`},
		{"stray closing brace", "print 1\n}\nclose\n", `
2:1: expected a statement, found "}" (no block is open)
3:6: close: expected FD, found end of statement (usage: close FD)`},
	} {
		_, err := ParseAll("t.ipc", tt.src)
		want := strings.ReplaceAll(strings.TrimPrefix(tt.want, "\n"), "\n", "\nt.ipc:")
		want = "t.ipc:" + want
		if err == nil || err.Error() != want {
			t.Errorf("%s: ParseAll(%q)\n got %v\nwant %s", tt.name, tt.src, err, want)
		}
		// A run stops at the first syntax error, which check reports too.
		_, err1 := Parse("t.ipc", tt.src)
		if err1 == nil || strings.Contains(err1.Error(), "\n") || !strings.Contains("\n"+want+"\n", "\n"+err1.Error()+"\n") {
			t.Errorf("%s: Parse gives %v", tt.name, err1)
		}
	}
}

// TestRecoverBlanked: what Recover says the blanked statements may bind.
func TestRecoverBlanked(t *testing.T) {
	for _, tt := range []struct {
		src                string
		bound, notBound    string
		mayBind, mayDefine bool
	}{
		{src: "spawn child + {\n}\n", bound: "child", notBound: "other"},
		{src: "spawn {\n}\n", bound: "other", mayBind: true},
		{src: "let = 1 +\n", bound: "other", mayBind: true},
		{src: "x = 1 +\n", bound: "x", notBound: "other"},
		{src: "pipe\n", bound: "other", mayBind: true},
		{src: "pipe p junk\n", bound: "p", notBound: "other"},
		{src: "pipee\n", bound: "other", mayBind: true},
		{src: "print a +\n", bound: "a", notBound: "other"},
		{src: "def (a) {\n}\n", mayDefine: true},
		{src: "if 1 == {\n  let q = 1\n}\n", bound: "q", notBound: "other"},
	} {
		partial, b, errs := Recover("t.ipc", tt.src)
		if len(errs) == 0 || partial == nil {
			t.Errorf("Recover(%q) = %v, %v", tt.src, partial, errs)
			continue
		}
		if b.MayBind != tt.mayBind || b.MayDefine != tt.mayDefine {
			t.Errorf("Recover(%q): MayBind %v MayDefine %v, want %v %v", tt.src, b.MayBind, b.MayDefine, tt.mayBind, tt.mayDefine)
		}
		if tt.bound != "" && !b.Bound(tt.bound) {
			t.Errorf("Recover(%q): %s not among what may be bound", tt.src, tt.bound)
		}
		if tt.notBound != "" && b.Bound(tt.notBound) {
			t.Errorf("Recover(%q): %s among what may be bound", tt.src, tt.notBound)
		}
	}
}
