package interp

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"ipcsh/lang"
)

// roundAllocs runs body n1 and then n2 times under quiet in one session
// and returns the heap allocations of one extra round: set-up and
// clean-up cancel out.
func roundAllocs(t *testing.T, setup, body, teardown string) float64 {
	t.Helper()
	count := func(n int) uint64 {
		src := fmt.Sprintf("%s\nquiet repeat %d { %s }\n%s\n", setup, n, body, teardown)
		prog, err := lang.Parse("t.ipc", src)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(Config{Stdout: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := r.Run(prog); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	const few, many = 10, 2010
	best := 1e9
	for try := 0; try < 3; try++ { // the runtime's own odd allocation is not the statement's
		a, b := count(few), count(many)
		if d := (float64(b) - float64(a)) / (many - few); d < best {
			best = d
		}
	}
	return best
}

// A receive whose value nothing reads, under quiet, builds no message:
// a ping-pong's `recv` pays only for its system call.
func TestDiscardedReceiveBuildsNothing(t *testing.T) {
	q := pxName("discard")
	cases := []struct{ name, setup, body, teardown string }{
		{"sysv", "msgget q key=private create", `send q "xy" type=1; recv q`, "msgctl q rmid"},
		{"posix", fmt.Sprintf("mqopen q %q create excl maxmsg=1 msgsize=2\nmqunlink %q", q, q), `send q "xy"; recv q`, "close q"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			discard := roundAllocs(t, c.setup, c.body, c.teardown)
			kept := roundAllocs(t, c.setup, c.body[:len(c.body)-len("recv q")]+"let m = recv q", c.teardown)
			t.Logf("allocations per round: %.2f discarded, %.2f kept", discard, kept)
			if discard > 0.05 {
				t.Errorf("a discarded receive allocates %.2f times per round, want none", discard)
			}
			if kept < 1.9 { // the message and its text
				t.Errorf("a kept receive allocates %.2f times per round: the test no longer measures the message", kept)
			}
		})
	}
}
