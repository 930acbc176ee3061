package interp

import (
	"errors"
	"fmt"
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

func TestExecAndPopen(t *testing.T) {
	out, err := run(t, `pipe p
spawn lister exec printf "a\nb\nc\n" stdout=p.w
spawn counter exec wc -l stdin=p.r
close p.r
close p.w
wait lister
wait counter
popen f "echo one; echo two" read
let text = read f all
let st = pclose f
expect st == 0
popen g "cat; exit 3" write
write g "through cat\n"
let st2 = pclose g
expect st2 == 3
try spawn ghost exec no-such-program-here
print err
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"counter: 3",
		"counter: exit 0",
		`main: read f all -> "one\ntwo\n"`,
		"g: through cat",
		"g: exit 3",
		"main: pclose g -> 3",
		`main: spawn ghost exec no-such-program-here -> error ENOENT (no such file or directory)`,
		"main: ENOENT",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	order(t, out, "counter: 3", "counter: exit 0")
	order(t, out, "counter: exit 0", "main: wait counter -> 0")
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

// A deadlock stops the run with exit 3 and names where each process is
// blocked; the children are killed and reaped.
func TestStallReport(t *testing.T) {
	start := time.Now()
	_, err := runCfg(t, `pipe a
pipe b
spawn c {
	read b.r
}
read a.r
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"deadlock", "main: t.ipc:6:1: read a.r (blocked", "c: t.ipc:4:2: read b.r (blocked"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stall stop took %v", d)
	}
	if z := zombies(t); z != 0 {
		t.Errorf("%d zombies after a stall stop", z)
	}
}

// A process sleeping or computing is not stalled.
func TestNoFalseStall(t *testing.T) {
	_, err := runCfg(t, `pipe p
spawn c { sleep 600ms; write p.w "late" }
read p.r
wait c
`, Config{Stall: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("a slow but live run was stopped: %v", err)
	}
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

// The wait at the end of a script (and of a block) is no statement of the
// script: the deadlock report names the file's end, never ":0:0".
func TestStallReportAtEndOfScript(t *testing.T) {
	_, err := runCfg(t, `pipe p
spawn outer {
	spawn inner { read p.r }
}
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"main: t.ipc: end of script: waiting for outer (blocked", "outer: t.ipc: end of block: waiting for inner (blocked", "inner: t.ipc:3:16: read p.r (blocked"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if strings.Contains(se.Report, ":0:0") {
		t.Errorf("report has no position:\n%s", se.Report)
	}
}

// A program started with exec is watched from the first tick, as a
// process of the interpreter is: the report comes one stall time after
// everything blocked, not two (it came after 2.5 s for a 1 s stall).
func TestStallReportWithExecChild(t *testing.T) {
	start := time.Now()
	_, err := runCfg(t, `pipe p
spawn c exec cat stdin=p.r
read p.r
`, Config{Stall: time.Second})
	elapsed := time.Since(start)
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	for _, want := range []string{"main: t.ipc:3:1: read p.r (blocked at least 1s)", "c: a program, in read(2) (blocked at least 1s)"} {
		if !strings.Contains(se.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, se.Report)
		}
	}
	if elapsed > 1900*time.Millisecond {
		t.Errorf("the report came %v after the start, for a stall of 1s", elapsed)
	}
}

// procsWithArg counts live processes whose command line has arg.
func procsWithArg(t *testing.T, arg string) int {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.Contains(string(b), "\x00"+arg+"\x00") {
			n++
		}
	}
	return n
}

// A program that leaves a process of its own holding its output, or just
// running, does not hold the run up: the run ends when its own processes
// have, names what was left, and kills it.
func TestExecLeftovers(t *testing.T) {
	for _, tc := range []struct{ name, cmd, line string }{
		{"holding its output", `sleep 31.7 & echo hi`, "c: left running: sleep -> killed"},
		{"detached", `sleep 31.8 >/dev/null 2>&1 & echo hi`, "main: left running: sleep -> killed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arg := strings.Fields(tc.cmd)[1]
			start := time.Now()
			out, err := run(t, "spawn c exec sh -c '"+tc.cmd+"'\nwait c\n")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("the run took %v: it waited for what the program left", d)
			}
			if !strings.Contains(out, "c: hi\n") || !strings.Contains(out, tc.line+"\n") {
				t.Errorf("transcript lacks c's line or %q:\n%s", tc.line, out)
			}
			deadline := time.Now().Add(2 * time.Second)
			for procsWithArg(t, arg) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("sleep %s still runs after the run", arg)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// The deadlock report explains: the state of what each process waits on
// and the cycle. -v adds the kernel's ids and pids. A semaphore nobody
// posted in the transcript is said to be unknown, not guessed.
func TestStallReportExplains(t *testing.T) {
	src := `semget s key=private init=1 create
semget t key=private init=1 create
pipe ready
sem p t
spawn a {
	sem p s
	write ready.w "s"
	sem p t
}
read ready.r 1
sem p s
`
	for _, verbose := range []bool{false, true} {
		_, err := runCfg(t, src, Config{Stall: 300 * time.Millisecond, Verbose: verbose})
		var se *StopError
		if !errors.As(err, &se) || se.Code != 3 {
			t.Fatalf("got %v, want a stop with code 3", err)
		}
		wants := []string{"main: sem s[0] has value 0; 1 waiting for it to grow (ncnt)", "a took s[0] last (sempid)", ": a cycle"}
		if verbose {
			wants = append(wants, "[sem:", "last changed by a[")
		}
		for _, want := range wants {
			if !strings.Contains(se.Report, want) {
				t.Errorf("-v=%v: report lacks %q:\n%s", verbose, want, se.Report)
			}
		}
	}
	_, err := runCfg(t, `semget s key=private create
spawn w { quiet sem v s; sem z s }
sleep 100ms
semget u key=private create
sem p u
`, Config{Stall: 300 * time.Millisecond})
	var se *StopError
	if !errors.As(err, &se) || !strings.Contains(se.Report, "no line of the run posts u[0]") {
		t.Errorf("got %v, want the report to say nobody posts u", err)
	}
}
