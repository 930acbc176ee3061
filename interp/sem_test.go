package interp

import (
	"fmt"
	"strings"
	"testing"
)

func TestSemaphores(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `semget s key=private nsems=3 init=2 create
sem p s[1]
sem v s[2] undo
sem op s 0:-2 1:1
sem getall s
sem set s[0] 5
sem setall s 1 2 3
let v = sem get s[2]
expect v == 3
try sem p s[0] nowait
try sem z s[1] timeout=10ms
sem getpid s[0]
semctl s stat
try sem v s[0] ; try sem set s 40000
`)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: semget s key=private nsems=3 init=2 create -> created`,
		`main: sem p s[1]`,
		`main: sem v s[2] undo`,
		`main: sem op s 0:-2 1:1`,
		`main: sem getall s -> [0 2 3]`,
		`main: sem set s[0] 5`,
		`main: sem setall s 1 2 3`,
		`main: sem get s[2] -> 3`,
		`main: sem p s[0] nowait`,
		`main: sem z s[1] timeout=10ms -> error EAGAIN (resource temporarily unavailable)`,
		`main: sem getpid s[0] -> main`,
		`main: semctl s stat -> key=private mode=0600 nsems=3 values=[0 2 3]`,
		`main: sem v s[0]`,
		`main: sem set s 40000`,
		`main: sem set s 40000 -> error ERANGE (numerical result out of range)`,
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
	noNewObjects(t, before)
}

// TestSemOrderingHammer: across many hand-offs, no `sem p` line comes
// before the `sem v` that let it through (LANGUAGE.md §4).
func TestSemOrderingHammer(t *testing.T) {
	rounds := 1000
	if testing.Short() {
		rounds = 100
	}
	for range 3 {
		out, err := run(t, fmt.Sprintf(`semget s key=private nsems=2
spawn echo {
	for i in 1..%d { sem p s[0]; sem v s[1] }
}
for i in 1..%d { sem v s[0]; sem p s[1] }
wait echo
`, rounds, rounds))
		if err != nil {
			t.Fatal(err)
		}
		// Each sem p must be preceded by one more sem v on its semaphore
		// than sem p's before it.
		v := map[string]int{}
		for n, l := range strings.Split(out, "\n") {
			switch l {
			case "main: sem v s[0]":
				v["0"]++
			case "echo: sem v s[1]":
				v["1"]++
			case "echo: sem p s[0]":
				if v["0"]--; v["0"] < 0 {
					t.Fatalf("line %d: %q before the sem v that woke it", n, l)
				}
			case "main: sem p s[1]":
				if v["1"]--; v["1"] < 0 {
					t.Fatalf("line %d: %q before the sem v that woke it", n, l)
				}
			}
		}
	}
}

// TestKilledInsideCriticalSection: a child killed while it holds a mutex
// leaves it taken, unless it took it with undo, which the kernel reverts
// when the process dies.
func TestKilledInsideCriticalSection(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `semget plain key=private init=1 create
semget undone key=private init=1 create
semget inside key=private init=0 create
spawn holder {
  sem p plain
  sem p undone undo
  sem v inside
  sleep 1m
}
sem p inside
kill holder KILL
wait holder
sem get plain
sem get undone
try sem p plain nowait
sem p undone nowait
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"main: wait holder -> signal SIGKILL",
		"main: sem get plain -> 0",  // still held by the dead process
		"main: sem get undone -> 1", // given back by SEM_UNDO
		"main: sem p plain nowait -> error EAGAIN",
		"main: sem p undone nowait\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	noNewObjects(t, before)
}
