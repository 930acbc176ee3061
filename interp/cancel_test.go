package interp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"ipcsh/lang"
)

// TestInterruptStopsOneStatement is the REPL's Ctrl-C: the blocked or
// looping statement returns an interrupt naming what it cut short, and
// the session goes on with its state intact.
func TestInterruptStopsOneStatement(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	entry := func(src string) error {
		t.Helper()
		prog, err := lang.Parse("[repl]", src)
		if err != nil {
			t.Fatal(err)
		}
		return r.Run(prog)
	}
	if err := entry("pipe p"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{"read p.r", "cancelled read p.r at [repl]:1:1"},
		{"sleep 1m", "cancelled sleep 1m at [repl]:1:1"},
		{"let n = 0\nwhile true { n += 1 }", "interrupted"},
		{"let big = \"x\"\nquiet repeat 17 { big = big + big }\nwrite p.w big", "cancelled write p.w big at [repl]:3:1"},
	} {
		go func() { time.Sleep(50 * time.Millisecond); r.Interrupt() }()
		err := entry(tc.src)
		var stop *StopError
		if !errors.As(err, &stop) || !stop.Interrupted || stop.Report != tc.want {
			t.Errorf("%q: got %v, want an interrupt %q", tc.src, err, tc.want)
		}
	}
	// The session still works: the pipe is there, a read no longer stops.
	if err := entry("read p.r 1\nclose p.w\nclose p.r"); err != nil {
		t.Fatalf("after the interrupts: %v", err)
	}
	r.Sync()
	if !strings.Contains(out.String(), `main: read p.r 1 -> "x"`) {
		t.Errorf("transcript:\n%s", out.String())
	}
}

// TestStopIsFinal: after a stop (signal, stall), unlike an interrupt,
// every later blocking call returns at once.
func TestStopIsFinal(t *testing.T) {
	r, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Interrupt()
	r.Cancel(143, "")
	prog, _ := lang.Parse("t", "sleep 1m")
	for range 2 {
		var stop *StopError
		if err := r.Run(prog); !errors.As(err, &stop) || stop.Code != 143 {
			t.Fatalf("got %v, want the stop with code 143", err)
		}
	}
}
