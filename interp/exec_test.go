package interp

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
		// Detached, sleep is found by the end-of-run sweep; the shell it
		// was forked from may still hold the output for a moment, and
		// then it is that one the program's line names.
		{"detached", `sleep 31.8 >/dev/null 2>&1 & echo hi`, "left running: s"},
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
			if !strings.Contains(out, "c: hi\n") || !strings.Contains(out, tc.line) || !strings.Contains(out, " -> killed\n") {
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

// A fast program's first line can be read before fork has returned in the
// parent; the line must still carry the program's pid, not its parent's.
// Not parallel: the hook is the package's.
func TestCapturedLineWaitsForThePid(t *testing.T) {
	testHookStarted = func() { time.Sleep(50 * time.Millisecond) }
	defer func() { testHookStarted = nil }()
	out, err := runCfg(t, "spawn e exec sh -c 'echo $$'\nwait e\n", Config{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^e\[(\d+)\]: (\d+)$`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] {
		t.Errorf("the program's line does not carry its pid:\n%s", out)
	}
}
