package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SVGStructure is what a sequence diagram written by WriteSVG shows, read
// back from the file: what two pictures of two runs of one script must
// share, although their times and the interleaving of independent
// processes differ.
type SVGStructure struct {
	Lanes []string // the lifelines' headers, left to right
	Rows  int      // rows of events
	// Arrows are the distinct arrows, sorted: a row's arrow between a
	// process and an object or another process ("main@f.ipc:3:1 write:
	// main -> pipe p"), and each citation of the publish that enabled a
	// row ("child@f.ipc:9:3 -> main@f.ipc:12:1"), by positions, not
	// sequence numbers.
	Arrows   []string
	OpenBars int  // calls drawn as never returning
	Deadlock bool // the run ends with the deadlock band
}

type svgRow struct {
	seq, proc, pos, verb, kind, from, to, cites string
}

// ReadSVG reads the structure of a diagram written by WriteSVG.
func ReadSVG(data []byte) (SVGStructure, error) {
	var st SVGStructure
	dec := xml.NewDecoder(bytes.NewReader(data))
	rows := map[string]svgRow{}
	var order []svgRow
	type lane struct {
		y    float64
		text string
	}
	var lanes []lane
	inLane := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return st, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			a := attrs(t)
			switch {
			case t.Name.Local == "g" && a["class"] == "row":
				r := svgRow{a["data-seq"], a["data-proc"], a["data-pos"], a["data-verb"], a["data-kind"], a["data-from"], a["data-to"], a["data-cites"]}
				rows[r.seq] = r
				order = append(order, r)
			case t.Name.Local == "g" && a["class"] == "deadlock":
				st.Deadlock = true
			case t.Name.Local == "rect" && a["class"] == "open-bar":
				st.OpenBars++
			case t.Name.Local == "text" && strings.HasPrefix(a["class"], "lane"):
				y, _ := strconv.ParseFloat(a["y"], 64)
				lanes = append(lanes, lane{y: y})
				inLane = true
			}
		case xml.CharData:
			if inLane {
				lanes[len(lanes)-1].text += string(t)
			}
		case xml.EndElement:
			inLane = false
		}
	}
	// A tall picture repeats its headers at the bottom: the top ones.
	for _, l := range lanes {
		if l.y == lanes[0].y {
			st.Lanes = append(st.Lanes, l.text)
		}
	}
	st.Rows = len(order)
	seen := map[string]bool{}
	for _, r := range order {
		at := r.proc + "@" + r.pos
		var arrows []string
		if r.from != "" {
			arrows = append(arrows, fmt.Sprintf("%s %s: %s -> %s", at, r.verb, r.from, r.to))
		}
		for _, c := range strings.Fields(r.cites) {
			src, ok := rows[c]
			if !ok {
				return st, fmt.Errorf("row #%s cites #%s, which is not drawn", r.seq, c)
			}
			arrows = append(arrows, src.proc+"@"+src.pos+" -> "+at)
		}
		for _, a := range arrows {
			if !seen[a] {
				seen[a] = true
				st.Arrows = append(st.Arrows, a)
			}
		}
	}
	sort.Strings(st.Arrows)
	return st, nil
}

func attrs(t xml.StartElement) map[string]string {
	m := map[string]string{}
	for _, a := range t.Attr {
		m[a.Name.Local] = a.Value
	}
	return m
}

// box is a rectangle of the picture.
type box struct {
	x0, y0, x1, y1 float64
	what           string
}

func (b box) overlaps(c box) bool {
	return b.x0 < c.x1 && c.x0 < b.x1 && b.y0 < c.y1 && c.y0 < b.y1
}

// CheckSVGLayout checks that in a diagram written by WriteSVG no text
// runs over an activation bar or over another text, and that every text
// is inside the picture. A text's box is estimated from its font: the
// labels are monospace (their width is exact), the rest DejaVu Sans,
// taken at its widest.
func CheckSVGLayout(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts, bars []box
	var width float64
	var cur *box
	var anchor string
	var errs []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			a := attrs(t)
			num := func(k string) float64 { v, _ := strconv.ParseFloat(a[k], 64); return v }
			switch {
			case t.Name.Local == "svg":
				width = num("width")
			case t.Name.Local == "rect" && (a["class"] == "bar" || a["class"] == "open-bar"):
				bars = append(bars, box{num("x"), num("y"), num("x") + num("width"), num("y") + num("height"), "a bar"})
			case t.Name.Local == "text":
				size := num("font-size")
				if size == 0 {
					size = 12
				}
				cur = &box{x0: num("x"), y0: num("y") - 0.8*size, y1: num("y") + 0.25*size}
				cur.x1 = size // the font size, until the text is known
				anchor = a["text-anchor"]
				if strings.Contains(a["font-family"], "Mono") {
					anchor += " mono"
				}
				if a["font-weight"] == "bold" {
					anchor += " bold"
				}
				if strings.HasPrefix(a["class"], "lane") {
					cur = nil // headers: clipped to their box by the writer
				}
			}
		case xml.CharData:
			if cur != nil {
				cur.what += string(t)
			}
		case xml.EndElement:
			if t.Name.Local != "text" || cur == nil {
				continue
			}
			per := 0.62
			switch {
			case strings.Contains(anchor, "mono"):
				per = charW / 11
			case strings.Contains(anchor, "bold"):
				per = 0.7
			}
			w := float64(utf8.RuneCountInString(cur.what)) * cur.x1 * per
			switch {
			case strings.HasPrefix(anchor, "end"):
				cur.x1, cur.x0 = cur.x0, cur.x0-w
			case strings.HasPrefix(anchor, "middle"):
				cur.x0, cur.x1 = cur.x0-w/2, cur.x0+w/2
			default:
				cur.x1 = cur.x0 + w
			}
			if cur.x0 < -0.5 || (width > 0 && cur.x1 > width+0.5) {
				errs = append(errs, fmt.Sprintf("%q runs out of the picture (%.0f..%.0f of %.0f)", cur.what, cur.x0, cur.x1, width))
			}
			texts = append(texts, *cur)
			cur = nil
		}
	}
	for i, t := range texts {
		for _, b := range bars {
			if t.overlaps(b) {
				errs = append(errs, fmt.Sprintf("%q (x %.0f..%.0f, y %.0f..%.0f) runs over a bar (x %.0f..%.0f, y %.0f..%.0f)",
					t.what, t.x0, t.x1, t.y0, t.y1, b.x0, b.x1, b.y0, b.y1))
			}
		}
		for _, u := range texts[i+1:] {
			if t.overlaps(u) {
				errs = append(errs, fmt.Sprintf("%q and %q overlap", t.what, u.what))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d overlaps:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	return nil
}
