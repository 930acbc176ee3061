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
