package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// everyNode is a script with every statement shape and every expression
// node, so that the wire form meets each of them whatever the repo's
// scripts happen to use.
const everyNode = `def add(a, b) {
  return a + b * (2 - -1) % 3
}
spawn w {
  msgget q key=0x1234 create excl mode=0600
  send q "x" type=1
  let m = recv q type=-2 nowait
  shmget s key=0x99 size=4KiB create
  attach a s
  a[0:4] = "abcd"
  a[1] = 7
  atomic a.u32[0] += 1
  sem op t 0:-1 1:1
  if m.text == "x" && !false { print "a", len(m.text) } else if true { print 1 } else { print 2 }
  for i in 1..3 { x += i }
  while x < 10 { x -= 1 }
  repeat 2 { try recv q nowait }
  quiet { print a[:2], a[2:] }
  retry 1s { open f "/tmp/f" read }
  trap SIGUSR1 { print sig.value } restart
  add(1, 2)
  spawn v[1] exec ls -l 'a b' "c" (1 + 2) stdin=0
  wait v
  exit 0
}
wait w
`

// TestStmtWireEveryScript is the proof that a child may run its parent's
// statements instead of parsing its block again: for every spawned block
// and procedure of every script in the repo, the statements decoded from
// the wire are exactly those a parse of the block's text gives.
func TestStmtWireEveryScript(t *testing.T) {
	files := map[string]string{"every-node.ipc": everyNode}
	for _, pattern := range []string{"../scripts/examples/*.ipc", "../golden/testdata/*.ipc", "../bench/ipcsh/*.ipc", "../timeline/testdata/*.ipc"} {
		m, _ := filepath.Glob(pattern)
		for _, f := range m {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files[f] = string(b)
		}
	}
	blocks := 0
	for name, src := range files {
		prog, err := Parse(filepath.Base(name), src)
		if err != nil {
			if strings.Contains(name, "testdata") {
				continue // scripts that test a refusal
			}
			t.Fatalf("%s: %v", name, err)
		}
		Walk(prog, func(n Node) bool {
			var stmts []*Stmt
			var text string
			var base Pos
			s, ok := n.(*Stmt)
			switch {
			case !ok:
				return true
			case s.Spawn != nil && s.Spawn.Body != nil:
				b := s.Spawn.Body
				stmts = b.Stmts
				text = prog.Src[b.Pos.Offset+1 : b.EndPos.Offset-1]
				base = Pos{Filename: b.Pos.Filename, Offset: b.Pos.Offset + 1, Line: b.Pos.Line, Column: b.Pos.Column + 1}
			case s.Def != nil:
				stmts = []*Stmt{s}
				text = prog.Src[s.Pos.Offset:s.EndPos.Offset]
				base = s.Pos
			default:
				return true
			}
			blocks++
			want, err := ParseAt(text, base)
			if err != nil {
				t.Errorf("%s:%d: the block does not parse alone: %v", name, base.Line, err)
				return true
			}
			got, err := DecodeStmts(EncodeStmts(stmts))
			if err != nil {
				t.Errorf("%s:%d: %v", name, base.Line, err)
				return true
			}
			if !reflect.DeepEqual(got, want.Stmts) {
				t.Errorf("%s:%d: the decoded statements differ from a parse of the block's text", name, base.Line)
			}
			return true
		})
	}
	if blocks < 50 {
		t.Fatalf("only %d blocks found: the globs above miss the repo's scripts", blocks)
	}
	t.Logf("%d blocks in %d scripts", blocks, len(files))
}

// TestStmtWireKeepsSharing: the checker makes a command's Opts point at
// the Options among its Args; a decoded command must too, or a later pass
// that edits one would miss the other.
func TestStmtWireKeepsSharing(t *testing.T) {
	prog, err := Parse("s.ipc", "msgget q key=0x1234 create\n")
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeStmts(EncodeStmts(prog.Stmts))
	if err != nil {
		t.Fatal(err)
	}
	cmd := got[0].Cmd
	if cmd == nil || cmd.Opts["key"] == nil {
		t.Fatalf("no key= option in the decoded command: %+v", got[0])
	}
	var inArgs *Option
	for _, a := range cmd.Args {
		if a.Opt != nil && a.Opt.Name == "key" {
			inArgs = a.Opt
		}
	}
	if inArgs != cmd.Opts["key"] {
		t.Fatal("Opts[key] is a copy of the Option in Args, not the same one")
	}
	if cmd.Spec != Lookup("msgget") {
		t.Fatal("the decoded Spec is not the table's")
	}
}

func TestDecodeStmtsRefusesOtherBytes(t *testing.T) {
	good := EncodeStmts(parsed(t, everyNode).Stmts)
	for i := range len(good) {
		if _, err := DecodeStmts(good[:i]); err == nil {
			t.Fatalf("a record cut to %d of %d bytes decoded", i, len(good))
		}
	}
	if _, err := DecodeStmts(append(good, 0)); err == nil {
		t.Fatal("a record with a byte after it decoded")
	}
}

func FuzzDecodeStmts(f *testing.F) {
	f.Add(EncodeStmts(parsed(f, everyNode).Stmts))
	f.Add(EncodeStmts(parsed(f, "print 1\n").Stmts))
	f.Fuzz(func(t *testing.T, b []byte) {
		stmts, err := DecodeStmts(b)
		if err != nil {
			return
		}
		// What decodes must survive the trip again unchanged.
		again, err := DecodeStmts(EncodeStmts(stmts))
		if err != nil {
			t.Fatalf("decoded, encoded again, and refused: %v", err)
		}
		if !reflect.DeepEqual(again, stmts) {
			t.Fatal("decoded, encoded and decoded again, the statements changed")
		}
	})
}

func parsed(t testing.TB, src string) *Program {
	t.Helper()
	prog, err := Parse("t.ipc", src)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}
