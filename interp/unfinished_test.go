package interp

import (
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type unfinishedRec struct {
	Kind, Proc, Pos, Stmt, Result string
	T                             int64 `json:"t_ns"`
	Start                         int64 `json:"start_ns"`
}

// unfinishedOf returns the trace's records of calls that never returned.
func unfinishedOf(t *testing.T, trace string) []unfinishedRec {
	t.Helper()
	var out []unfinishedRec
	for _, l := range strings.Split(strings.TrimSpace(trace), "\n") {
		var r unfinishedRec
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if r.Kind == "unfinished" {
			if r.Start <= 0 || r.Start > r.T {
				t.Errorf("unfinished call began at %d, recorded at %d: %s", r.Start, r.T, l)
			}
			out = append(out, r)
		}
	}
	return out
}

// A deadlock leaves, in the trace and only there, one record per blocked
// process: the call it waited in, from when, and why it never returned.
// A timeline draws the deadlock from them.
func TestTraceUnfinishedDeadlock(t *testing.T) {
	var tr strings.Builder
	out, err := runCfg(t, "pipe a\npipe b\nspawn c {\n\tread b.r\n}\nread a.r\n", Config{Stall: 300 * time.Millisecond, Trace: &tr})
	var se *StopError
	if !errors.As(err, &se) || se.Code != 3 {
		t.Fatalf("got %v, want a stop with code 3", err)
	}
	got := map[string]string{}
	for _, r := range unfinishedOf(t, tr.String()) {
		got[r.Proc] = r.Pos + " " + r.Stmt + " " + r.Result
	}
	want := map[string]string{"main": "t.ipc:6:1 read a.r deadlock", "c": "t.ipc:4:2 read b.r deadlock"}
	if len(got) != len(want) || got["main"] != want["main"] || got["c"] != want["c"] {
		t.Errorf("unfinished calls in the trace: %v, want %v\n%s", got, want, tr.String())
	}
	if strings.Contains(out, "deadlock") || strings.Contains(out, "read a.r") {
		t.Errorf("the transcript shows the unfinished calls:\n%s", out)
	}
}

// Ctrl-C in the REPL cancels main's blocked call: the trace keeps it.
func TestTraceUnfinishedCancelled(t *testing.T) {
	var tr strings.Builder
	r, err := New(Config{Trace: &tr})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		// Interrupt once main is inside its read, as the board shows it.
		for atomic.LoadUint32(&r.board.slot(r.main.slot).state) != slotBlocked {
			time.Sleep(5 * time.Millisecond)
		}
		r.Interrupt()
	}()
	err = r.Run(mustParse(t, "pipe p\nread p.r\n"))
	var se *StopError
	if !errors.As(err, &se) || !se.Interrupted {
		t.Fatalf("got %v, want an interrupt", err)
	}
	r.Sync()
	if err := r.End(nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	u := unfinishedOf(t, tr.String())
	if len(u) != 1 || u[0].Proc != "main" || u[0].Stmt != "read p.r" || u[0].Result != "cancelled" {
		t.Errorf("unfinished calls: %+v, want main's cancelled read p.r\n%s", u, tr.String())
	}
}
