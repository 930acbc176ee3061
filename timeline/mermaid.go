package timeline

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMermaid writes the run as a Mermaid sequenceDiagram: the same
// lifelines, rows and arrows as WriteSVG, summarised sooner (MaxMermaidRows).
func WriteMermaid(w io.Writer, events []Event) error {
	d := buildDiagram(events, MaxMermaidRows)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%%%% %s\n", d.title())
	if s := d.summary(); s != "" {
		fmt.Fprintf(bw, "%%%% %s\n", s)
	}
	bw.WriteString("sequenceDiagram\n")
	ids := make([]string, len(d.lanes))
	for k, l := range d.lanes {
		ids[k] = "O" + strconv.Itoa(k)
		if l.proc {
			ids[k] = "P" + strconv.Itoa(k)
		}
		fmt.Fprintf(bw, "    participant %s as %s\n", ids[k], mermaidText(l.label))
	}
	if s := d.summary(); s != "" && len(d.lanes) > 0 {
		fmt.Fprintf(bw, "    Note over %s,%s: %s\n", ids[0], ids[len(ids)-1], mermaidText(s))
	}
	starts := map[int][]int{} // row -> lanes whose bar begins there
	for _, b := range d.bars {
		starts[b.from] = append(starts[b.from], b.lane)
	}
	ends := map[int][]int{}
	for _, b := range d.bars {
		ends[b.to] = append(ends[b.to], b.lane)
	}
	for r := range d.rows {
		for _, k := range starts[r] {
			fmt.Fprintf(bw, "    activate %s\n", ids[k])
		}
		s := d.step(r)
		seq := ""
		if ev := d.rows[r].ev; ev >= 0 {
			seq = "#" + strconv.Itoa(d.events[ev].Seq) + " "
		}
		text := mermaidText(seq + s.label)
		switch {
		case s.kind == "gap" || s.kind == "stop" || s.kind == "why":
			fmt.Fprintf(bw, "    Note over %s,%s: %s\n", ids[0], ids[len(ids)-1], text)
		case s.kind == "arrow" && s.from != s.to:
			arrow := "->>"
			if s.dashed {
				arrow = "-->>"
			}
			fmt.Fprintf(bw, "    %s%s%s: %s\n", ids[s.from], arrow, ids[s.to], text)
		case s.kind == "exit":
			fmt.Fprintf(bw, "    Note over %s: %s\n", ids[s.from], text)
		default:
			fmt.Fprintf(bw, "    Note right of %s: %s\n", ids[s.from], text)
		}
		for _, k := range ends[r] {
			fmt.Fprintf(bw, "    deactivate %s\n", ids[k])
		}
	}
	return bw.Flush()
}

// mermaidText makes text safe on one line of a Mermaid diagram: its
// entity codes stand for the characters it would read as syntax
// (';' ends a statement, '#' starts a code, '<' '>' make HTML).
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range clip(s, 160) {
		switch r {
		case '#':
			b.WriteString("#35;")
		case ';':
			b.WriteString("#59;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			if r < ' ' {
				b.WriteRune('\uFFFD')
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
