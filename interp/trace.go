package interp

import (
	"encoding/json"
	"fmt"
	"io"
)

// tracer writes the event stream as JSON Lines (--trace): the same events
// the transcript is rendered from, with what the transcript leaves out
// (pids, monotonic times, begin/end phases), for tools and timelines.
type tracer struct {
	enc *json.Encoder
	seq int
}

type traceRecord struct {
	Seq    int    `json:"seq"`
	Time   int64  `json:"t_ns"`
	Proc   string `json:"proc"`
	Pid    int32  `json:"pid"`
	Kind   string `json:"kind"`
	Phase  string `json:"phase"`
	Pos    string `json:"pos,omitempty"`
	Stmt   string `json:"stmt,omitempty"`
	Result string `json:"result,omitempty"`
	Text   string `json:"text,omitempty"`
	Verb   string `json:"verb,omitempty"`
	Obj    string `json:"obj,omitempty"`
	N      int64  `json:"n,omitempty"`
	Ops    string `json:"ops,omitempty"`
	// Start is when a blocking call began (monotonic ns), on its end event.
	Start int64 `json:"start_ns,omitempty"`
}

func newTracer(w io.Writer) *tracer {
	if w == nil {
		return nil
	}
	return &tracer{enc: json.NewEncoder(w)}
}

// phaseNames: a publish is logged as the call begins, everything else
// when it has ended.
var phaseNames = map[Phase]string{PhasePublish: "begin", PhaseConsume: "end", PhaseOnce: "end", PhaseRepeat: "end"}

func (t *tracer) trace(e *Event) {
	if t == nil {
		return
	}
	t.seq++
	rec := traceRecord{Seq: t.seq, Time: e.Time, Proc: e.Proc, Pid: e.Pid, Kind: "call", Phase: phaseNames[e.Phase]}
	if e.Line > 0 {
		rec.Pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	switch e.Kind {
	case EvPrint, EvDetail:
		rec.Kind, rec.Text = "print", e.Result
	case EvUnfinished:
		// Start is when the call began (0 if unknown), Time when it was
		// given up; Result is "cancelled" or "deadlock".
		rec.Kind, rec.Phase = "unfinished", "end"
		rec.Stmt, rec.Result, rec.Verb, rec.Obj, rec.Start, rec.Text = e.Stmt, e.Result, e.Verb, e.Obj, e.Start, e.Note
	default:
		rec.Stmt, rec.Result = e.Stmt, e.Result
		rec.Verb, rec.Obj, rec.N, rec.Ops, rec.Start = e.Verb, e.Obj, e.N, e.Ops, e.Start
	}
	// A trace that cannot be written must not stop the run; the transcript
	// still shows everything.
	_ = t.enc.Encode(&rec)
}
