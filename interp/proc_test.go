package interp

import (
	"errors"
	"fmt"
	"ipcsh/lang"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// linesOf projects a transcript on one process, keeping its order: the
// "same transcript" of LANGUAGE.md §4.
func linesOf(out, proc string) []string {
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.HasPrefix(l, proc+": ") {
			got = append(got, l)
		}
	}
	return got
}

func TestSpawnInheritsFdsAndVariables(t *testing.T) {
	out, err := run(t, `pipe p
let greeting = "hello"
let n = 41
spawn child {
	close p.r
	n += 1
	write p.w greeting + " " + str(n)
}
close p.w
let got = read p.r all
wait child
print got, n
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`child: close p.r`,
		`child: write p.w "hello 42"`,
		`child: exit 0`,
	}
	if got := linesOf(out, "child"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("child lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The child's variables are copies: the parent's n is unchanged.
	if !strings.Contains(out, "main: hello 42 41\n") {
		t.Errorf("transcript:\n%s", out)
	}
	// Causality: spawn before the child's first line, the child's write
	// before the read, its exit before the wait.
	order(t, out, "main: spawn child", "child: close p.r")
	order(t, out, `child: write p.w "hello 42"`, `main: read p.r all -> "hello 42"`)
	order(t, out, "child: exit 0", "main: wait child -> 0")
}

// order fails unless line a comes before line b in out.
func order(t *testing.T, out, a, b string) {
	t.Helper()
	i, j := strings.Index(out, a+"\n"), strings.Index(out, b+"\n")
	if i < 0 || j < 0 || i > j {
		t.Errorf("want %q before %q in:\n%s", a, b, out)
	}
}

// The ordering guarantee itself, hammered: over thousands of round trips,
// no read line ever comes before the write line whose bytes it returned.
func TestOrderingHammer(t *testing.T) {
	rounds := 2000
	if testing.Short() {
		rounds = 200
	}
	for run1 := 0; run1 < 3; run1++ {
		out, err := run(t, fmt.Sprintf(`pipe ping
pipe pong
spawn echo {
	for i in 1..%d {
		let m = read ping.r 16
		write pong.w m
	}
}
for i in 1..%d {
	write ping.w "m" + str(i)
	read pong.r 16
}
wait echo
`, rounds, rounds))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for n, l := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(l, "main: write ping.w "), strings.HasPrefix(l, "echo: write pong.w "):
				seen[l[strings.Index(l, `"`):]+strings.SplitN(l, ":", 2)[0]] = n
			case strings.HasPrefix(l, "echo: read ping.r 16 -> "):
				w, ok := seen[l[strings.Index(l, `"`):]+"main"]
				if !ok || w > n {
					t.Fatalf("line %d: %q before the write that published it", n, l)
				}
			case strings.HasPrefix(l, "main: read pong.r 16 -> "):
				w, ok := seen[l[strings.Index(l, `"`):]+"echo"]
				if !ok || w > n {
					t.Fatalf("line %d: %q before the write that published it", n, l)
				}
			}
		}
		if c := strings.Count(out, "main: read pong.r 16 -> "); c != rounds {
			t.Fatalf("%d round trips in the transcript, want %d", c, rounds)
		}
	}
}

func TestNestedSpawnAndNames(t *testing.T) {
	out, err := run(t, `spawn outer {
	spawn inner { print "I am", self }
	wait inner
}
wait outer
spawn outer { exit 7 }
let st = wait outer
expect st == 7
`)
	if err != nil {
		t.Fatal(err)
	}
	order(t, out, "outer: spawn inner", "inner: I am inner")
	order(t, out, "inner: exit 0", "outer: wait inner -> 0")
	order(t, out, "outer: exit 7", "main: wait outer -> 7")

	_, err = run(t, "spawn a { sleep 200ms }\nspawn a { }\n")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Error(), "t.ipc:2:1: spawn: a process named a is already running") {
		t.Fatalf("duplicate name: %v", err)
	}
}

func TestKillAndStatus(t *testing.T) {
	out, err := run(t, `spawn s exec sleep 30
kill s
let st = wait s
expect st == "signal SIGTERM"
spawn b { sleep 30s }
kill b KILL
wait b
try kill b
print err
try wait b
print err
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"main: kill s SIGTERM",
		"main: wait s -> signal SIGTERM",
		"main: kill b SIGKILL",
		"main: wait b -> signal SIGKILL",
		"main: ESRCH",
		"main: ECHILD",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

// `wait` alone reaps the children not yet waited for, and its value is
// theirs: a child waited for before does not make it non-zero. With no
// child left, it is ECHILD, as wait(2) and `wait w` of a family are.
func TestWaitAllValueIsOfTheChildrenItReaps(t *testing.T) {
	out, err := run(t, `try wait
print "none", err
spawn c { exit 3 }
wait c
spawn d { exit 0 }
let y = wait
print "y", y
spawn e { exit 5 }
let z = wait
print "z", z
try wait
print "left", err
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"main: wait -> error ECHILD (no child processes)\nmain: none ECHILD",
		"main: wait d -> 0\nmain: y 0",
		"main: wait e -> 5\nmain: z 5",
		"main: left ECHILD",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

// A child may not wait for its sibling: only for its own children.
func TestWaitForeign(t *testing.T) {
	out, err := run(t, `spawn a { sleep 50ms }
spawn b { try wait a; print err }
wait b
wait a
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "b: ECHILD\n") {
		t.Errorf("transcript:\n%s", out)
	}
}

// A child that fails reports on stderr and exits 1; the parent goes on.
func TestChildErrorAndCrash(t *testing.T) {
	out, err := run(t, `pipe p
spawn bad { close p.r; close p.r }
let st = wait bad
expect st == 1
spawn victim { repeat 1000000 { write p.w "xxxxxxxx" } }
sleep 20ms
kill victim KILL
wait victim
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "bad: close p.r -> error EBADF (bad file descriptor)\n") || !strings.Contains(out, "bad: exit 1\n") {
		t.Errorf("transcript:\n%s", out)
	}
}

// 100 children at once: all reaped, names unique, no zombie left.
func TestManyChildrenNoZombies(t *testing.T) {
	var b strings.Builder
	b.WriteString("pipe go\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "spawn c%d { read go.r 1 }\n", i)
	}
	b.WriteString("quiet repeat 100 { write go.w \"x\" }\nwait\n")
	out, err := run(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, ": exit 0\n"); n != 100 {
		t.Errorf("%d children exited, want 100", n)
	}
	if z := zombies(t); z != 0 {
		t.Errorf("%d zombie children of the test process", z)
	}
}

// zombies counts this process's children in state Z.
func zombies(t *testing.T) int {
	t.Helper()
	me := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	n := 0
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[0] == "Z" && f[1] == me {
			n++
		}
	}
	return n
}

// Cancel stops main wherever it blocks: read, write to a full pipe, FIFO
// open, wait, sleep.
func TestCancelEveryBlockingCall(t *testing.T) {
	cases := map[string]string{
		"read":  "pipe p\nread p.r\n",
		"write": "pipe p\nlet s = \"x\"\nquiet repeat 17 { s = s + s }\nwrite p.w s\n",
		"open":  "mkfifo tmp + \"/f\"\nopen r tmp + \"/f\" read\n",
		"wait":  "pipe p\nspawn c { read p.r }\nwait c\n",
		"sleep": "sleep 1m\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			prog := mustParse(t, src)
			r, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			go func() { time.Sleep(100 * time.Millisecond); r.Cancel(130, "") }()
			start := time.Now()
			err = r.End(r.Run(prog))
			r.Close()
			var se *StopError
			if !errors.As(err, &se) || se.Code != 130 {
				t.Fatalf("got %v, want a stop with code 130", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("cancel took %v", d)
			}
			if unix.Kill(-1, 0) == nil && zombies(t) != 0 {
				t.Errorf("zombies after cancel")
			}
		})
	}
}

func TestTrace(t *testing.T) {
	var tr strings.Builder
	_, err := runCfg(t, "pipe p\nspawn c { write p.w \"x\" }\nread p.r\nwait c\n", Config{Trace: &tr})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(tr.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d trace records, want 6:\n%s", len(lines), tr.String())
	}
	for _, want := range []string{`"proc":"c"`, `"phase":"begin"`, `"pos":"t.ipc:2:11"`, `"stmt":"write p.w \"x\""`, `"t_ns":`, `"pid":`} {
		if !strings.Contains(tr.String(), want) {
			t.Errorf("trace lacks %s:\n%s", want, tr.String())
		}
	}
}

// kill may name any process of the run (LANGUAGE.md §3): main from a
// child, the process itself, a sibling spawned after it. A name that is
// no process's is an error before the run.
func TestKillAnyProcessOfTheRun(t *testing.T) {
	out, err := run(t, `trap USR1 { print "main got", sig.signal, "from", sig.from } restart
spawn c { kill main USR1 }
wait c
spawn s {
	trap USR2 { print "s got", sig.signal, "from", sig.from }
	kill s USR2
	sleep 300ms # the signal arrives meanwhile, or has already
}
wait s
spawn a { sleep 10s }
spawn b { kill a KILL }
wait b
let st = wait a
expect st == "signal SIGKILL"
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"main: main got SIGUSR1 from c", "s: s got SIGUSR2 from s", "b: kill a SIGKILL"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	prog, perr := lang.Parse("t.ipc", "kill nosuch\n")
	if perr != nil {
		t.Fatal(perr)
	}
	if err := Check(prog); err == nil || !strings.Contains(err.Error(), "undefined: nosuch") {
		t.Errorf("kill nosuch: check gave %v", err)
	}
}
