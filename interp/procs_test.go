package interp

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"ipcsh/lang"
)

func TestProcedures(t *testing.T) {
	out, err := run(t, `def fib(n) {
  if n < 2 { return n }
  return fib(n - 1) + fib(n - 2)
}
def show(label, v) { print label, v }
let x = 5
def readx() { return x }
show("fib", fib(15))
x = 7
show("x", readx())
def setx() { x = 100; return x }
print setx(), x
def count(n) { let k = 0; for i in 1..n { k += i }; return k }
let k = "mine"
print count(4), k
def early(n) { while true { if n > 2 { return "big" }; n += 1 } }
print early(0)
def nothing() { print "side effect"; return }
nothing()
print later(2)
def later(n) { return n * 10 }
def deep(n) { if n == 0 { return 0 }; return 1 + deep(n - 1) }
print deep(9999)
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := lines("main: fib 610", "main: x 7", "main: 100 7", "main: 10 mine", "main: big", "main: side effect", "main: 20", "main: 9999")
	if out != want {
		t.Errorf("transcript:\n%s\nwant\n%s", out, want)
	}
}

// A spawned block may call the script's procedures, and a procedure may
// spawn: the child sees the procedure's own names as its variables.
func TestProceduresInChildren(t *testing.T) {
	out, err := run(t, `msgget q key=private create
def worker(i) {
  repeat 2 { let m = recv q type=i; print self, m.text }
  return i
}
def start(n, tag) {
  for i in 1..n { spawn w[i] { print tag, worker(i) } }
  wait w
}
def feed() { for j in 1..2 { send q "a" type=1; send q "b" type=2 } }
spawn feeder { feed() }
start(2, "done")
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, c := range []struct {
		proc string
		want []string
	}{
		{"w[1]", []string{`w[1]: recv q type=1 -> type=1 "a"`, "w[1]: w[1] a", `w[1]: recv q type=1 -> type=1 "a"`, "w[1]: w[1] a", "w[1]: done 1", "w[1]: exit 0"}},
		{"w[2]", []string{`w[2]: recv q type=2 -> type=2 "b"`, "w[2]: w[2] b", `w[2]: recv q type=2 -> type=2 "b"`, "w[2]: w[2] b", "w[2]: done 2", "w[2]: exit 0"}},
	} {
		if got := linesOf(out, c.proc); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s lines:\n%s\nwant\n%s", c.proc, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

func TestProcedureErrors(t *testing.T) {
	static := []struct{ src, msg string }{
		{"nosuch(1)", `t.ipc:1:1: unknown function "nosuch" (built-ins: len, str, int, hex, ftok, pack, unpack, sizeof, format, ord, chr, find, trim, getpid, getppid)`},
		{"def worker(a) { }\nprint wroker(1)", `t.ipc:2:7: unknown function "wroker" (did you mean "worker"?)`},
		{"print lenn(1)", `t.ipc:1:7: unknown function "lenn" (did you mean "len"?)`},
		{"def f(a, b) { }\nf(1)", "t.ipc:2:1: f takes 2 argument(s) (a, b), found 1"},
		{"def f() { }\nprint f(1) + 1", "t.ipc:2:7: f takes 0 argument(s) (), found 1"},
		{"def f() { }\ndef f() { }", "t.ipc:2:1: def f: f is already defined at 1:1"},
		{"def f() { break }", "t.ipc:1:11: break outside a loop"},
		{"def f() { print y }", "t.ipc:1:17: undefined: y"},
		// A procedure's own names are not the process's.
		{"def f() { let z = 1 }\nf()\nprint z", "t.ipc:3:7: undefined: z"},
		{"spawn c { g(1) }", `t.ipc:1:11: unknown function "g" (built-ins: len, str, int, hex, ftok, pack, unpack, sizeof, format, ord, chr, find, trim, getpid, getppid)`},
		{`len("x")`, `t.ipc:1:1: len(...) as a statement does nothing with its value: print it, or bind it (let v = len(...))`},
	}
	for _, c := range static {
		_, err := run(t, c.src)
		var list lang.ErrorList
		if !errors.As(err, &list) || list.Error() != c.msg {
			t.Errorf("%s: got %v, want %s", c.src, err, c.msg)
		}
		// ipcsh check runs the same compilation: the same message.
		if prog, perr := lang.Parse("t.ipc", c.src); perr == nil {
			if err := Check(prog); err == nil || err.Error() != c.msg {
				t.Errorf("Check(%s): got %v, want %s", c.src, err, c.msg)
			}
		}
	}
	runtime := []struct{ src, msg string }{
		{"def loop(n) { return loop(n + 1) }\nprint loop(0)", "t.ipc:1:22: loop: more than 10000 nested calls: a recursion that does not end?"},
		{"def f() { }\nprint f()", "t.ipc:2:7: f(...) gave no value: end it with return EXPR"},
		{"def f(a) { let b = a; return b }\nprint f(1)\nprint b", "t.ipc:3:7: undefined: b"},
	}
	for _, c := range runtime {
		_, err := run(t, c.src)
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s: got %v, want %s", c.src, err, c.msg)
		}
	}
}

// A REPL session keeps its procedures from entry to entry, and a new
// definition replaces the old one.
func TestSessionProcedures(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, src := range []string{"def f(n) { let t = n * 2; return t }", "print f(2)", "def f(n) { return n + 1 }", "print f(2)", "spawn c { print f(5) }; wait c"} {
		prog, err := lang.Parse("[repl]", src)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(prog); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	prog, _ := lang.Parse("[repl]", "def g() { }; nope()")
	if err := r.Run(prog); err == nil {
		t.Fatal("an unknown procedure ran")
	}
	if _, ok := r.main.syms.procs["g"]; ok {
		t.Error("a failed entry left its procedure behind")
	}
	prog, _ = lang.Parse("[repl]", "def f(n) { return 0 }; nope()")
	if err := r.Run(prog); err == nil {
		t.Fatal("an unknown procedure ran")
	}
	prog, _ = lang.Parse("[repl]", "print f(1)")
	if err := r.Run(prog); err != nil {
		t.Fatal(err)
	}
	var procs, locals []string
	for _, b := range r.Bindings() {
		if b.Kind == "procedure" {
			procs = append(procs, b.Name)
		}
		if strings.Contains(b.Name, ".") {
			locals = append(locals, b.Name)
		}
	}
	if strings.Join(procs, " ") != "f" || len(locals) > 0 {
		t.Errorf("bindings: procedures %q, own names of procedures %q", procs, locals)
	}
	r.Sync()
	if got := out.String(); !strings.HasPrefix(got, "main: 4\nmain: 3\nmain: spawn c\nc: 6\n") || !strings.HasSuffix(got, "main: 2\n") {
		t.Errorf("got %q", got)
	}
}
