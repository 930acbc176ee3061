package main

// `timeline` in the REPL: the session's last events as a text swimlane,
// one column per process, with arrows from each publish to the consume it
// enabled (timeline.Swimlane).

import (
	"bytes"
	"io"
	"strings"
	"sync"

	"ipcsh/timeline"
)

// eventRing keeps the last lines of the session's --trace stream: the
// Runner writes every event to it as one JSON line.
type eventRing struct {
	mu    sync.Mutex
	lines []string
	max   int
	part  []byte // a line not yet complete
}

// ringSize is how many events `timeline` can look back over (it shows
// the last timeline.SwimlaneRows, and needs older ones for arrows).
const ringSize = 2000

func newEventRing() *eventRing { return &eventRing{max: ringSize} }

func (r *eventRing) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.part = append(r.part, p...)
	for {
		i := bytes.IndexByte(r.part, '\n')
		if i < 0 {
			break
		}
		r.lines = append(r.lines, string(r.part[:i+1]))
		r.part = r.part[i+1:]
	}
	if over := len(r.lines) - r.max; over > 0 {
		r.lines = append(r.lines[:0], r.lines[over:]...)
	}
	return len(p), nil
}

func (r *eventRing) events() ([]timeline.Event, error) {
	r.mu.Lock()
	text := strings.Join(r.lines, "")
	r.mu.Unlock()
	return timeline.Decode(strings.NewReader(text))
}

// traceTo is the session's trace writer: the ring, and the --trace file
// when one was asked for.
func traceTo(ring *eventRing, file io.Writer) io.Writer {
	if file == nil {
		return ring
	}
	return io.MultiWriter(ring, file)
}

// timelineWidth is the swimlane's width in columns.
const timelineWidth = 100

func (s *session) showTimeline() {
	s.r.Sync() // every event of the last entry is in the ring
	events, err := s.ring.events()
	if err != nil {
		io.WriteString(s.errOut, "timeline: "+err.Error()+"\n")
		return
	}
	io.WriteString(s.out, timeline.Swimlane(events, timelineWidth))
}
