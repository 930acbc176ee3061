package interp

import (
	"sort"
	"strings"
	"testing"

	"ipcsh/lang"
)

// ownedReads compiles src and lists the names whose `= read` statements
// read into a buffer of their own, in source order.
func ownedReads(t *testing.T, src string) []string {
	t.Helper()
	prog, err := lang.Parse("t.ipc", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	c := &compiler{syms: newSymtab(), prog: prog, top: prog, bound: map[string]int{}, pipes: map[string]bool{}}
	var owned []string
	var visit func(n lang.Node) bool
	visit = func(n lang.Node) bool {
		s, ok := n.(*lang.Stmt)
		if !ok {
			return true
		}
		switch {
		case s.Def != nil:
			// As compileProc does: inside a procedure, c.proc is set.
			c.proc = &procDef{name: s.Def.Name}
			lang.Walk(s.Def.Body, visit)
			c.proc = nil
			return false
		case s.Let != nil && s.Let.Value.Cmd != nil:
			if c.ownsReadBuffer(s.Let.Name, s.Let.Value, "=") {
				owned = append(owned, s.Let.Name)
			}
		case s.Assign != nil && s.Assign.Value.Cmd != nil:
			if name, ok := lang.IdentOf(s.Assign.Target); ok && c.ownsReadBuffer(name, s.Assign.Value, s.Assign.Op) {
				owned = append(owned, name)
			}
		}
		return true
	}
	lang.Walk(prog, visit)
	sort.Strings(owned)
	return owned
}

func TestOwnedReadsOnlyWhereNothingKeepsTheValue(t *testing.T) {
	const head = "pipe p\nwrite p.w \"abcdefgh\"\n"
	for _, tc := range []struct {
		src  string
		want string // names that own their buffer, sorted, comma-separated
	}{
		{"let b = read p.r 4\nprint len(b)\nif b == \"\" { print 0 }\nexpect b != \"x\"", "b"},
		{"let b = read p.r 4\nb = read p.r 4\nb = \"x\"", "b,b"},
		{"let b = read p.r 4\nprint b", ""},
		{"let b = read p.r 4\nlet keep = b", ""},
		{"let b = read p.r 4\nlet two = b[0:2]", ""},
		{"let b = read p.r 4\nlet c = b + \"x\"", ""},
		{"let b = read p.r 4\nwrite p.w b", ""},
		{"let b = read p.r 4\nspawn c { print len(b), b }\nwait c", ""},
		{"def f() { return b }\nlet b = read p.r 4\nprint f()", ""},
		{"def f() { let x = read p.r 4\nreturn len(x) }\nprint f()", ""},
		{"let b = read p.r all\nprint len(b)", ""},
		{"let b = read p.r line\nprint len(b)", ""},
		{"let b = read p.r 4\nlet c = read p.r 4\nprint c", "b"},
		{"let b = read p.r 4\nb += \"x\"", ""},
	} {
		got := strings.Join(ownedReads(t, head+tc.src), ",")
		if got != tc.want {
			t.Errorf("%q: own buffers %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestOwnedReadsKeepValuesApart runs the statements: a value that is kept
// is never overwritten by the next read, and one that owns its buffer
// still reads right every time.
func TestOwnedReadsKeepValuesApart(t *testing.T) {
	out, err := run(t, `pipe p
write p.w "aaaabbbbccccdddd"
let keep = ""
let total = 0
let n = 0
repeat 2 {
  let b = read p.r 4
  n += 1
  if n == 1 { keep = b }
}
expect keep == "aaaa"
repeat 2 {
  let c = read p.r 4
  total += len(c)
  if c == "dddd" { print "last", len(c) }
}
expect total == 8
close p.w
let e = read p.r 4
expect len(e) == 0
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "main: last 4") {
		t.Errorf("transcript:\n%s", out)
	}
}

// A view read whose value nothing keeps lands in its statement's own
// buffer: values taken before still read as they were, a kept copy does
// not change when the memory does, and a round allocates nothing.
func TestOwnedViewReads(t *testing.T) {
	out, err := run(t, `shmget seg key=private size=4KiB create
attach a seg
let keep = ""
let n = 0
let got = ""
repeat 3 {
  n += 1
  let s = format("%d%d%d%d", n, n, n, n)
  a[0:4] = s
  got = a[0:4]
  if n == 1 { keep = got } # got is kept, so its read copies
  expect got == s
}
a[0:4] = "zzzz"
expect keep == "1111" && got == "3333"
let other = ""
other = a[0:4]
print other
expect len(got) == 4
detach a
ipcrm seg
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, `main: zzzz`) {
		t.Errorf("transcript:\n%s", out)
	}
	if got := ownedSlices(t, "shmget seg key=private size=4KiB create\nattach a seg\nlet got = \"\"\nlet keep = \"\"\ngot = a[0:4]\nkeep = got\n"); got != "" {
		t.Errorf("owned view reads: %q, want none: keep keeps got", got)
	}
	if got := ownedSlices(t, "shmget seg key=private size=4KiB create\nattach a seg\nlet g = \"\"\nlet k = \"\"\ng = a[0:4]\nk = a[0:4]\nprint k\nexpect g == \"\"\n"); got != "g" {
		t.Errorf("owned view reads: %q, want g", got)
	}
	allocs := roundAllocs(t, "shmget seg key=private size=4KiB create\nattach a seg\nlet got = \"\"", "got = a[0:4096]", "expect len(got) == 4096\ndetach a\nipcrm seg")
	if allocs > 0.05 {
		t.Errorf("a view read nothing keeps allocates %.2f times a round, want none", allocs)
	}
}

// ownedSlices lists the names whose top-level `NAME = X[lo:hi]` owns its
// buffer, in source order.
func ownedSlices(t *testing.T, src string) string {
	t.Helper()
	prog, err := lang.Parse("t.ipc", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	c := &compiler{syms: newSymtab(), prog: prog, top: prog, bound: map[string]int{}, pipes: map[string]bool{}}
	c.binding = true
	c.bindAll(prog.Stmts)
	c.binding = false
	var owned []string
	for _, s := range prog.Stmts {
		if s.Assign == nil {
			continue
		}
		if name, ok := lang.IdentOf(s.Assign.Target); ok && c.ownedSlice(c.slot(name), s.Assign.Value, s.Assign.Op) != nil {
			owned = append(owned, name)
		}
	}
	return strings.Join(owned, ",")
}
