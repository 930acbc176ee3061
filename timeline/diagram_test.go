package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

// wellFormed checks that s parses as XML from start to end.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	d.AutoClose = nil
	d.Entity = map[string]string{}
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

func TestSVGOfARun(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	var b bytes.Buffer
	if err := WriteSVG(&b, ev); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	wellFormed(t, svg)
	// Lifelines: two processes in their colours, three objects in grey.
	for _, s := range []string{
		`fill="` + ProcessColors[0] + `"/>`, `>main</text>`,
		`fill="` + ProcessColors[1] + `"/>`, `>child</text>`,
		`>pipe p</text>`, `>queue q</text>`, `>sem s</text>`,
		"read p.r 13 -&gt; &#34;o, world\\n&#34;  ⟵ #6,#7", // the read that took two writes names both
	} {
		if !strings.Contains(svg, s) {
			t.Errorf("the SVG lacks %s", s)
		}
	}
	if strings.Contains(svg, "Summarised") {
		t.Error("a small run is summarised")
	}
	// One row per event.
	if got := strings.Count(svg, "<g class=\"row\""); got != len(ev) {
		t.Errorf("%d rows, want %d", got, len(ev))
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	var b bytes.Buffer
	if err := WriteHTML(&b, ev); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	wellFormed(t, strings.TrimPrefix(html, "<!DOCTYPE html>\n"))
	for _, bad := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(strings.ToLower(html), bad) {
			t.Errorf("the page contains %q: it must fetch nothing", bad)
		}
	}
	// The only URL is the SVG namespace, which names and fetches nothing.
	for _, u := range regexp.MustCompile(`https?://[^"]*`).FindAllString(html, -1) {
		if u != "http://www.w3.org/2000/svg" {
			t.Errorf("the page names %s", u)
		}
	}
	if !strings.Contains(html, "How to read it") {
		t.Error("no legend")
	}
}

// bigRun is a ping-pong between two processes through two pipes, n
// rounds, with a repeated line of main's between rounds.
func bigRun(rounds int) []Event {
	var ev []Event
	ev = append(ev, call("main", "begin", "spawn", "proc:kid", "spawn kid"))
	for i := 0; i < rounds; i++ {
		ev = append(ev,
			n(call("main", "begin", "write", "pipe:1", fmt.Sprintf(`write a.w "%d"`, i)), 1),
			n(call("kid", "end", "read", "pipe:1", "read a.r 1"), 1),
			n(call("kid", "begin", "write", "pipe:2", `write b.w "ok"`), 2),
			with(n(call("main", "end", "read", "pipe:2", "read b.r 2"), 2), func(e *Event) { e.Start = 1 }),
			samePos(call("main", "end", "stat", "", "stat x"), "t.ipc:99:1"),
			samePos(call("main", "end", "stat", "", "stat x"), "t.ipc:99:1"),
		)
	}
	ev = append(ev, call("kid", "begin", "exit", "proc:kid", "exit 0"), call("main", "end", "wait", "proc:kid", "wait kid"))
	ev = seqd(ev...)
	for i := range ev {
		if ev[i].Start == 1 {
			ev[i].Start = ev[i].T - 3500 // blocked since before the write
		}
	}
	return ev
}

func TestDiagramSummarisesLargeRuns(t *testing.T) {
	ev := bigRun(1000) // 6003 events
	d := buildDiagram(ev, MaxRows)
	if len(d.rows) != MaxRows+1 {
		t.Errorf("%d rows, want %d and a gap", len(d.rows), MaxRows)
	}
	if d.collapsed != 1000 {
		t.Errorf("%d events folded, want 1000 (each repeated stat)", d.collapsed)
	}
	shown := 0
	for _, r := range d.rows {
		if r.ev >= 0 {
			shown += r.count
		}
	}
	if shown+d.omitted != len(ev) || d.omitted == 0 {
		t.Errorf("%d events shown and %d omitted, of %d", shown, d.omitted, len(ev))
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, ev); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	wellFormed(t, svg)
	for _, s := range []string{"Summarised: 6003 events;</text>", ">1000 events folded into their repeats (×N), " +
		fmt.Sprint(d.omitted) + " events in the middle not shown", "×2", "events not shown …"} {
		if !strings.Contains(svg, s) {
			t.Errorf("the SVG lacks %q", s)
		}
	}
	// Activation bars: one per blocked read shown.
	if got, want := strings.Count(svg, `fill-opacity="0.35"`), len(d.bars); got != want || want == 0 {
		t.Errorf("%d bars drawn, %d found", got, want)
	}
	b.Reset()
	if err := WriteMermaid(&b, ev); err != nil {
		t.Fatal(err)
	}
	if len(b.String()) > 50000 {
		t.Errorf("Mermaid text of %d bytes: over Mermaid's default maxTextSize", b.Len())
	}
}

func TestDiagramSmallRunNotFolded(t *testing.T) {
	ev := bigRun(3)
	d := buildDiagram(ev, MaxRows)
	if len(d.rows) != len(ev) || d.summary() != "" {
		t.Errorf("%d rows for %d events, summary %q", len(d.rows), len(ev), d.summary())
	}
	// The blocked read of round one began before main's write: its bar
	// starts at the write's row.
	if len(d.bars) != 3 || d.bars[0].from != 1 || d.bars[0].to != 4 {
		t.Errorf("bars %+v, want the first from row 1 to 4", d.bars)
	}
}

func TestMermaid(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	var b bytes.Buffer
	if err := WriteMermaid(&b, ev); err != nil {
		t.Fatal(err)
	}
	golden(t, "arrows.mmd", b.String())
	if got := mermaidText(`write p.w "a;b#c<d>"`); got != `write p.w "a#59;b#35;c#lt;d#gt;"` {
		t.Errorf("mermaidText = %s", got)
	}
}

func svgOf(t *testing.T, ev []Event) (string, SVGStructure) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSVG(&b, ev); err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b.String())
	st, err := ReadSVG(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), st
}

func hasArrow(st SVGStructure, a string) bool {
	for _, x := range st.Arrows {
		if x == a {
			return true
		}
	}
	return false
}

// No label runs over an activation bar or another label, in any picture
// of the recorded runs; the ring buffer has three processes blocked in
// turn side by side (issue 18: labels ran over another process's bar).
func TestSVGLayoutNothingOverlaps(t *testing.T) {
	for _, name := range []string{"ring.jsonl", "arrows.jsonl", "creation.jsonl", "deadlock.jsonl"} {
		t.Run(name, func(t *testing.T) {
			svg, _ := svgOf(t, readTrace(t, name))
			if err := CheckSVGLayout([]byte(svg)); err != nil {
				t.Error(err)
			}
		})
	}
	// The check finds an overlap when there is one.
	bad := `<svg width="300"><rect class="bar" x="100" y="10" width="10" height="50"/><text x="80" y="30" font-family="DejaVu Sans Mono" font-size="11">over the bar</text></svg>`
	if err := CheckSVGLayout([]byte(bad)); err == nil || !strings.Contains(err.Error(), "over the bar") {
		t.Errorf("a label over a bar passes: %v", err)
	}
}

// Lifelines: main, the objects, then the children in the order they
// were spawned, whoever ran first.
func TestSVGLanesInSpawnOrder(t *testing.T) {
	_, st := svgOf(t, readTrace(t, "ring.jsonl"))
	want := "main shm seg sem s producer consumer1 consumer2"
	if got := strings.Join(st.Lanes, " "); got != want {
		t.Errorf("lanes %q, want %q", got, want)
	}
	ev := seqd(
		call("main", "begin", "spawn", "proc:w1", "spawn w1"),
		call("main", "begin", "spawn", "proc:w2", "spawn w2"),
		call("main", "begin", "spawn", "proc:w3", "spawn w3"),
		n(call("w1", "begin", "write", "pipe:1", "write p.w 1"), 1),
		n(call("w3", "begin", "write", "pipe:1", "write p.w 1"), 1),
		n(call("w2", "begin", "write", "pipe:1", "write p.w 1"), 1),
	)
	if _, st := svgOf(t, ev); strings.Join(st.Lanes, " ") != "main pipe p w1 w2 w3" {
		t.Errorf("lanes %q, want main pipe p w1 w2 w3", st.Lanes)
	}
}

// Creating an object is one kind of row, whatever the object: an arrow
// from the process to the object's lifeline (issue 18: pipe was an arrow,
// msgget and shmget notes).
func TestSVGObjectCreationIsAnArrow(t *testing.T) {
	_, st := svgOf(t, readTrace(t, "creation.jsonl"))
	for _, want := range []string{
		"main@creation.ipc:4:1 pipe: main -> pipe p",
		"main@creation.ipc:5:1 msgget: main -> queue q",
		"main@creation.ipc:6:1 shmget: main -> shm m",
		"main@creation.ipc:7:1 semget: main -> sem s",
		`main@creation.ipc:8:1 mkfifo: main -> fifo $TMP/f`,
		`main@creation.ipc:17:1 unlink: main -> fifo $TMP/f`,
	} {
		if !hasArrow(st, want) {
			t.Errorf("no arrow %q in\n%s", want, strings.Join(st.Arrows, "\n"))
		}
	}
}

// A wait cites the publish that let it through, not the spawn that
// started its process (issue 18: `sem p s[1] ⟵ #5`, the spawn, where the
// sem setall #4 gave the value).
func TestSVGCitesTheEnabler(t *testing.T) {
	svg, st := svgOf(t, readTrace(t, "creation.jsonl"))
	if !hasArrow(st, "main@creation.ipc:9:1 -> child@creation.ipc:11:3") {
		t.Errorf("the sem p does not cite the sem setall:\n%s", strings.Join(st.Arrows, "\n"))
	}
	if hasArrow(st, "main@creation.ipc:10:1 -> child@creation.ipc:11:3") {
		t.Errorf("the sem p cites the spawn:\n%s", strings.Join(st.Arrows, "\n"))
	}
	if !strings.Contains(svg, "sem p s[1]  ⟵ #6<") {
		t.Error("the sem p's label does not name #6, the sem setall")
	}
}

// A deadlocked run's picture does not just stop: each blocked call is an
// open bar from where it began to the end, and the end is marked.
func TestSVGDeadlock(t *testing.T) {
	ev := readTrace(t, "deadlock.jsonl")
	svg, st := svgOf(t, ev)
	if st.OpenBars != 3 || !st.Deadlock {
		t.Errorf("%d open bars, deadlock marked %v; want 3, true", st.OpenBars, st.Deadlock)
	}
	if got := strings.Join(st.Lanes, " "); got != "main pipe a pipe b left right" {
		t.Errorf("lanes %q", got)
	}
	for _, want := range []string{"wait left -&gt; blocked, never returned", "read a.r -&gt; blocked, never returned",
		"read b.r -&gt; blocked, never returned", "deadlock: 3 calls blocked for good"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	// Each blocked call is drawn where it began: after the spawn of its
	// process, before the deadlock row, which is the last.
	d := buildDiagram(ev, MaxRows)
	last := d.rows[len(d.rows)-1]
	if last.stop != 3 {
		t.Errorf("the last row is %+v, want the deadlock", last)
	}
	for _, b := range d.bars {
		if !b.open || b.to != len(d.rows)-1 {
			t.Errorf("bar %+v does not run open to the deadlock row %d", b, len(d.rows)-1)
		}
		e := d.events[d.rows[b.from].ev]
		for _, r := range d.rows[:b.from] {
			if r.ev >= 0 && d.events[r.ev].T > e.Start && !d.events[r.ev].unfinished() {
				t.Errorf("%s is drawn after #%d, which came after it began", e.Stmt, d.events[r.ev].Seq)
			}
		}
	}
	var m bytes.Buffer
	if err := WriteMermaid(&m, ev); err != nil {
		t.Fatal(err)
	}
	if strings.Count(m.String(), "activate") != 6 || !strings.Contains(m.String(), "deadlock: 3 calls") {
		t.Errorf("the Mermaid diagram lacks the open activations or the deadlock:\n%s", m.String())
	}
}

// print "" is a row that says so, not a blank one.
func TestSVGEmptyPrint(t *testing.T) {
	svg, _ := svgOf(t, seqd(printEv("main", "")))
	if !strings.Contains(svg, "print: (empty line)") {
		t.Errorf("an empty print draws no text:\n%s", svg)
	}
}

// The deadlock report's chains of waits (carried by the first record of
// the deadlock) are drawn under its band, one step a row, and the open
// bars still end at the band.
func TestSVGDeadlockChains(t *testing.T) {
	ev := readTrace(t, "deadlock.jsonl")
	for i := range ev {
		if ev[i].deadlocked() {
			ev[i].Text = "main waits for sem s[0] (value 0) ← only a posted s[0] ← a waits for sem t[0] (value 0) ← only main posted t[0]: a cycle\nleft waits for data in pipe a"
			break
		}
	}
	svg, _ := svgOf(t, ev)
	for _, want := range []string{"why: main waits for sem s[0] (value 0)", "← only a posted s[0]", "← only main posted t[0]: a cycle", "why: left waits for data in pipe a"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %q", want)
		}
	}
	d := buildDiagram(ev, MaxRows)
	if got := len(d.rows) - 1 - d.stopRow; got != 5 {
		t.Errorf("%d rows under the deadlock band, want 5 (4 steps of one chain, 1 of the other)", got)
	}
	for _, b := range d.bars {
		if b.to != d.stopRow {
			t.Errorf("bar %+v runs past the deadlock band (row %d)", b, d.stopRow)
		}
	}
	if err := CheckSVGLayout([]byte(svg)); err != nil {
		t.Errorf("layout: %v", err)
	}
}
