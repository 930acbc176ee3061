package interp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

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

// TestBlockObjOnTheBoard: what a process writes in its board slot before
// it blocks reads back as it was, and a long name is cut to the slot
// without running past it.
func TestBlockObjOnTheBoard(t *testing.T) {
	var field [128]byte
	for _, o := range []blockObj{
		{tag: "sem:32768", how: "p", n: 1, name: "s"},
		{tag: "msg:5", how: "recv", n: -9223372036854775808, name: "q"},
		{tag: "proc:w", how: "wait", name: ""},
		// A FIFO's path under a long TMPDIR: said once, it fits whole.
		{tag: "open:/" + strings.Repeat("d", 100), how: "open-r", name: "/" + strings.Repeat("d", 100)},
		{},
	} {
		o.put(field[:])
		if got := decodeBlockObj(cstr(field[:])); got != o {
			t.Errorf("put %+v, read back %+v", o, got)
		}
	}
	long := blockObj{tag: "open:/" + strings.Repeat("d", 200), how: "open-r", name: "f"}
	long.put(field[:])
	if got := cstr(field[:]); len(got) != len(field)-1 || !strings.HasPrefix(got, "open:/ddd") {
		t.Errorf("a long object became %d bytes %q", len(got), got)
	}
	if n := testing.AllocsPerRun(100, func() { blockObj{tag: "sem:1", how: "p", name: "s"}.put(field[:]) }); n != 0 {
		t.Errorf("put allocates %v times", n)
	}
}
