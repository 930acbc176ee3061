package interp

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"ipcsh/lang"
)

// run executes src in a fresh session and returns the transcript and the
// run's error. It fails the test if the session leaks an fd.
// TestMain lets the test binary serve as its own child: spawn re-executes
// /proc/self/exe, which here is this binary.
func TestMain(m *testing.M) {
	if code, ok := ServeChild(os.Args, os.Stderr); ok {
		os.Exit(code)
	}
	// Sessions here trap signals in-process: take them as ipcsh does for
	// a script that traps.
	TakeSignalsAtStart(os.Args)
	// Journals of this test run go to a directory of its own, which must
	// be empty at the end: every run removed what it recorded.
	dir, err := os.MkdirTemp("", "interp-journals-")
	if err != nil {
		panic(err)
	}
	os.Setenv("IPCSH_JOURNAL_DIR", dir)
	code := m.Run()
	if left, _ := os.ReadDir(dir); len(left) > 0 && code == 0 {
		println("interp: runs left journals behind in", dir)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, src string, args ...string) (string, error) {
	t.Helper()
	return runCfg(t, src, Config{Args: args})
}

func runCfg(t *testing.T, src string, cfg Config) (string, error) {
	t.Helper()
	before := openFds(t)
	prog, err := lang.Parse("t.ipc", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out bytes.Buffer
	cfg.Stdout = &out
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runErr := r.End(r.Run(prog))
	tmp := r.tmpPath()
	if err := r.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if tmp != "" {
		if _, err := os.Stat(tmp); !os.IsNotExist(err) {
			t.Errorf("tmp directory %s left behind", tmp)
		}
	}
	if after := openFds(t); after != before {
		t.Errorf("fds open before the run: %d, after: %d (%s)", before, after, fdList(t))
	}
	return out.String(), runErr
}

func fdList(t *testing.T) string {
	ents, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		out = append(out, e.Name()+"="+target)
	}
	return strings.Join(out, " ")
}

func openFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func lines(s ...string) string { return strings.Join(s, "\n") + "\n" }

func TestExpressions(t *testing.T) {
	cases := []struct{ src, want string }{
		{`print 1 + 2 * 3`, "7"},
		{`print (1 + 2) * 3`, "9"},
		{`print 7 / 2, 7 % 2, -7 / 2`, "3 1 -3"},
		{`print 1 + 2 * 3 == 7 && !false || false`, "true"},
		{`print 0x1f + 0b101 + 0o17 + 017 + 1_000`, "1066"},
		{`print 4KiB, 1MiB, 512B`, "4096 1048576 512"},
		{`print 10ms, 1s, 500us`, "10000000 1000000000 500000"},
		{`print "a" + "b", "n=" + 5, 5 + "x"`, "ab n=5 5x"},
		{`print "abc" < "abd", 2 >= 3, 1 != 2`, "true false true"},
		{`print len("hello"), str(42) + "!", int("0x1f"), int("0600"), hex(255)`, "5 42! 31 384 0xff"},
		{`print "hello"[1], "hello"[1:3], "hello"[:2], "hello"[3:]`, "e el he lo"},
		{`print "tab\tnl\\n\x41"`, "tab\tnl\\nA"},
		{`print self, err == ""`, "main true"},
		{`print args, len(args), args[1]`, "[x y] 2 y"},
		{`let p = 1; let all = 2; print p + all`, "3"},
		{`print true && 1, !0, !""`, "true true true"},
	}
	for _, c := range cases {
		out, err := run(t, c.src, "x", "y")
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if want := "main: " + c.want + "\n"; out != want {
			t.Errorf("%s:\n got %q\nwant %q", c.src, out, want)
		}
	}
}

func TestControlFlow(t *testing.T) {
	src := `
let n = 0
for i in 1..10 {
	if i % 2 == 0 { continue }
	if i > 7 { break }
	n += i
}
print n
let k = 0
while k < 5 { k += 2 }
print k
repeat 3 { k -= 1 }
print k
if k == 0 { print "zero" } else if k == 3 { print "three" } else { print "other" }
let s = "a"
repeat 3 { s += "b" }
print s
`
	out, err := run(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := lines("main: 16", "main: 6", "main: 3", "main: three", "main: abbb"); out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestRuntimeErrors(t *testing.T) {
	cases := []struct{ src, msg string }{
		{`pipe p; seek p.r 0`, `t.ipc:1:9: seek p.r 0: ESPIPE (illegal seek)`},
		{`print 1 / 0`, `t.ipc:1:9: division by zero`},
		{`print args[9]`, `t.ipc:1:11: index 9 out of range (length 0)`},
		{`let p = 5; write p "x"`, `t.ipc:1:12: write: expected an fd, found int`},
		// Bound twice: p may be either, so only the run can tell.
		{`pipe p; p = 1; write p "x"`, `t.ipc:1:16: write: expected an fd, found int`},
		{`pipe p; close p.w; close p.w`, `t.ipc:1:20: close p.w: EBADF (bad file descriptor): p.w was closed at t.ipc:1:9`},
		{`let x = 1; expect x == 2, "x must be 2"`, `t.ipc:1:12: expect failed: x must be 2: x == 2 (left int 1, right int 2)`},
		{`expect "a" + "b" == "ac"`, `t.ipc:1:1: expect failed: "a" + "b" == "ac" (left string "ab", right string "ac")`},
		{`msgget q key=private mode=01600`, `t.ipc:1:1: msgget: mode 01600 holds IPC_CREAT or IPC_EXCL (01000, 02000): write create or excl instead`},
		{`shmget s key=private size=16; attach a s; print a.i64[2]`, `t.ipc:1:50: a.i64[2]: index out of range (16 bytes hold 2 i64 elements)`},
		{`shmget s key=private size=16; attach a s rdonly; a[0:1] = "x"`, `t.ipc:1:50: a[0:1] = "x": EACCES (permission denied): a is attached rdonly: it can be read, not written`},
		{`shmget s key=private size=16; attach a s; detach a; print a[0:1]`, `t.ipc:1:60: [lo:hi]: a was detached at t.ipc:1:43: its memory is gone`},
		{`shmget s key=private size=16; attach a s; a.u8[0] = 256`, `t.ipc:1:43: a.u8[0] = 256: 256 does not fit in u8 (0 to 255)`},
		{`semget s key=private nsems=2; sem p s[2]`, `t.ipc:1:31: sem p s[2]: EFBIG (file too large): s has 2 semaphores`},
		{`semget s key=private nsems=2; sem p s[65536]`, `t.ipc:1:38: s[65536]: a semaphore index is 0 to 65535 (sem_num is an unsigned short)`},
		{`if x == 1 { }; let x = 1`, `t.ipc:1:4: x is not set yet`},
		{`print "a" - 1`, `t.ipc:1:11: cannot compute string - int: both sides must be ints`},
		{`if "a" < 1 { }`, `t.ipc:1:4: cannot compare string < int`},
		{`exit 300`, `t.ipc:1:1: exit: status 300 is outside 0..255`},
	}
	for _, c := range cases {
		_, err := run(t, c.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want an *Error", c.src, err)
			continue
		}
		if e.Error() != c.msg {
			t.Errorf("%s:\n got %s\nwant %s", c.src, e.Error(), c.msg)
		}
	}
}

func TestErrnoIsWrapped(t *testing.T) {
	_, err := run(t, `pipe p nonblock; read p.r`)
	if !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("errors.Is(err, EAGAIN) is false for %v", err)
	}
}

func TestStaticErrors(t *testing.T) {
	cases := []struct{ src, msg string }{
		{"print y", "t.ipc:1:7: undefined: y"},
		{"break", "t.ipc:1:1: break outside a loop"},
		{"let tmp = 1", "t.ipc:1:1: cannot bind tmp: it is a built-in name"},
		// Type errors that are certain before the run: the messages the
		// run would give at the statement.
		{`pipe p; write p "x"`, `t.ipc:1:9: write: p is a pipe: use p.r or p.w`},
		{`pipe p; if false { close p }`, `t.ipc:1:20: close: p is a pipe: use p.r or p.w`},
		{`write 5 "x"`, `t.ipc:1:1: write: expected an fd, found int`},
		{`read "f" 3`, `t.ipc:1:1: read: expected an fd, found string`},
		{`seek true 0`, `t.ipc:1:1: seek: expected an fd, found bool`},
		// A spawned block is compiled before anything runs, as the child
		// will compile it: outside any loop.
		{`spawn c { print nosuch }`, `t.ipc:1:17: undefined: nosuch`},
		{`for i in 1..2 { spawn c { break } }`, `t.ipc:1:27: break outside a loop`},
		{`pipe p; spawn c { pipesize p }`, `t.ipc:1:19: pipesize: p is a pipe: use p.r or p.w`},
	}
	for _, c := range cases {
		_, err := run(t, c.src)
		var list lang.ErrorList
		if !errors.As(err, &list) || list.Error() != c.msg {
			t.Errorf("%s: got %v, want %s", c.src, err, c.msg)
		}
	}
}

func TestExitAndTry(t *testing.T) {
	out, err := run(t, `try print 1 / 0
print "err:", err
try { print "in"; print 1 / 0; print "not reached" }
exit 3
print "not reached"`)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Fatalf("got %v, want exit 3", err)
	}
	want := lines(
		"main: print 1 / 0 -> error: division by zero",
		"main: err: ERROR",
		"main: in",
		"main: try { ... } -> error: division by zero",
		"main: exit 3",
	)
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestQuietAndVerbose(t *testing.T) {
	src := "pipe p\nwrite p.w \"x\"\nprint \"shown\"\ntry seek p.r 0\n"
	out, err := runCfg(t, src, Config{Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := lines("main: shown", "main: seek p.r 0 -> error ESPIPE (illegal seek)"); out != want {
		t.Errorf("-q: got %q want %q", out, want)
	}
	out, err = runCfg(t, src+"fds\n", Config{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "-> r=fd ") || !strings.Contains(out, "p.r(fd ") || !strings.Contains(out, "main[") {
		t.Errorf("-v transcript lacks fds or pids:\n%s", out)
	}
}

func TestLongValuesShortened(t *testing.T) {
	out, err := run(t, `let s = "a"
quiet repeat 10 { s = s + s }
pipe p
write p.w s
read p.r 2000`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `…" (1024 bytes)`) {
		t.Errorf("long value not shortened:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 200 {
			t.Errorf("line of %d bytes: %.80s…", len(l), l)
		}
	}
}

func TestEventRoundTrip(t *testing.T) {
	e := Event{Kind: EvCall, Phase: PhaseConsume, Pid: 42, Line: 3, Col: 7, Time: 123456789, Proc: "child", File: "x.ipc", Stmt: `read p.r`, Result: `"hi"`}
	buf := e.encode(nil)
	if len(buf) > pipeBuf {
		t.Fatalf("record of %d bytes", len(buf))
	}
	got, n, err := decode(buf)
	if err != nil || n != len(buf) || got != e {
		t.Fatalf("decode: %+v, %d, %v", got, n, err)
	}
	big := Event{Kind: EvPrint, Proc: "main", Result: strings.Repeat("x", 10000)}
	if buf := big.encode(nil); len(buf) > pipeBuf {
		t.Fatalf("oversized event encodes to %d bytes, more than PIPE_BUF", len(buf))
	}
	if _, _, err := decode(buf[:5]); err == nil {
		t.Fatal("a truncated record decoded")
	}
}

// The session keeps names across programs, as the REPL needs, and a
// program with a static error leaves no names behind.
func TestSessionKeepsState(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, src := range []string{"let x = 41", "x += 1", "print x"} {
		prog, err := lang.Parse("[repl]", src)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(prog); err != nil {
			t.Fatal(err)
		}
	}
	prog, _ := lang.Parse("[repl]", "let y = 1; print nope")
	if err := r.Run(prog); err == nil {
		t.Fatal("undefined name ran")
	}
	if _, ok := r.main.syms.slots["y"]; ok {
		t.Error("a failed entry left its names behind")
	}
	r.Sync()
	if got := out.String(); got != "main: 42\n" {
		t.Errorf("got %q", got)
	}
}

func mustParse(t *testing.T, src string) *lang.Program {
	t.Helper()
	prog, err := lang.Parse("t.ipc", src)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// A name that an earlier REPL entry bound may still hold its old value
// when this entry uses it before rebinding it with `pipe`: that is for
// the run to find, not the compiler.
func TestStaticPipeNeedsANewName(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	var runErr error
	for _, src := range []string{"let p = 5", "try write p \"x\"\nprint err\npipe p\nclose p.r\nclose p.w"} {
		prog, err := lang.Parse("t.ipc", src)
		if err != nil {
			t.Fatal(err)
		}
		if runErr = r.Run(prog); runErr != nil {
			break
		}
	}
	if err := r.End(runErr); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "main: write p \"x\" -> error: write: expected an fd, found int\nmain: ERROR\n" {
		t.Errorf("got %q", out.String())
	}
}
