package timeline

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of a picture. A sequence diagram stops being readable long
// before a run stops producing events; past these, it is summarised
// (and says so): consecutive repeats of one line fold into one row
// with a count, then only the first and last rows are kept.
const (
	// MaxRows is the most rows an SVG or HTML diagram draws.
	MaxRows = 2000
	// MaxMermaidRows is smaller: Mermaid refuses diagrams over 50,000
	// characters by default (its maxTextSize).
	MaxMermaidRows = 400
)

// objKinds are the kernel objects drawn as lifelines, with their names.
var objKinds = map[string]string{"pipe": "pipe", "fifo": "fifo", "msg": "queue", "sem": "sem", "shm": "shm", "file": "file"}

// lane is one lifeline: a process, or a kernel object.
type lane struct {
	key   string // the process name, or the object ("pipe:123")
	label string
	proc  bool
}

// drow is one row of the diagram: an event, the gap of a summary, or
// the end of a run its deadlock stopped.
type drow struct {
	ev    int    // index into the events; -1 for the gap or the stop
	count int    // how many identical consecutive events this row stands for
	gap   int    // on the gap row: how many events are not shown
	stop  int    // on the stop row: how many calls the deadlock left blocked
	why   string // under the stop row: one chain of waits of the deadlock report
}

// bar is an activation bar: a process blocked in a call over these rows.
// An open one never ended: the call was still blocked when the run was
// stopped (it ends on the stop row) or cancelled.
type bar struct {
	lane, from, to int
	open           bool
}

// diagram is what both the SVG and the Mermaid writers draw: lanes,
// rows, and the arrows between rows.
type diagram struct {
	events    []Event
	lanes     []lane
	laneOf    map[string]int // process name or object -> lane
	rows      []drow
	rowOf     map[int]int // event index -> its row (folded repeats share one)
	arrows    []Arrow     // the arrows whose both ends are shown
	sources   map[int][]int
	bars      []bar
	endRow    map[int]int // lane -> the row its process exited at
	objNames  map[string]string
	collapsed int // events folded into the rows of their repeats
	omitted   int // events in the gap
	dropped   int // arrows with an end in the gap
	stopRow   int // the row of a deadlock's stop; the chains of waits follow it
}

func buildDiagram(events []Event, maxRows int) *diagram {
	events = trusted(events)
	arrows := Arrows(events)
	events, names := resolveObjects(events)
	d := &diagram{events: events, laneOf: map[string]int{}, rowOf: map[int]int{}, sources: map[int][]int{}, endRow: map[int]int{}, objNames: names}
	d.makeLanes()
	d.makeRows(maxRows)
	for _, a := range arrows {
		if a.Kind == "spawn" {
			// The spawn's row is drawn as an arrow into the child's
			// lifeline already; citing it on the child's first event would
			// say that the spawn enabled that call, which, for a wait,
			// is not so (issue 18: `sem p s[1] ⟵ #5`, the spawn).
			continue
		}
		from, ok1 := d.rowOf[a.From]
		to, ok2 := d.rowOf[a.To]
		if !ok1 || !ok2 {
			d.dropped++
			continue
		}
		if from == to {
			continue // folded into one row of repeats
		}
		d.arrows = append(d.arrows, a)
		d.sources[to] = appendNew(d.sources[to], from)
	}
	d.makeBars()
	return d
}

// makeLanes orders the lifelines: main, then the kernel objects in the
// order they were first used, then the other processes. Most arrows go
// between a process and an object, and this keeps them short.
func (d *diagram) makeLanes() {
	var objs, others []lane
	seenObj := map[string]bool{}
	labels := map[string]int{}
	var main []lane
	for _, p := range processes(d.events) {
		l := lane{key: p, label: p, proc: true}
		if p == "main" {
			main = append(main, l)
		} else {
			others = append(others, l)
		}
	}
	for i := range d.events {
		e := &d.events[i]
		kind, ok := objKinds[e.objKind()]
		if !ok || seenObj[e.Obj] {
			continue
		}
		seenObj[e.Obj] = true
		name := e.handle()
		if n, ok := d.objNames[e.Obj]; ok {
			name = n
		}
		if kind == "pipe" {
			name = strings.TrimSuffix(strings.TrimSuffix(name, ".r"), ".w")
		}
		label := kind + " " + name
		labels[label]++
		if n := labels[label]; n > 1 {
			label += " #" + strconv.Itoa(n)
		}
		objs = append(objs, lane{key: e.Obj, label: label})
	}
	d.lanes = append(append(main, objs...), others...)
	for k, l := range d.lanes {
		d.laneOf[l.key] = k
	}
}

// sameLine says whether two events would draw the same row.
func sameLine(a, b *Event) bool {
	return a.Proc == b.Proc && a.Kind == b.Kind && a.Pos == b.Pos && a.Stmt == b.Stmt &&
		a.Result == b.Result && a.Text == b.Text && a.Verb == b.Verb && a.Phase == b.Phase
}

func (d *diagram) makeRows(maxRows int) {
	var rows []drow
	fold := len(d.events) > maxRows
	for _, i := range d.order() {
		if fold && len(rows) > 0 {
			last := &rows[len(rows)-1]
			if sameLine(&d.events[last.ev], &d.events[i]) {
				last.count++
				d.collapsed++
				continue
			}
		}
		rows = append(rows, drow{ev: i, count: 1})
	}
	if len(rows) > maxRows {
		head, tail := maxRows/2, maxRows-maxRows/2
		gap := drow{ev: -1}
		for _, r := range rows[head : len(rows)-tail] {
			gap.gap += r.count
		}
		d.omitted = gap.gap
		rows = append(append(rows[:head:head], gap), rows[len(rows)-tail:]...)
	}
	stopped, why := 0, ""
	for i := range d.events {
		if d.events[i].deadlocked() {
			stopped++
			if why == "" {
				why = d.events[i].Text // the report's chains of waits
			}
		}
	}
	if stopped > 0 {
		rows = append(rows, drow{ev: -1, stop: stopped})
		d.stopRow = len(rows) - 1
		// One step of each chain a row, so that no line runs off the
		// picture: "why: a waits for X", "← only b posts X", ...
		for _, l := range strings.Split(why, "\n") {
			if l == "" {
				continue
			}
			for k, part := range strings.Split(l, " ← ") {
				if k == 0 {
					part = "why: " + part
				} else {
					part = "   ← " + part
				}
				rows = append(rows, drow{ev: -1, why: part})
			}
		}
	}
	d.rows = rows
	for r, row := range rows {
		if row.ev < 0 {
			continue
		}
		for k := 0; k < row.count; k++ { // a folded row stands for consecutive events
			d.rowOf[row.ev+k] = r
		}
	}
	// A process's lifeline ends at its exit.
	for r, row := range rows {
		if row.ev >= 0 && d.events[row.ev].Verb == "exit" && d.events[row.ev].Obj == "proc:"+d.events[row.ev].Proc {
			d.endRow[d.laneOf[d.events[row.ev].Proc]] = r
		}
	}
}

// order is the events in the order of their rows: the stream's, except
// that a call that never returned is drawn where it began (its event was
// written only when the run gave up on it), after the last event that
// happened before it began.
func (d *diagram) order() []int {
	var order, late []int
	for i := range d.events {
		if d.events[i].unfinished() && d.events[i].Start > 0 {
			late = append(late, i)
			continue
		}
		order = append(order, i)
	}
	// when an event's row stands for: its time, or when a call that
	// never returned began.
	when := func(i int) int64 {
		if e := &d.events[i]; e.unfinished() && e.Start > 0 {
			return e.Start
		}
		return d.events[i].T
	}
	for _, u := range late {
		at := len(order)
		for at > 0 && when(order[at-1]) > when(u) {
			at--
		}
		order = append(order[:at], append([]int{u}, order[at:]...)...)
	}
	return order
}

// makeBars finds, for each call that blocked, the row it began at: the
// first row after the last event that happened before it began. A call
// that never returned began at its own row and is blocked to the end: to
// the stop row of a deadlock, or to the last row before it was cancelled.
func (d *diagram) makeBars() {
	for r, row := range d.rows {
		if row.ev < 0 {
			continue
		}
		e := &d.events[row.ev]
		if e.unfinished() {
			to := len(d.rows) - 1
			if e.deadlocked() {
				to = d.stopRow
			} else {
				for to > r && (d.rows[to].ev < 0 || d.events[d.rows[to].ev].T > e.T) {
					to--
				}
			}
			d.bars = append(d.bars, bar{lane: d.laneOf[e.Proc], from: r, to: to, open: true})
			continue
		}
		if !e.blocked() {
			continue
		}
		from := r
		for from > 0 && d.rows[from-1].ev >= 0 && d.events[d.rows[from-1].ev].T > e.Start {
			from--
		}
		d.bars = append(d.bars, bar{lane: d.laneOf[e.Proc], from: from, to: r})
	}
}

// A step is what one row draws.
type step struct {
	kind     string // "arrow", "note", "exit", "gap", "blocked", "stop", "why"
	from, to int    // lanes; for a note or an exit, both are its process
	dashed   bool   // a consume: the call took from the object
	label    string
	failed   bool
}

// step describes row r.
func (d *diagram) step(r int) step {
	row := d.rows[r]
	if row.stop > 0 {
		return step{kind: "stop", failed: true, label: fmt.Sprintf("deadlock: %s blocked for good; ipcsh stopped the run",
			plural(int64(row.stop), "call"))}
	}
	if row.why != "" {
		return step{kind: "why", failed: true, label: row.why}
	}
	if row.ev < 0 {
		return step{kind: "gap", label: fmt.Sprintf("… %s not shown …", plural(int64(row.gap), "event"))}
	}
	e := &d.events[row.ev]
	p := d.laneOf[e.Proc]
	s := step{kind: "note", from: p, to: p, label: e.text(), failed: e.failed()}
	if e.isPrint() {
		s.label = "print: " + e.text()
	}
	if e.unfinished() {
		s.kind, s.failed = "blocked", true
		return s
	}
	if row.count > 1 {
		s.label += fmt.Sprintf("  ×%d", row.count)
	}
	if src := d.sources[r]; len(src) > 0 {
		refs := make([]string, len(src))
		for k, sr := range src {
			refs[k] = "#" + strconv.Itoa(d.events[d.rows[sr].ev].Seq)
		}
		s.label += "  ⟵ " + strings.Join(refs, ",")
	}
	if e.isPrint() {
		return s
	}
	target := strings.TrimPrefix(e.Obj, "proc:")
	switch {
	case e.Verb == "exit" && target == e.Proc:
		s.kind = "exit"
	case e.Verb == "spawn" && e.objKind() == "proc" && d.hasLane(target):
		s.kind, s.to = "arrow", d.laneOf[target]
	case (e.Verb == "wait" || e.Verb == "pclose") && d.hasLane(d.waited(e)):
		s.kind, s.from, s.dashed = "arrow", d.laneOf[d.waited(e)], true
	case d.hasLane(e.Obj) && e.objKind() != "proc":
		s.kind = "arrow"
		if consumes(e) {
			s.from, s.dashed = d.laneOf[e.Obj], true
		} else {
			s.to = d.laneOf[e.Obj] // a publish, or a call on the object (pipe, seek, msgctl)
		}
	}
	return s
}

// consumes says whether a call took something from its object: it is
// drawn as an arrow from the object to the process.
func consumes(e *Event) bool {
	if e.Phase != "end" {
		return false
	}
	switch e.Verb {
	case "read", "recv", "sem p", "sem z", "sem op":
		return true
	case "open":
		return hasWord(e.Stmt, "read") // a FIFO's read end waits for a writer
	}
	return false
}

// waited is the process a wait or pclose reaped.
func (d *diagram) waited(e *Event) string {
	if e.objKind() == "proc" {
		return strings.TrimPrefix(e.Obj, "proc:")
	}
	return e.handle()
}

func (d *diagram) hasLane(key string) bool {
	_, ok := d.laneOf[key]
	return ok && key != ""
}

// summary says, in words, what a summarised picture leaves out; "" when
// it shows every event.
func (d *diagram) summary() string {
	if d.collapsed == 0 && d.omitted == 0 {
		return ""
	}
	var parts []string
	if d.collapsed > 0 {
		parts = append(parts, fmt.Sprintf("%s folded into their repeats (×N)", plural(int64(d.collapsed), "event")))
	}
	if d.omitted > 0 {
		parts = append(parts, fmt.Sprintf("%s in the middle not shown", plural(int64(d.omitted), "event")))
	}
	if d.dropped > 0 {
		parts = append(parts, fmt.Sprintf("%s with them", plural(int64(d.dropped), "arrow")))
	}
	return fmt.Sprintf("Summarised: %s; %s. --trace FILE.json keeps every event.",
		plural(int64(len(d.events)), "event"), strings.Join(parts, ", "))
}

// title names the picture.
func (d *diagram) title() string {
	return fmt.Sprintf("ipcsh %s: %s, %s", scriptName(d.events),
		plural(int64(len(d.events)), "event"), plural(int64(len(processes(d.events))), "process"))
}

func appendNew(s []int, x int) []int {
	for _, v := range s {
		if v == x {
			return s
		}
	}
	return append(s, x)
}
