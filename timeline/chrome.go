package timeline

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// chromeEvent is one record of the Chrome Trace Event Format (the
// "JSON Object Format" with a traceEvents array), which Perfetto and
// chrome://tracing open.
type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   json.Number    `json:"ts,omitempty"`  // µs
	Dur  json.Number    `json:"dur,omitempty"` // µs, on "X"
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	S    string         `json:"s,omitempty"`  // an instant's scope: "t", its thread
	ID   int            `json:"id,omitempty"` // pairs a flow's "s" and "f"
	Bp   string         `json:"bp,omitempty"` // "e": a flow end binds to the slice around it
	Args map[string]any `json:"args,omitempty"`
}

type chromeTrace struct {
	TraceEvents     []chromeEvent  `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData"`
}

// WriteChrome writes the events in the Chrome Trace Event Format: one
// track (tid) per process of the run, named with thread_name metadata; a
// complete slice ("X") for every call that blocked, from when it began to
// when it returned; an instant ("i") for every other call and every
// print; and a flow ("s" -> "f") for every arrow that Arrows finds.
//
// The events are written sorted by time, so viewers need not sort them,
// and each flow event comes right after the slice it binds to (a flow
// start binds to the slice enclosing it on its track, an end with bp "e"
// likewise): both viewers then attach the arrow to the right slice.
func WriteChrome(w io.Writer, events []Event) error {
	tr := chromeTrace{TraceEvents: []chromeEvent{}, DisplayTimeUnit: "ms",
		OtherData: map[string]any{"generator": "ipcsh --trace", "script": scriptName(events)}}
	if len(events) > 0 {
		tr.TraceEvents = chromeEvents(events)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // statements are full of "->"
	if err := enc.Encode(&tr); err != nil {
		return err
	}
	// One event per line keeps the file readable and diffable.
	_, err := io.WriteString(w, strings.ReplaceAll(b.String(), `},{"name"`, "},\n{\"name\""))
	return err
}

func chromeEvents(events []Event) []chromeEvent {
	procs := processes(events)
	pid := int(events[0].Pid)
	for _, e := range events {
		if e.Proc == "main" {
			pid = int(e.Pid)
			break
		}
	}
	tids := trackIDs(events, procs, pid)
	t0 := events[0].T
	for _, e := range events {
		t0 = min(t0, e.T)
		if e.Start > 0 {
			t0 = min(t0, e.Start)
		}
	}
	us := func(ns int64) json.Number { return micros(ns - t0) }

	meta := []chromeEvent{{Name: "process_name", Ph: "M", Pid: pid, Tid: tids[procs[0]],
		Args: map[string]any{"name": "ipcsh " + scriptName(events)}}}
	for k, p := range procs {
		meta = append(meta,
			chromeEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: tids[p], Args: map[string]any{"name": p}},
			chromeEvent{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: tids[p], Args: map[string]any{"sort_index": k}})
	}

	// Timed events, each with the time it sorts by.
	type timed struct {
		ns int64
		ev chromeEvent
	}
	var out []timed
	last := map[string]int64{} // process -> end of its last slice
	for i := range events {
		e := &events[i]
		ce := chromeEvent{Name: clip(e.text(), 80), Cat: e.Verb, Pid: pid, Tid: tids[e.Proc], Args: chromeArgs(e)}
		if e.isPrint() {
			ce.Cat = "print"
		}
		start := e.T
		if e.blocked() {
			// A slice must not overlap the one before it on its track.
			start = max(e.Start, last[e.Proc])
			ce.Ph, ce.Ts, ce.Dur = "X", us(start), micros(e.T-start)
		} else {
			ce.Ph, ce.Ts, ce.S = "i", us(e.T), "t"
		}
		last[e.Proc] = e.T
		out = append(out, timed{start, ce})
	}
	for k, a := range Arrows(events) {
		f, t := &events[a.From], &events[a.To]
		name := strings.TrimSpace(a.Kind + " " + a.Label)
		out = append(out,
			timed{f.T, chromeEvent{Name: name, Cat: "ipc", Ph: "s", Ts: us(f.T), Pid: pid, Tid: tids[f.Proc], ID: k + 1}},
			timed{t.T, chromeEvent{Name: name, Cat: "ipc", Ph: "f", Bp: "e", Ts: us(t.T), Pid: pid, Tid: tids[t.Proc], ID: k + 1}})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].ns < out[b].ns })
	for _, t := range out {
		meta = append(meta, t.ev)
	}
	return meta
}

// micros writes nanoseconds as the format's microseconds, exactly: the
// end of a slice (ts + dur) is then the time of the flow bound to it.
func micros(ns int64) json.Number {
	return json.Number(fmt.Sprintf("%d.%03d", ns/1000, ns%1000))
}

// trackIDs gives each process a tid: its own pid where it has one, and a
// number of its own for programs whose lines the parent wrote (spawn …
// exec, popen), which carry the parent's pid.
func trackIDs(events []Event, procs []string, pid int) map[string]int {
	pidOf := map[string]int{}
	maxPid := pid
	for _, e := range events {
		if _, ok := pidOf[e.Proc]; !ok {
			pidOf[e.Proc] = int(e.Pid)
		}
		maxPid = max(maxPid, int(e.Pid))
	}
	tids := map[string]int{}
	taken := map[int]bool{}
	for _, p := range procs {
		t := pidOf[p]
		if t <= 0 || taken[t] {
			maxPid++
			t = maxPid
		}
		taken[t] = true
		tids[p] = t
	}
	return tids
}

func chromeArgs(e *Event) map[string]any {
	a := map[string]any{"seq": e.Seq}
	add := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	add("pos", e.Pos)
	add("stmt", e.Stmt)
	add("result", e.Result)
	add("text", e.Text)
	add("obj", e.Obj)
	add("ops", e.Ops)
	if e.N != 0 {
		a["n"] = e.N
	}
	return a
}

// processes lists the processes of a run: main first, then the others in
// the order they were spawned (children run in any order: a child's place
// is its spawn, not its first event), or, when the events do not show
// its spawn, where it first appears.
func processes(events []Event) []string {
	var procs []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			procs = append(procs, p)
		}
	}
	for _, e := range events {
		if e.Proc == "main" {
			add("main")
			break
		}
	}
	for _, e := range events {
		add(e.Proc)
		if e.Verb == "spawn" && e.Phase == "begin" && e.objKind() == "proc" {
			add(strings.TrimPrefix(e.Obj, "proc:"))
		}
	}
	return procs
}

// scriptName is the file the run's first positioned event came from.
func scriptName(events []Event) string {
	for _, e := range events {
		if e.Pos != "" {
			file := e.Pos
			for range 2 { // strip ":COL", then ":LINE"
				if k := strings.LastIndexByte(file, ':'); k >= 0 {
					file = file[:k]
				}
			}
			return path.Base(file)
		}
	}
	return "run"
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string(r[:n-1]) + "…"
}

// String makes chromeEvent print readably in test failures.
func (c chromeEvent) String() string {
	return fmt.Sprintf("%s %q ts=%s tid=%d id=%d", c.Ph, c.Name, c.Ts, c.Tid, c.ID)
}
