package timeline

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ProcessColors are the header colours of process lifelines, in the
// order processes get them (main first, then in order of appearance).
// Objects get a light grey header, never one of these, so a picture of
// the run shows one band of these colours per process.
var ProcessColors = []string{"#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1",
	"#9c755f", "#499894", "#d37295", "#79706e", "#b6992d"}

// Layout of the picture, in pixels.
const (
	laneW    = 190 // one lifeline's column
	gutter   = 60  // the row numbers on the left
	rowH     = 24
	headH    = 30
	headTop  = 34  // below the title
	charW    = 6.7 // an 11px monospace character
	objColor = "#eeeeee"
)

// WriteSVG draws the run as a sequence diagram, a self-contained SVG.
func WriteSVG(w io.Writer, events []Event) error {
	bw := bufio.NewWriter(w)
	buildDiagram(events, MaxRows).svg(bw)
	return bw.Flush()
}

// WriteHTML writes a page with the SVG of WriteSVG inline and a legend.
// Nothing in it is fetched: no script, no style sheet, no font.
func WriteHTML(w io.Writer, events []Event) error {
	d := buildDiagram(events, MaxRows)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>%s</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 12px 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 8px 0; }
h2 { font-size: 15px; margin: 20px 0 6px 0; }
p.summary { color: #b00020; font-weight: bold; }
table.legend td { padding: 3px 10px 3px 0; vertical-align: middle; }
</style>
</head>
<body>
`, esc(d.title()))
	d.svg(bw)
	if s := d.summary(); s != "" {
		fmt.Fprintf(bw, "<p class=\"summary\">%s</p>\n", esc(s))
	}
	bw.WriteString(legend)
	bw.WriteString("</body>\n</html>\n")
	return bw.Flush()
}

// legend explains the marks, each next to a small drawing of it.
const legend = `<h2>How to read it</h2>
<table class="legend">
<tr><td><svg width="90" height="20"><line x1="5" y1="10" x2="78" y2="10" stroke="#4e79a7" stroke-width="1.6"/><polygon points="85,10 76,6 76,14" fill="#4e79a7"/></svg></td>
<td>A publish: the process gives to a kernel object (write, send, sem v, close) or starts a child (spawn). Its line is printed before the call.</td></tr>
<tr><td><svg width="90" height="20"><line x1="5" y1="10" x2="78" y2="10" stroke="#e15759" stroke-width="1.6" stroke-dasharray="5,3"/><polygon points="85,10 76,6 76,14" fill="#e15759"/></svg></td>
<td>A consume: the call took from the object (read, recv, sem p) or reaped a child (wait). <code>⟵ #8,#9</code> names the rows whose publish it took.</td></tr>
<tr><td><svg width="90" height="20"><rect x="40" y="1" width="10" height="18" fill="#4e79a7" fill-opacity="0.35" stroke="#4e79a7"/></svg></td>
<td>An activation bar: the process was blocked in that call, from when it began until it returned.</td></tr>
<tr><td><svg width="90" height="20"><rect x="40" y="1" width="10" height="14" fill="#e15759" fill-opacity="0.35"/><path d="M40,15 V1 H50 V15" fill="none" stroke="#e15759" stroke-width="1.4"/><polygon points="37,15 53,15 45,20" fill="#e15759"/></svg></td>
<td>A call that never returned: blocked until the run was stopped, or cancelled (Ctrl-C). A red band across the end marks a deadlock: every process was blocked and ipcsh stopped the run.</td></tr>
<tr><td><svg width="90" height="20"><rect x="5" y="2" width="80" height="16" rx="3" fill="#fff8dc" stroke="#c8b560"/></svg></td>
<td>A call that involves no other party and no object with a lifeline (mmap, sleep...); blue-grey for a print.</td></tr>
<tr><td><svg width="90" height="20"><path d="M39,4 L51,16 M51,4 L39,16" stroke="#4e79a7" stroke-width="2.5"/></svg></td>
<td>The process exits. Its wait comes later, from the parent.</td></tr>
<tr><td></td><td>Coloured headers are processes; grey rounded ones are kernel objects (pipes, FIFOs, queues, semaphore sets, files).
Row numbers are the events' sequence numbers in <code>--trace</code>. Red text is an error. Hover over a row for its full text.</td></tr>
</table>
`

func laneX(k int) float64 { return gutter + laneW*(float64(k)+0.5) }

// top is where the first row begins: below the title, an optional
// summary line and the headers.
func (d *diagram) top() float64 {
	t := float64(headTop + headH + 8)
	if d.summary() != "" {
		t += 36
	}
	return t
}

func (d *diagram) rowY(r int) float64 { return d.top() + float64(r)*rowH + rowH/2 }

func (d *diagram) color(k int) string {
	if !d.lanes[k].proc {
		return objColor
	}
	n := 0
	for j := 0; j < k; j++ {
		if d.lanes[j].proc {
			n++
		}
	}
	return ProcessColors[n%len(ProcessColors)]
}

// ink is the colour of what a lane's process draws; objects draw grey.
func (d *diagram) ink(k int) string {
	if d.lanes[k].proc {
		return d.color(k)
	}
	return "#666666"
}

func (d *diagram) svg(w *bufio.Writer) {
	// Wide enough for three lanes: a note may span that much.
	width := gutter + laneW*float64(max(len(d.lanes), 3)) + 10
	if s := d.summary(); s != "" {
		width = max(width, 20+7*float64(len([]rune(s))-len("Summarised: ")-10)) // its second line fits
	}
	bottom := d.top() + float64(len(d.rows))*rowH + 6
	footer := len(d.rows) > 30 // repeat the headers under a tall picture
	height := bottom + 10
	if footer {
		height += headH + 6
	}
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
<title>%s</title>
<rect width="100%%" height="100%%" fill="#ffffff"/>
<text x="10" y="20" font-size="14" font-weight="bold">%s</text>
`, width, height, width, height, esc(d.title()), esc(d.title()))
	if s := d.summary(); s != "" {
		// On two lines: the picture may be narrower than the sentence.
		head, rest, _ := strings.Cut(s, "; ")
		fmt.Fprintf(w, "<text x=\"10\" y=\"%d\" fill=\"#b00020\" font-weight=\"bold\">%s;</text>\n", headTop+headH+20, esc(head))
		fmt.Fprintf(w, "<text x=\"10\" y=\"%d\" fill=\"#b00020\">%s</text>\n", headTop+headH+36, esc(rest))
	}
	// Lifelines under everything else; a process's ends where it exits.
	for k := range d.lanes {
		end := bottom
		if r, ok := d.endRow[k]; ok {
			end = d.rowY(r)
		} else if d.stopRow > 0 {
			end = d.rowY(d.stopRow) // the chains of waits below it are text across the picture
		}
		fmt.Fprintf(w, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#aaaaaa\" stroke-dasharray=\"4,3\"/>\n",
			laneX(k), headTop+headH, laneX(k), end)
	}
	d.headers(w, headTop)
	if footer {
		d.headers(w, bottom+6)
	}
	for r := range d.rows {
		d.svgRow(w, r, width)
	}
	// Bars last, see-through. Labels are laid out around them (see
	// place), so none runs under one.
	for _, b := range d.bars {
		y0 := d.rowY(b.from) - rowH/2 + 3
		y1 := d.rowY(b.to) + 7
		c := d.color(b.lane)
		x := laneX(b.lane) - 5
		if !b.open {
			fmt.Fprintf(w, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\"/>\n",
				x, y0, y1-y0, c, c)
			continue
		}
		// A call that never returned: no bottom edge, and an arrow down
		// where it was still blocked when the run ended.
		fmt.Fprintf(w, "<rect class=\"open-bar\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.35\"/>\n", x, y0, y1-y0, c)
		fmt.Fprintf(w, "<path d=\"M%.1f,%.1f V%.1f H%.1f V%.1f\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.4\"/>\n", x, y1, y0, x+10, y1, c)
		fmt.Fprintf(w, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n", x-3, y1, x+13, y1, x+5, y1+7, c)
	}
	w.WriteString("</svg>\n")
}

func (d *diagram) headers(w *bufio.Writer, y float64) {
	for k, l := range d.lanes {
		x := laneX(k) - (laneW-24)/2
		if l.proc {
			fmt.Fprintf(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x, y, laneW-24, headH, d.color(k))
			fmt.Fprintf(w, "<text class=\"lane\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#ffffff\" font-weight=\"bold\" font-size=\"13\">%s</text>\n",
				laneX(k), y+headH/2+5, esc(clip(l.label, 22)))
			continue
		}
		fmt.Fprintf(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"12\" fill=\"%s\" stroke=\"#555555\"/>\n", x, y, laneW-24, headH, objColor)
		fmt.Fprintf(w, "<text class=\"lane obj\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#222222\" font-size=\"13\">%s</text>\n",
			laneX(k), y+headH/2+5, esc(clip(l.label, 22)))
	}
}

// span is a stretch of a row, in pixels.
type span struct{ lo, hi float64 }

// obstacles are what a label of row r must not cover: the activation bars
// across that row, with a margin.
func (d *diagram) obstacles(r int) []span {
	var out []span
	for _, b := range d.bars {
		if b.from <= r && r <= b.to {
			x := laneX(b.lane)
			out = append(out, span{x - 8, x + 8})
		}
	}
	return out
}

// place lays a label out on a row: w pixels wide, as near as it can be
// centred on c, inside [lo, hi], off every obstacle. It returns the left
// edge and the room there: w, or less when no free stretch is wide
// enough (then the widest, the nearer of equals; the caller cuts).
func place(w, c, lo, hi float64, obst []span) (float64, float64) {
	// The free stretches: [lo, hi] without the obstacles.
	free := []span{{lo, hi}}
	for _, o := range obst {
		var next []span
		for _, f := range free {
			if o.hi <= f.lo || o.lo >= f.hi {
				next = append(next, f)
				continue
			}
			if o.lo > f.lo {
				next = append(next, span{f.lo, o.lo})
			}
			if o.hi < f.hi {
				next = append(next, span{o.hi, f.hi})
			}
		}
		free = next
	}
	best, bestDist := -1.0, 0.0
	for _, f := range free {
		if f.hi-f.lo < w {
			continue
		}
		x := min(max(c-w/2, f.lo), f.hi-w)
		if dist := max(x+w/2-c, c-x-w/2); best < 0 || dist < bestDist {
			best, bestDist = x, dist
		}
	}
	if best >= 0 {
		return best, w
	}
	// Nothing fits: the widest stretch, the nearer of equals.
	var pick span
	for _, f := range free {
		wf, wp := f.hi-f.lo, pick.hi-pick.lo
		if wf > wp+charW || (wf > wp-charW && spanDist(f, c) < spanDist(pick, c)) {
			pick = f
		}
	}
	return pick.lo, pick.hi - pick.lo
}

// placeText lays out a one-line label (place), cut to the room found.
func placeText(label string, c, lo, hi float64, obst []span) (float64, string) {
	x, room := place(textWidth(label), c, lo, hi, obst)
	return x, clip(label, fit(room))
}

func spanDist(s span, c float64) float64 {
	switch {
	case c < s.lo:
		return s.lo - c
	case c > s.hi:
		return c - s.hi
	}
	return 0
}

func (d *diagram) svgRow(w *bufio.Writer, r int, width float64) {
	s := d.step(r)
	y := d.rowY(r)
	if s.kind == "stop" {
		// The end of a deadlocked run, across the picture: the open bars
		// above run into it.
		fmt.Fprintf(w, "<g class=\"deadlock\"><rect x=\"4\" y=\"%.1f\" width=\"%.0f\" height=\"%d\" fill=\"#fde8ea\" stroke=\"#b00020\"/>\n", y-rowH/2+2, width-8, rowH-4)
		// Bold 12px text is wider than the monospace of the labels.
		label := "✖ " + s.label
		x, room := place(textWidth(label)*1.26, width/2, 10, width-10, d.obstacles(r))
		label = clip(label, fit(room/1.26))
		fmt.Fprintf(w, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#b00020\" font-weight=\"bold\">%s</text></g>\n", x, y+4, esc(label))
		return
	}
	if s.kind == "why" {
		// A chain of waits of the deadlock report, under its band: who
		// waits for whom, and the cycle when there is one.
		label := clip(s.label, fit(width-20))
		fmt.Fprintf(w, "<text class=\"why\" x=\"10\" y=\"%.1f\" fill=\"#b00020\">%s</text>\n", y+4, esc(label))
		return
	}
	if s.kind == "gap" {
		fmt.Fprintf(w, "<rect x=\"4\" y=\"%.1f\" width=\"%.0f\" height=\"%d\" fill=\"#e4e4e4\"/>\n", y-rowH/2+2, width-8, rowH-4)
		fmt.Fprintf(w, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#444444\" font-style=\"italic\">%s</text>\n", width/2, y+4, esc(s.label))
		return
	}
	e := &d.events[d.rows[r].ev]
	// The row says what it draws in data- attributes too, for ReadSVG:
	// a picture can then be compared with another run's by structure.
	fmt.Fprintf(w, "<g class=\"row\" data-seq=\"%d\" data-proc=\"%s\" data-pos=\"%s\" data-verb=\"%s\" data-kind=\"%s\"", e.Seq, esc(e.Proc), esc(e.shortPos()), esc(e.Verb), s.kind)
	if s.kind == "arrow" && s.from != s.to {
		fmt.Fprintf(w, " data-from=\"%s\" data-to=\"%s\"", esc(d.lanes[s.from].label), esc(d.lanes[s.to].label))
	}
	if src := d.sources[r]; len(src) > 0 {
		refs := make([]string, len(src))
		for k, sr := range src {
			refs[k] = strconv.Itoa(d.events[d.rows[sr].ev].Seq)
		}
		fmt.Fprintf(w, " data-cites=\"%s\"", strings.Join(refs, " "))
	}
	fmt.Fprintf(w, "><title>%s</title>\n", esc(fmt.Sprintf("#%d %s: %s  (%s)", e.Seq, e.Proc, s.label, e.shortPos())))
	fmt.Fprintf(w, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#999999\" font-size=\"10\">#%d</text>\n", gutter-8, y+4, e.Seq)
	textColor := "#222222"
	if s.failed {
		textColor = "#b00020"
	}
	switch {
	case s.kind == "arrow" && s.from != s.to:
		x1, x2 := laneX(s.from), laneX(s.to)
		dir := 1.0
		if x2 < x1 {
			dir = -1
		}
		x1 += dir * 6 // start beside an activation bar, end at the lifeline
		x2 -= dir * 6
		c := d.ink(d.laneOf[e.Proc])
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="5,3"`
		}
		fmt.Fprintf(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.6\"%s/>\n", x1, y+6, x2-dir*8, y+6, c, dash)
		fmt.Fprintf(w, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n", x2, y+6, x2-dir*9, y+2, x2-dir*9, y+10, c)
		// Only this row's arrow is on this row: its label may run past
		// the arrow's ends, as long as it stays in the picture.
		length := max(x2-x1, x1-x2)
		label := clip(s.label, fit(max(length-8, 3*laneW-20)))
		left, label := placeText(label, (x1+x2)/2, gutter, width-4, d.obstacles(r))
		// A white halo keeps the label readable over lifelines.
		fmt.Fprintf(w, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>\n",
			left, y+1, textColor, esc(label))
	case s.kind == "exit":
		x := laneX(s.from)
		c := d.ink(s.from)
		fmt.Fprintf(w, "<path d=\"M%.1f,%.1f L%.1f,%.1f M%.1f,%.1f L%.1f,%.1f\" stroke=\"%s\" stroke-width=\"2.5\"/>\n", x-6, y-6, x+6, y+6, x+6, y-6, x-6, y+6, c)
		// Right of the mark, or left of it at the picture's right edge.
		label := clip(s.label, fit(laneW-16))
		obst := append(d.obstacles(r), span{x - 10, x + 10})
		lx, label := placeText(label, x+12+textWidth(label)/2, gutter, width-4, obst)
		fmt.Fprintf(w, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\" fill=\"%s\">%s</text>\n",
			lx, y+4, textColor, esc(label))
	default:
		fill, stroke := "#fff8dc", "#c8b560"
		if e.isPrint() {
			fill, stroke = "#e8eef6", "#8ea8c8"
		}
		c := laneX(s.from)
		obst := d.obstacles(r)
		if s.kind == "blocked" {
			// Beside its own open bar, which starts on this row.
			fill, stroke = "#fde8ea", "#b00020"
			c += 12 + (textWidth(s.label)+8)/2
			obst = append(obst, span{laneX(s.from) - 8, laneX(s.from) + 8})
		}
		// The box is the label with its margins, at least a lane wide
		// when there is room.
		label := clip(s.label, fit(3*laneW-24))
		x, bw := place(max(laneW-14, textWidth(label)+8), c, gutter-4, width-4, obst) // off the row numbers
		label = clip(label, fit(bw-8))
		fmt.Fprintf(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"3\" fill=\"%s\" stroke=\"%s\"/>\n", x, y-9, bw, fill, stroke)
		fmt.Fprintf(w, "<text x=\"%.1f\" y=\"%.1f\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\" fill=\"%s\">%s</text>\n",
			x+4, y+4, textColor, esc(label))
	}
	w.WriteString("</g>\n")
}

// esc makes text safe inside XML; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// textWidth is how wide s is in the 11px monospace font.
func textWidth(s string) float64 { return float64(len([]rune(s))) * charW }

// fit is how many monospace characters fit in px pixels.
func fit(px float64) int { return int(px / charW) }
