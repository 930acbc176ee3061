package timeline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestChromeTraceOfARun(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	var b bytes.Buffer
	if err := WriteChrome(&b, ev); err != nil {
		t.Fatal(err)
	}
	st, err := CheckChrome(b.Bytes())
	if err != nil {
		t.Fatalf("the trace breaks the format:\n%v", err)
	}
	blocked := 0
	for _, e := range ev {
		if e.blocked() {
			blocked++
		}
	}
	want := ChromeStats{Tracks: 2, Slices: blocked, Instants: len(ev) - blocked, Flows: len(Arrows(ev))}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	// The tracks are named after the processes, and flows keep their kind.
	for _, s := range []string{`"name":"thread_name"`, `"args":{"name":"main"}`, `"args":{"name":"child"}`,
		`"name":"pipe 4 bytes","cat":"ipc","ph":"s"`, `"name":"msg type 9"`, `"name":"spawn"`, `"name":"exit"`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("the trace lacks %s", s)
		}
	}
}

func TestChromeTraceEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteChrome(&b, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := CheckChrome(b.Bytes()); err != nil || st != (ChromeStats{}) {
		t.Errorf("empty trace: %+v, %v", st, err)
	}
}

// TestChromeSliceOverlapClamped: a blocked call that, by the clocks,
// began before the previous event of its process ended still gives
// slices that do not overlap.
func TestChromeSliceOverlapClamped(t *testing.T) {
	ev := seqd(
		call("a", "begin", "write", "pipe:1", "write p.w 1"),
		with(n(call("a", "end", "read", "pipe:1", "read p.r"), 1), func(e *Event) { e.Start = 500 }),
	)
	var b bytes.Buffer
	if err := WriteChrome(&b, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckChrome(b.Bytes()); err != nil {
		t.Error(err)
	}
}

// TestCheckChromeFinds: the checker fails on each rule it checks.
func TestCheckChromeFinds(t *testing.T) {
	meta := `{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"main"}}`
	cases := map[string]struct{ events, want string }{
		"no array":       {``, "no traceEvents"},
		"no tid":         {`{"name":"x","ph":"i","ts":1,"pid":1,"s":"t"}`, "no pid or tid"},
		"no ts":          {meta + `,{"name":"x","ph":"i","pid":1,"tid":1,"s":"t"}`, "without a ts"},
		"no dur":         {meta + `,{"name":"x","ph":"X","ts":1,"pid":1,"tid":1}`, "without a dur"},
		"no scope":       {meta + `,{"name":"x","ph":"i","ts":1,"pid":1,"tid":1}`, "without a scope"},
		"unnamed track":  {`{"name":"x","ph":"i","ts":1,"pid":1,"tid":2,"s":"t"}`, "has no thread_name"},
		"out of order":   {meta + `,{"name":"x","ph":"i","ts":5,"pid":1,"tid":1,"s":"t"},{"name":"y","ph":"i","ts":4,"pid":1,"tid":1,"s":"t"}`, "before the previous"},
		"overlap":        {meta + `,{"name":"x","ph":"X","ts":1,"dur":5,"pid":1,"tid":1},{"name":"y","ph":"i","ts":4,"pid":1,"tid":1,"s":"t"}`, "overlaps"},
		"unmatched E":    {meta + `,{"name":"x","ph":"E","ts":1,"pid":1,"tid":1}`, "no open B"},
		"open B":         {meta + `,{"name":"x","ph":"B","ts":1,"pid":1,"tid":1}`, "never ended"},
		"flow no end":    {meta + `,{"name":"x","ph":"i","ts":1,"pid":1,"tid":1,"s":"t"},{"name":"f","cat":"c","ph":"s","id":1,"ts":1,"pid":1,"tid":1}`, "no start or no end"},
		"flow unbound":   {meta + `,{"name":"x","ph":"i","ts":1,"pid":1,"tid":1,"s":"t"},{"name":"f","cat":"c","ph":"s","id":1,"ts":1,"pid":1,"tid":1},{"name":"f","cat":"c","ph":"f","bp":"e","id":1,"ts":2,"pid":1,"tid":1}`, "encloses its end"},
		"flow backwards": {meta + `,{"name":"x","ph":"X","ts":1,"dur":9,"pid":1,"tid":1},{"name":"f","cat":"c","ph":"s","id":1,"ts":5,"pid":1,"tid":1},{"name":"f","cat":"c","ph":"f","bp":"e","id":1,"ts":2,"pid":1,"tid":1}`, "before it starts"},
		"flow no bp":     {meta + `,{"name":"x","ph":"X","ts":1,"dur":9,"pid":1,"tid":1},{"name":"f","cat":"c","ph":"s","id":1,"ts":2,"pid":1,"tid":1},{"name":"f","cat":"c","ph":"f","id":1,"ts":3,"pid":1,"tid":1}`, `without bp "e"`},
	}
	for name, c := range cases {
		doc := `{"traceEvents":[` + c.events + `]}`
		if c.events == "" {
			doc = `{}`
		}
		if !json.Valid([]byte(doc)) {
			t.Fatalf("%s: bad test JSON", name)
		}
		_, err := CheckChrome([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: CheckChrome = %v, want an error with %q", name, err, c.want)
		}
	}
}

// A deadlocked run: each call that never returned is a slice from when
// it began to when the run gave up on it, on its process's track.
func TestChromeTraceDeadlock(t *testing.T) {
	ev := readTrace(t, "deadlock.jsonl")
	var b bytes.Buffer
	if err := WriteChrome(&b, ev); err != nil {
		t.Fatal(err)
	}
	st, err := CheckChrome(b.Bytes())
	if err != nil {
		t.Fatalf("the trace breaks the format:\n%v", err)
	}
	if st.Tracks != 3 || st.Slices != 3 {
		t.Errorf("stats %+v, want 3 tracks and the 3 blocked calls as slices", st)
	}
	if !strings.Contains(b.String(), `"name":"read a.r -> blocked, never returned"`) {
		t.Errorf("no slice of left's read:\n%s", b.String())
	}
}
