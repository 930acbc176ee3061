package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// ChromeStats counts what a Chrome trace holds.
type ChromeStats struct {
	Tracks   int // threads named by thread_name metadata
	Slices   int // complete slices, "X"
	Instants int // "i"
	Flows    int // flows whose "s" and "f" both exist
}

// rawEvent is a trace event as found, with pointers to tell a missing
// field from a zero one.
type rawEvent struct {
	Name *string         `json:"name"`
	Cat  *string         `json:"cat"`
	Ph   *string         `json:"ph"`
	Ts   *float64        `json:"ts"`
	Dur  *float64        `json:"dur"`
	Pid  *int            `json:"pid"`
	Tid  *int            `json:"tid"`
	S    *string         `json:"s"`
	ID   json.RawMessage `json:"id"`
	Bp   *string         `json:"bp"`
	Args map[string]any  `json:"args"`
}

// eps absorbs the rounding of decimal microseconds read as floats.
const eps = 0.0005

// CheckChrome checks a file in the Chrome Trace Event Format against
// the rules its viewers rely on, and returns what it counted. It is
// what the tests of WriteChrome check with, and works on any trace:
//
//   - a JSON object with a traceEvents array; every event has a name, a
//     phase, a pid and a tid, and every timed event a ts;
//   - "X" has a duration >= 0, "i" a scope; "B" and "E" pair up per track;
//   - on each track, slices and instants come in time order and complete
//     slices do not overlap (Perfetto misdraws slices that overlap
//     without nesting);
//   - each flow id has exactly one "s" and one "f", with the same name and
//     category, the end no earlier than the start, the end with bp "e",
//     and each bound: a slice or instant on its track encloses its ts;
//   - every track with events is named by thread_name metadata.
func CheckChrome(data []byte) (ChromeStats, error) {
	var st ChromeStats
	var top struct {
		TraceEvents *[]rawEvent `json:"traceEvents"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return st, fmt.Errorf("not a JSON object with traceEvents: %v", err)
	}
	if top.TraceEvents == nil {
		return st, errors.New("no traceEvents array")
	}
	type track struct{ pid, tid int }
	type span struct{ ts, end float64 }
	named := map[track]bool{}
	used := map[track]bool{}
	spans := map[track][]span{} // slices and instants of a track, in file order
	open := map[track][]string{}
	type flowEnd struct {
		ev  rawEvent
		n   int
		idx int
	}
	starts, ends := map[string]*flowEnd{}, map[string]*flowEnd{}
	var errs []error
	bad := func(i int, format string, a ...any) {
		if len(errs) < 20 {
			errs = append(errs, fmt.Errorf("event %d: %s", i, fmt.Sprintf(format, a...)))
		}
	}
	for i, e := range *top.TraceEvents {
		if e.Ph == nil || *e.Ph == "" {
			bad(i, "no ph")
			continue
		}
		if e.Name == nil {
			bad(i, "no name")
		}
		if e.Pid == nil || e.Tid == nil {
			bad(i, "no pid or tid")
			continue
		}
		tr := track{*e.Pid, *e.Tid}
		ph := *e.Ph
		if ph == "M" {
			name := ""
			if e.Name != nil {
				name = *e.Name
			}
			switch name {
			case "thread_name", "process_name":
				if s, ok := e.Args["name"].(string); !ok || s == "" {
					bad(i, "%s without args.name", name)
				}
				if name == "thread_name" {
					named[tr] = true
				}
			case "thread_sort_index", "process_sort_index":
			default:
				bad(i, "unknown metadata %q", name)
			}
			continue
		}
		if e.Ts == nil || *e.Ts < 0 {
			bad(i, "%s without a ts >= 0", ph)
			continue
		}
		ts := *e.Ts
		used[tr] = true
		switch ph {
		case "X", "i", "I":
			end := ts
			if ph == "X" {
				if e.Dur == nil || *e.Dur < 0 {
					bad(i, "X without a dur >= 0")
					continue
				}
				end = ts + *e.Dur
				st.Slices++
			} else {
				if e.S == nil || (*e.S != "t" && *e.S != "p" && *e.S != "g") {
					bad(i, "instant without a scope s of t, p or g")
				}
				st.Instants++
			}
			if prev := spans[tr]; len(prev) > 0 {
				last := prev[len(prev)-1]
				if ts < last.ts {
					bad(i, "ts %.3f before the previous event of its track (%.3f)", ts, last.ts)
				}
				if ts < last.end-eps {
					bad(i, "overlaps the slice before it on its track (which ends at %.3f)", last.end)
				}
			}
			spans[tr] = append(spans[tr], span{ts, end})
		case "B":
			open[tr] = append(open[tr], *e.Name)
		case "E":
			o := open[tr]
			if len(o) == 0 {
				bad(i, "E with no open B on its track")
				continue
			}
			if *e.Name != "" && *e.Name != o[len(o)-1] {
				bad(i, "E %q closes B %q", *e.Name, o[len(o)-1])
			}
			open[tr] = o[:len(o)-1]
		case "s", "f":
			if len(e.ID) == 0 {
				bad(i, "flow without an id")
				continue
			}
			m := starts
			if ph == "f" {
				m = ends
				if e.Bp == nil || *e.Bp != "e" {
					bad(i, `flow end without bp "e"`)
				}
			}
			id := string(e.ID)
			if m[id] == nil {
				m[id] = &flowEnd{ev: e, idx: i}
			}
			m[id].n++
		default:
			bad(i, "unexpected phase %q", ph)
		}
	}
	for tr, o := range open {
		if len(o) > 0 {
			errs = append(errs, fmt.Errorf("track %v: B %q never ended", tr, o[len(o)-1]))
		}
	}
	for tr := range used {
		if !named[tr] {
			errs = append(errs, fmt.Errorf("track pid %d tid %d has no thread_name", tr.pid, tr.tid))
		}
	}
	ids := make([]string, 0, len(starts)+len(ends))
	for id := range starts {
		ids = append(ids, id)
	}
	for id := range ends {
		if starts[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	enclosed := func(f *flowEnd) bool {
		for _, s := range spans[track{*f.ev.Pid, *f.ev.Tid}] {
			if s.ts-eps <= *f.ev.Ts && *f.ev.Ts <= s.end+eps {
				return true
			}
		}
		return false
	}
	for _, id := range ids {
		s, f := starts[id], ends[id]
		switch {
		case s == nil || f == nil:
			errs = append(errs, fmt.Errorf("flow id %s has no start or no end", id))
			continue
		case s.n != 1 || f.n != 1:
			errs = append(errs, fmt.Errorf("flow id %s has %d starts and %d ends", id, s.n, f.n))
		case str(s.ev.Name) != str(f.ev.Name) || str(s.ev.Cat) != str(f.ev.Cat):
			errs = append(errs, fmt.Errorf("flow id %s: start and end differ in name or cat", id))
		case *f.ev.Ts < *s.ev.Ts-eps:
			errs = append(errs, fmt.Errorf("flow id %s ends (%.3f) before it starts (%.3f)", id, *f.ev.Ts, *s.ev.Ts))
		}
		if !enclosed(s) {
			errs = append(errs, fmt.Errorf("flow id %s: no slice encloses its start (event %d)", id, s.idx))
		}
		if !enclosed(f) {
			errs = append(errs, fmt.Errorf("flow id %s: no slice encloses its end (event %d)", id, f.idx))
		}
		st.Flows++
	}
	st.Tracks = len(named)
	return st, errors.Join(errs...)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
