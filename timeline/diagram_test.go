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
	if got := strings.Count(svg, "<g><title>"); got != len(ev) {
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
