package timeline

import (
	"fmt"
	"strconv"
	"strings"
)

// SwimlaneRows is how many of the last events Swimlane shows.
const SwimlaneRows = 40

// Swimlane draws the last events (at most SwimlaneRows) as text, one
// column per process, for a terminal width columns wide: each event in
// its process's column, and on the line of each consume an arrow from
// the column of the process whose publish enabled it:
//
//	seq main                            child
//	  4 spawn child                     │
//	  5 └──────────────────────────────▶close p.r
//	  6 │                               write p.w "hello, "
//	  8 │                               sem v s[0]
//	  9 sem p s[0]◀─────────────────────┘
//	 10 read p.r 4 -> "hell"◀───────────┘
//
// └ and ┘ mark the column the arrow comes from, with the sequence number
// of its publish beside them (higher up in that column); the arrowhead
// points at the event it enabled: the read that got the bytes, the recv
// that got the message, the child's first event after a spawn when
// nothing else enabled it. A call that never returned (cancelled with
// Ctrl-C) is shown as such. The
// arrows are found over all the events given, so a consume shown can
// point back to a publish older than the rows shown; one in a process
// with no column here is named after the text instead: "⟵ NAME#SEQ".
func Swimlane(events []Event, width int) string {
	if len(events) == 0 {
		return "(no events)\n"
	}
	if width <= 0 {
		width = 80
	}
	first := max(0, len(events)-SwimlaneRows)
	shown := events[first:]
	procs := processes(shown)
	col := map[string]int{}
	for k, p := range procs {
		col[p] = k
	}
	seqW := len(fmt.Sprint(shown[len(shown)-1].Seq))
	gut := max(seqW, 3) + 1
	colW := max(12, (width-gut)/len(procs))
	sources := map[int][]int{}
	spawned := map[int]int{} // a child's first event -> its spawn
	for _, a := range Arrows(events) {
		switch {
		case a.To < first:
		case a.Kind == "spawn":
			spawned[a.To] = a.From
		default:
			sources[a.To] = append(sources[a.To], a.From)
		}
	}
	// A child's first event comes from its spawn only when nothing else
	// enabled it: a recv or a sem p that was the first thing a child did
	// points at the send or the sem v that let it through.
	for to, from := range spawned {
		if len(sources[to]) == 0 {
			sources[to] = []int{from}
		}
	}

	var b strings.Builder
	if first > 0 {
		fmt.Fprintf(&b, "(%s not shown)\n", plural(int64(first), "earlier event"))
	}
	head := newLine(gut, colW, len(procs), false)
	head.put(0, fmt.Sprintf("%*s", gut-1, "seq"))
	for k, p := range procs {
		head.put(gut+k*colW, clip(p, colW-1))
	}
	b.WriteString(head.String())
	for i := first; i < len(events); i++ {
		e := &events[i]
		t := col[e.Proc]
		l := newLine(gut, colW, len(procs), true)
		l.put(0, fmt.Sprintf("%*d", gut-1, e.Seq))
		text := e.text()
		if e.isPrint() {
			text = "» " + text
		}
		// Arrows in from the left end at the column's start; from the
		// right, they need a place for the arrowhead after the text.
		left, right := -1, -1
		var far []string
		for _, s := range sources[i] {
			sp := events[s].Proc
			c, ok := col[sp]
			switch {
			case !ok || s < first:
				far = append(far, fmt.Sprintf("%s#%d", sp, events[s].Seq))
			case c < t:
				if left < 0 || c < left {
					left = c
				}
			case c > t:
				right = max(right, c)
			}
		}
		if len(far) > 0 {
			text += "  ⟵ " + strings.Join(far, ",")
		}
		room := colW - 1
		if right >= 0 {
			room--
		}
		start := gut + t*colW
		n := l.put(start, clip(text, room))
		// An arrow names the row it comes from, "#SEQ", beside its corner.
		seqOf := func(c int) string {
			var refs []string
			for _, s := range sources[i] {
				if s >= first && col[events[s].Proc] == c {
					refs = append(refs, "#"+strconv.Itoa(events[s].Seq))
				}
			}
			return strings.Join(refs, ",")
		}
		if right >= 0 {
			x0, x1 := start+n, gut+right*colW
			l.line(x0, x1, '◀', '┘')
			if ref := seqOf(right); x1-x0 > len(ref) {
				l.put(x1-len(ref), ref)
			}
		}
		if left >= 0 {
			x0, x1 := gut+left*colW, start-1
			l.line(x0, x1, '└', '▶')
			if ref := seqOf(left); x1-x0 > len(ref) {
				l.put(x0+1, ref)
			}
		}
		// A second source on one side is passed by the line: mark it.
		for _, s := range sources[i] {
			if c, ok := col[events[s].Proc]; ok && s >= first && c != left && c != right && c != t {
				l.r[gut+c*colW] = '┴'
			}
		}
		b.WriteString(l.String())
	}
	return b.String()
}

// swimLine is one line of the swimlane being drawn, as runes.
type swimLine struct{ r []rune }

// newLine is a blank line; with lanes, each column starts with its
// lifeline.
func newLine(gut, colW, n int, lanes bool) *swimLine {
	l := &swimLine{r: []rune(strings.Repeat(" ", gut+n*colW))}
	if lanes {
		for k := 0; k < n; k++ {
			l.r[gut+k*colW] = '│'
		}
	}
	return l
}

// put writes s from column x and returns how many runes it took.
func (l *swimLine) put(x int, s string) int {
	n := 0
	for _, c := range s {
		if x+n >= len(l.r) {
			break
		}
		l.r[x+n] = c
		n++
	}
	return n
}

// line draws from x0 to x1 (inclusive): the ends, and ─ between; a
// lifeline it crosses becomes ┼.
func (l *swimLine) line(x0, x1 int, a, z rune) {
	if x1 <= x0 {
		return
	}
	for x := x0 + 1; x < x1; x++ {
		if l.r[x] == '│' {
			l.r[x] = '┼'
		} else {
			l.r[x] = '─'
		}
	}
	l.r[x0], l.r[x1] = a, z
}

func (l *swimLine) String() string { return strings.TrimRight(string(l.r), " ") + "\n" }
