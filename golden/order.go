package golden

import (
	"fmt"
	"slices"
	"strings"

	"ipcsh/timeline"
)

// The second half of "the same transcript" (LANGUAGE.md §4): besides each
// process's lines in their order, every pair of lines that synchronisation
// relates keeps its order. Which pairs a run related only the run knows:
// its trace, paired as the timeline draws its arrows (timeline.Arrows:
// the write whose bytes a read got, the sem v that let a sem p through,
// a spawn and the child's first line, a child's exit and the wait that
// reaped it, ...). An expected transcript that puts the consume of such a
// pair before its publish describes a run that cannot happen, however
// right each process's own lines are.

// relation is one pair of transcript lines the run's synchronisation
// related: from published what to consumed.
type relation struct {
	fromProc, toProc string
	from, to         int // indexes among their process's lines
	fromEv, toEv     *timeline.Event
	kind, label      string
}

// relations lists the pairs of lines of different processes that the
// traced run related, each once, in the order of the trace.
func (t *Trace) relations() []relation {
	if t == nil {
		return nil
	}
	var rels []relation
	seen := map[[2]int]bool{}
	arrows := timeline.Arrows(t.events)
	forced := t.forcedObjects(arrows)
	for _, a := range arrows {
		f, to := &t.events[a.From], &t.events[a.To]
		if !forcedKinds[a.Kind] && !(dataKinds[a.Kind] && forced[f.Obj]) {
			continue
		}
		if f.Proc == to.Proc || t.line[a.From] < 0 || t.line[a.To] < 0 {
			// Within one process its own order says it; a call that
			// never returned has no line.
			continue
		}
		if seen[[2]int{a.From, a.To}] {
			continue // a read that took a write's bytes in two chunks
		}
		seen[[2]int{a.From, a.To}] = true
		rels = append(rels, relation{
			fromProc: f.Proc, toProc: to.Proc,
			from: t.line[a.From], to: t.line[a.To],
			fromEv: f, toEv: to, kind: a.Kind, label: a.Label,
		})
	}
	return rels
}

// A golden file comes from another run, which may have paired its lines
// otherwise: a pair this run related must be related in every run whose
// processes print the same lines, or a right golden file would fail. That
// holds for a spawn and its child's first line and for a child's exit and
// the wait that reaped it (forcedKinds), and for bytes and messages that
// only one process sends and only one process takes (forcedObjects): the
// lines say how many bytes or messages each took, and their order is the
// object's. With two writers, the same lines can come from either; a
// semaphore's unit, an end of file, a signal may come from one raise or
// another: those pairs are not checked.
var (
	forcedKinds = map[string]bool{"spawn": true, "exit": true}
	dataKinds   = map[string]bool{"pipe": true, "fifo": true, "msg": true}
)

// forcedObjects lists the pipes, FIFOs and queues with one publishing and
// one consuming process in the run.
func (t *Trace) forcedObjects(arrows []timeline.Arrow) map[string]bool {
	pubs, cons := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, a := range arrows {
		if !dataKinds[a.Kind] {
			continue
		}
		obj := t.events[a.From].Obj
		if pubs[obj] == nil {
			pubs[obj], cons[obj] = map[string]bool{}, map[string]bool{}
		}
		pubs[obj][t.events[a.From].Proc] = true
		cons[obj][t.events[a.To].Proc] = true
	}
	forced := map[string]bool{}
	for obj := range pubs {
		if len(pubs[obj]) == 1 && len(cons[obj]) == 1 {
			forced[obj] = true
		}
	}
	return forced
}

// maxOrderShown bounds the pairs an order diff spells out.
const maxOrderShown = 5

// OrderDiff explains where want orders a pair of lines against the
// synchronisation that got's run (traced in tr) showed between them; ""
// when it orders every such pair as the run did. A pair is checked only
// when both its processes have the same lines in want as in got: where
// they differ, Diff already says so, and the lines would not correspond.
// wantLabel names want's side in the message: a golden file's path, whose
// lines are then named "PATH:N", or a run ("run 2", "run 2 line N").
func OrderDiff(want, got Result, tr *Trace, wantLabel string) string {
	rels := tr.relations()
	if len(rels) == 0 {
		return ""
	}
	_, wl := perProcess(want.Stdout)
	_, gl := perProcess(got.Stdout)
	// Where each process's lines stand in want, from 1, as an editor
	// numbers the lines of a golden file (the transcript opens it).
	at := map[string][]int{}
	for i, l := range splitLines(want.Stdout) {
		p := procOf(l)
		at[p] = append(at[p], i+1)
	}
	lineName := func(n int) string {
		if strings.HasSuffix(wantLabel, ".golden") {
			return fmt.Sprintf("%s:%d", wantLabel, n)
		}
		return fmt.Sprintf("%s line %d", wantLabel, n)
	}
	var b strings.Builder
	bad := 0
	for _, r := range rels {
		if !slices.Equal(wl[r.fromProc], gl[r.fromProc]) || !slices.Equal(wl[r.toProc], gl[r.toProc]) {
			continue
		}
		if r.from >= len(gl[r.fromProc]) || r.to >= len(gl[r.toProc]) ||
			!lineOf(gl[r.fromProc][r.from], r.fromEv) || !lineOf(gl[r.toProc][r.to], r.toEv) {
			continue // the trace does not describe these lines (a run with -q)
		}
		fromAt, toAt := at[r.fromProc][r.from], at[r.toProc][r.to]
		if fromAt < toAt {
			continue
		}
		bad++
		if bad > maxOrderShown {
			continue
		}
		fmt.Fprintf(&b, "order of related lines: %s has\n  %s %s%s\nbefore\n  %s %s%s\nbut in the run %s, so the line of the %s comes first in every run\n",
			wantLabel, lineName(toAt), wl[r.toProc][r.to], scriptAt(tr.Where(r.toProc, r.to)),
			lineName(fromAt), wl[r.fromProc][r.from], scriptAt(tr.Where(r.fromProc, r.from)), why(r), r.fromEv.Verb)
	}
	if bad > maxOrderShown {
		fmt.Fprintf(&b, "(%d more pairs of related lines out of order not shown)\n", bad-maxOrderShown)
	}
	return b.String()
}

// scriptAt shows a script position after a line, when there is one.
func scriptAt(where string) string {
	if where == "" {
		return ""
	}
	return "  (" + where + ")"
}

// why says how the run related the pair, in the words of §4.
func why(r relation) string {
	f, t := r.fromEv.Verb, r.toEv.Verb
	switch r.kind {
	case "pipe", "fifo":
		return fmt.Sprintf("the %s of %s got %s from the %s of %s", t, r.toProc, r.label, f, r.fromProc)
	case "eof":
		return fmt.Sprintf("the %s of %s saw end of file after the %s of %s", t, r.toProc, f, r.fromProc)
	case "open":
		return fmt.Sprintf("the %s of %s met the %s for writing of %s", t, r.toProc, f, r.fromProc)
	case "msg":
		return fmt.Sprintf("the %s of %s took the message (%s) of the %s of %s", t, r.toProc, r.label, f, r.fromProc)
	case "sem":
		return fmt.Sprintf("the %s of %s went through on the value the %s of %s added", t, r.toProc, f, r.fromProc)
	case "zero":
		return fmt.Sprintf("the %s of %s went on after the %s of %s took the semaphore to zero", t, r.toProc, f, r.fromProc)
	case "spawn":
		return fmt.Sprintf("%s is the child the spawn of %s started, and that is its first line", r.toProc, r.fromProc)
	case "exit":
		return fmt.Sprintf("the %s of %s reaped the exit of %s", t, r.toProc, r.fromProc)
	case "signal":
		return fmt.Sprintf("%s took the signal the %s of %s sent", r.toProc, f, r.fromProc)
	}
	return fmt.Sprintf("the %s of %s took what the %s of %s published (%s)", t, r.toProc, f, r.fromProc, r.kind)
}

// lineOf reports whether a transcript line can be the (first) line of e:
// a guard against a trace that does not describe the transcript line by
// line. The printer shows the run's tmp directory as $TMP, which the
// trace does not, so such a line is taken on trust.
func lineOf(line string, e *timeline.Event) bool {
	m := procPrefix().FindStringSubmatch(line)
	if m == nil || m[1] != e.Proc {
		return false
	}
	text := line[len(m[0]):]
	var want string
	switch e.Kind {
	case "print":
		want, _, _ = strings.Cut(e.Text, "\n")
	default:
		want = e.Stmt
		if e.Result != "" {
			want += " -> " + e.Result
		}
	}
	return text == want || strings.Contains(text, "$TMP")
}

// sameRuns reports whether two runs printed the same transcript: the same
// lines per process (Same), and each run's related pairs in the same order
// in the other.
func sameRuns(a, b run) bool {
	return Same(a.Result, b.Result) && OrderDiff(a.Result, b.Result, b.trace, "") == "" && OrderDiff(b.Result, a.Result, a.trace, "") == ""
}
