package golden

import (
	"io"
	"path/filepath"
	"strings"

	"ipcsh/timeline"
)

// Trace maps each transcript line of a run back to the statement that
// printed it, from the run's --trace file (JSON lines, one per event, see
// interp/trace.go), and keeps the events for the order check (order.go).
// Every event is one transcript line of its process, except a print,
// which is one line per line of its text, and an unfinished call, which
// is in the trace only.
type Trace struct {
	dir    string              // the script's directory: positions are relative to it
	pos    map[string][]string // process -> "file:line:col" of each of its lines
	events []timeline.Event
	line   []int // events[i]'s first line among its process's lines; -1: it has none
}

// ReadTrace reads a trace written by `ipcsh --trace` for a script run in
// dir. A trace cut short (a killed run) yields what it has; a line that
// is not JSON ends it.
func ReadTrace(r io.Reader, dir string) *Trace {
	// Decode returns the events before a bad line with its error: what
	// the run managed to write is still worth having.
	events, _ := timeline.Decode(r)
	t := &Trace{dir: dir, pos: map[string][]string{}, events: events, line: make([]int, len(events))}
	for i, e := range events {
		t.line[i] = -1
		if e.Kind == "unfinished" {
			continue // the trace's note of a blocked call; the transcript has no line for it
		}
		n := 1
		if e.Kind == "print" {
			n += strings.Count(e.Text, "\n")
		}
		t.line[i] = len(t.pos[e.Proc])
		for range n {
			t.pos[e.Proc] = append(t.pos[e.Proc], e.Pos)
		}
	}
	return t
}

// Where is the script position "path:line" of process proc's i-th
// transcript line (from 0), or "" when unknown. The path is relative to
// where the test was started (the script's directory joined with the
// file name the run reported).
func (t *Trace) Where(proc string, i int) string {
	if t == nil || i < 0 || i >= len(t.pos[proc]) {
		return ""
	}
	p := t.pos[proc][i]
	// "file:line:col" -> "file:line"; the file name may contain colons.
	k := strings.LastIndexByte(p, ':')
	if k < 0 {
		return ""
	}
	p = p[:k]
	if k = strings.LastIndexByte(p, ':'); k < 0 {
		return ""
	}
	file, line := p[:k], p[k+1:]
	if !filepath.IsAbs(file) && t.dir != "" {
		file = filepath.Join(t.dir, file)
	}
	return file + ":" + line
}
