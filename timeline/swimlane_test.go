package timeline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSwimlaneOfARun(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	out := Swimlane(ev, 100)
	golden(t, "arrows.swimlane", out)
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("line %d is %d wide, over 100: %s", i+1, n, l)
		}
	}
}

func TestSwimlaneShowsTheLastEvents(t *testing.T) {
	ev := bigRun(10) // 63 events
	out := Swimlane(ev, 60)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "(23 earlier events not shown)" {
		t.Errorf("first line %q", lines[0])
	}
	if len(lines) != 2+SwimlaneRows {
		t.Errorf("%d lines, want %d", len(lines), 2+SwimlaneRows)
	}
	if !strings.HasPrefix(lines[len(lines)-1], " 63 wait kid◀") {
		t.Errorf("last line %q, want main's wait", lines[len(lines)-1])
	}
	// The wait has an arrow from kid's column, on its right.
	if !strings.Contains(lines[len(lines)-1], "◀") || !strings.HasSuffix(lines[len(lines)-1], "┘") {
		t.Errorf("last line %q: no arrow from kid", lines[len(lines)-1])
	}
}

func TestSwimlaneFarSource(t *testing.T) {
	// The write is in a process with no column among the last rows.
	ev := []Event{n(call("w", "begin", "write", "pipe:1", "write p.w 1"), 1)}
	for i := 0; i < SwimlaneRows-1; i++ {
		ev = append(ev, call("r", "end", "stat", "", "stat x"))
	}
	ev = append(ev, n(call("r", "end", "read", "pipe:1", "read p.r"), 1))
	ev = seqd(ev...)
	out := Swimlane(ev, 80)
	if !strings.Contains(out, "read p.r  ⟵ w#1") {
		t.Errorf("no reference to the far write:\n%s", out)
	}
	if Swimlane(nil, 80) != "(no events)\n" {
		t.Error("no events")
	}
}

// A child whose first event is a recv: its arrow is the send's, not the
// spawn's (issue 18: the REPL's timeline showed only the spawn arrow);
// a call cancelled with Ctrl-C has its row; print "" is not a blank row.
func TestSwimlaneRecvCancelledEmptyPrint(t *testing.T) {
	const Q = "msg:5"
	ev := seqd(
		call("main", "begin", "spawn", "proc:c", "spawn c"),
		n(call("main", "begin", "send", Q, `send q "hi" type=1`), 1),
		n(result(call("c", "end", "recv", Q, "recv q type=1"), `type=1 "hi"`), 1),
		printEv("main", ""),
		with(ops(call("main", "end", "sem p", "sem:3", "sem p s"), "0:-1"), func(e *Event) { e.Kind, e.Result, e.Start = "unfinished", "cancelled", 4500 }),
		with(call("main", "end", "recv", Q, "recv q"), func(e *Event) { e.Kind, e.Result, e.Start = "unfinished", "cancelled", 5500 }),
	)
	out := Swimlane(ev, 80)
	for _, want := range []string{
		`  3 └#2`, `▶recv q type=1 -> type=1 "hi"`,
		"  4 » (empty line)",
		"  5 sem p s -> cancelled",
		"  6 recv q -> cancelled",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the swimlane lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "#1") {
		t.Errorf("the recv cites the spawn #1:\n%s", out)
	}
}
