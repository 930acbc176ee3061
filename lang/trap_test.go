package lang

import (
	"strings"
	"testing"
)

// trap is the one generic statement with a block, and its options may
// follow the block, as LANGUAGE.md writes it.
func TestTrapTakesABlockThenOptions(t *testing.T) {
	prog, err := Parse("t.ipc", "trap USR1 { print sig.signal } restart\ntrap USR2 ignore\n")
	if err != nil {
		t.Fatal(err)
	}
	c := prog.Stmts[0].Cmd
	if c.Block == nil || len(c.Block.Stmts) != 1 {
		t.Fatalf("no block: %+v", c)
	}
	if _, ok := c.Flags["restart"]; !ok {
		t.Errorf("restart after the block not seen: %v", c.Flags)
	}
	if _, ok := prog.Stmts[1].Cmd.Flags["ignore"]; !ok {
		t.Errorf("ignore not seen: %v", prog.Stmts[1].Cmd.Flags)
	}
	got, err := Format("t.ipc", "trap USR1 { print 1 } restart\n")
	if err != nil || !strings.Contains(got, "} restart") {
		t.Errorf("format: %q, %v", got, err)
	}
	for src, want := range map[string]string{
		"print 1 { print 2 }":                 "print takes no block",
		"trap USR1 { print 1 } restart bogus": `unknown option "bogus"`,
		"trap USR1 ignore default":            "ignore",
	} {
		if _, err := Parse("t.ipc", src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", src, err, want)
		}
	}
}
