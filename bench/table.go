package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// A unit turns a cost per iteration (ns) into the figure the table shows.
type unit struct {
	name   string
	fromNs func(ns float64) float64
}

var (
	micros = unit{"µs", func(ns float64) float64 { return ns / 1e3 }}
	millis = unit{"ms", func(ns float64) float64 { return ns / 1e6 }}
	nanos  = unit{"ns", func(ns float64) float64 { return ns }}
	// An iteration of the bulk scenario moves one 64 KiB block.
	gibps = unit{"GiB/s", func(ns float64) float64 { return 65536 / (ns / 1e9) / (1 << 30) }}
	// The parse figure arrives as lines/s already.
	linesps = unit{"lines/s", func(v float64) float64 { return v }}
)

// columns of contestants, in table order.
const (
	colC = iota
	colPerl
	colPython
	colIpcsh
	nCols
)

var colNames = [nCols]string{"C", "Perl", "Python", "ipcsh"}

// value is one cell: a figure, or the text that stands in for it.
type value struct {
	v       float64 // in the row's unit
	ok      bool
	text    string // when !ok: "—" (not applicable), "n/a (...)", "error"
	pending bool   // ipcsh has not implemented this scenario's statements yet
}

type row struct {
	scenario string
	unit     unit
	pinned   bool
	v        [nCols]value
	target   string
	met      string
}

type table struct{ rows []row }

// cell turns a measurement into a value in unit u.
func cell(m *measurement, u unit, s statistic) value {
	switch {
	case m == nil:
		return value{text: "—"}
	case m.err == errNotYet:
		return value{text: "n/a (not available yet)", pending: true}
	case m.err != nil && strings.HasPrefix(m.err.Error(), "n/a"):
		return value{text: m.err.Error()}
	case m.err != nil:
		return value{text: "error"}
	case m.cost(s) <= 0:
		// T(2N) ≤ T(N): the machine was too noisy to see the work.
		return value{text: "noise"}
	}
	return value{v: u.fromNs(m.cost(s)), ok: true}
}

// ratio is ipcsh's figure over column c's: for times lower is better, for
// bandwidth higher is.
func (r row) ratio(c int) (float64, bool) {
	a, b := r.v[colIpcsh], r.v[c]
	if !a.ok || !b.ok || b.v == 0 {
		return 0, false
	}
	return a.v / b.v, true
}

// beats says whether ipcsh's figure is below (times) every listed peer
// that was measured.
func (r row) beats(cols ...int) bool {
	for _, c := range cols {
		if r.v[c].ok && r.v[colIpcsh].v >= r.v[c].v {
			return false
		}
	}
	return true
}

// verdict is the met? column: pending while ipcsh lacks the statements,
// "—" when there is nothing to judge.
func (r row) verdict(ok func() bool) string {
	if r.v[colIpcsh].pending {
		return "pending"
	}
	if !r.v[colIpcsh].ok {
		return "—"
	}
	if ok() {
		return "yes"
	}
	return "no"
}

// buildTable turns the measurements into the rows of the table, each
// with its target from issue 7.
func buildTable(res map[string]map[string]*measurement, first firstEvent, parse parseFigure, s statistic) table {
	var t table
	add := func(scenario, group string, u unit, pinned bool, who [nCols]string) *row {
		r := row{scenario: scenario, unit: u, pinned: pinned}
		for c, w := range who {
			if w == "" {
				r.v[c] = value{text: "—"}
				continue
			}
			g, ran := res[group]
			if !ran {
				r.v[c] = value{text: "not run"}
				continue
			}
			r.v[c] = cell(g[w], u, s)
		}
		t.rows = append(t.rows, r)
		return &t.rows[len(t.rows)-1]
	}
	cOnly := [nCols]string{colC: "C", colIpcsh: "ipcsh"}
	all := [nCols]string{"C", "Perl", "Python", "ipcsh"}
	withinC := func(r *row) {
		r.target = "≤ 1.3× C"
		r.met = r.verdict(func() bool { x, ok := r.ratio(colC); return ok && x <= 1.3 })
	}
	withinCAndPeers := func(r *row) {
		r.target = "≤ 1.3× C, < Perl, < Python"
		r.met = r.verdict(func() bool { x, ok := r.ratio(colC); return ok && x <= 1.3 && r.beats(colPerl, colPython) })
	}

	withinC(add("pipe ping-pong, 1 B, quiet", "pipe", micros, true, cOnly))
	quiet := t.rows[len(t.rows)-1]
	loud := add("pipe ping-pong, transcript on", "pipe", micros, true, [nCols]string{colC: "C", colIpcsh: "ipcsh loud"})
	loud.target, loud.met = "none (cost of the transcript)", "—"
	if quiet.v[colIpcsh].ok && loud.v[colIpcsh].ok {
		loud.target = fmt.Sprintf("none: %.2f× quiet", loud.v[colIpcsh].v/quiet.v[colIpcsh].v)
	}
	withinC(add("FIFO ping-pong, 1 B", "fifo", micros, true, cOnly))
	withinCAndPeers(add("SysV msg ping-pong, 2 types", "msg", micros, true, all))
	withinCAndPeers(add("SysV sem ping-pong, 2 sems", "sem", micros, true, all))
	self := add("sem v + sem p in one process, never waiting", "semself", micros, true, [nCols]string{colC: "C", colPython: "Python", colIpcsh: "ipcsh"})
	self.target, self.met = "reference", "—"
	goSelf := add("  the same (C column: Go, P through syscall.Syscall)", "semself", micros, true, [nCols]string{colC: "Go", colIpcsh: "ipcsh"})
	goSelf.target, goSelf.met = "reference", "—"
	goRaw := add("  the same (C column: Go, both through RawSyscall)", "semself", micros, true, [nCols]string{colC: "Go raw", colIpcsh: "ipcsh"})
	goRaw.target, goRaw.met = "reference", "—"
	withinC(add("POSIX mq ping-pong, 2 queues", "pmq", micros, true, cOnly))
	withinC(add("POSIX sem ping-pong, 2 named sems", "psem", micros, true, cOnly))
	withinC(add("4 KiB shm slot + sem hand-off", "shm", micros, true, cOnly))

	bulk := add("bulk pipe, 64 KiB writes", "bulk", gibps, true, cOnly)
	bulk.target = "≥ 0.9× C"
	bulk.met = bulk.verdict(func() bool { x, ok := bulk.ratio(colC); return ok && x >= 0.9 })

	lat := row{scenario: "spawn, to its first event (C: fork+exec)", unit: millis, pinned: true, target: "≤ 0.5 ms, ≤ C"}
	for c := range lat.v {
		lat.v[c] = value{text: "—"}
	}
	lat.v[colC], lat.v[colIpcsh] = first.c, first.ipcsh
	lat.met = lat.verdict(func() bool { x, ok := lat.ratio(colC); return ok && x <= 1 && lat.v[colIpcsh].v <= 0.5 })
	t.rows = append(t.rows, lat)
	spawn := add("spawn+wait cycle (C: fork+exec+wait)", "spawn", millis, true, cOnly)
	spawn.target = "≤ 1.5× C"
	spawn.met = spawn.verdict(func() bool { x, ok := spawn.ratio(colC); return ok && x <= 1.5 })
	fork := add("spawn+wait cycle (C: fork+wait)", "spawn", millis, true, [nCols]string{colC: "C fork", colIpcsh: "ipcsh"})
	fork.target, fork.met = "reference", "—"

	family := add("spawn w[i] × 64, wait w (C: fork+exec 64, reap)", "family", millis, false, cOnly)
	family.target = "≤ 2× C"
	family.met = family.verdict(func() bool { x, ok := family.ratio(colC); return ok && x <= 2 })

	start := add("start-up: -c 'print 1' / -e 1 / -c pass", "startup", millis, false, all)
	start.target = "≤ perl -e 1"
	start.met = start.verdict(func() bool { x, ok := start.ratio(colPerl); return ok && x <= 1 })
	// The Go hello world sits in the C column of a row of its own.
	goStart := add("start-up (C column: a Go hello world)", "startup", millis, false, [nCols]string{colC: "Go", colIpcsh: "ipcsh"})
	goStart.target = "≤ 1.3× Go hello"
	goStart.met = goStart.verdict(func() bool { x, ok := goStart.ratio(colC); return ok && x <= 1.3 })

	loop := add("quiet repeat N { x += 1 }", "loop", nanos, false, [nCols]string{colPerl: "Perl", colPython: "Python", colIpcsh: "ipcsh"})
	loop.target = "≤ 20 ns, < Perl, < Python"
	loop.met = loop.verdict(func() bool { return loop.v[colIpcsh].v <= 20 && loop.beats(colPerl, colPython) })

	p := row{scenario: "parse a 10,000-line script", unit: linesps, target: "≥ 100,000"}
	for c := range p.v {
		p.v[c] = value{text: "—"}
	}
	if parse.err != nil {
		p.v[colIpcsh] = value{text: firstLine(parse.err.Error())}
	} else {
		p.v[colIpcsh] = value{v: parse.linesPerSec, ok: true}
	}
	p.met = p.verdict(func() bool { return p.v[colIpcsh].v >= 100000 })
	t.rows = append(t.rows, p)
	return t
}

// print writes the table as Markdown, so it pastes into BENCHMARKS.md.
func (t table) print(w io.Writer) {
	fmt.Fprintln(w, "| scenario | unit | pin | C | Perl | Python | ipcsh | ipcsh/C | ipcsh/Perl | ipcsh/Python | target | met? |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
	for _, r := range t.rows {
		cells := []string{r.scenario, r.unit.name, ""}
		if r.pinned {
			cells[2] = "cpu0"
		}
		for _, v := range r.v {
			if v.ok {
				cells = append(cells, number(v.v))
			} else {
				cells = append(cells, v.text)
			}
		}
		for _, c := range []int{colC, colPerl, colPython} {
			if x, ok := r.ratio(c); ok {
				cells = append(cells, fmt.Sprintf("%.2f×", x))
			} else {
				cells = append(cells, "")
			}
		}
		cells = append(cells, r.target, r.met)
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios are ipcsh's figure over the other's: below 1 is faster for times (µs, ms, ns), above 1 is faster for GiB/s and lines/s.")
}

// number prints three significant digits or so, and large figures whole
// with thousands separators.
func number(v float64) string {
	switch a := math.Abs(v); {
	case a >= 10000:
		s := fmt.Sprintf("%.0f", v)
		var b strings.Builder
		for i, ch := range s {
			if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
				b.WriteByte(',')
			}
			b.WriteRune(ch)
		}
		return b.String()
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
