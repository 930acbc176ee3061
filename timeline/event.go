package timeline

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
)

// Event is one record of the --trace stream: one transcript line with
// what the transcript leaves out. The fields mirror the JSON written by
// interp (traceRecord); this package keeps its own copy on purpose.
type Event struct {
	Seq    int    `json:"seq"`
	T      int64  `json:"t_ns"` // CLOCK_MONOTONIC, comparable across processes
	Proc   string `json:"proc"`
	Pid    int32  `json:"pid"`
	Kind   string `json:"kind"`  // "call", "print", or "unfinished": a call that never returned
	Phase  string `json:"phase"` // "begin": a publish, written before its call; "end": the rest
	Pos    string `json:"pos,omitempty"`
	Stmt   string `json:"stmt,omitempty"`
	Result string `json:"result,omitempty"`
	Text   string `json:"text,omitempty"`
	Verb   string `json:"verb,omitempty"`
	Obj    string `json:"obj,omitempty"` // "pipe:INODE", "msg:ID", "sem:ID", "proc:NAME", ...
	N      int64  `json:"n,omitempty"`   // bytes, a message type, a signal
	Ops    string `json:"ops,omitempty"` // semaphore operations: "0:-1 1:1", or "0=3" for sem set
	Start  int64  `json:"start_ns,omitempty"`
}

// maxLine bounds one line of the stream. interp keeps each event under
// PIPE_BUF, but JSON escaping can grow it; 1 MiB is far beyond either.
const maxLine = 1 << 20

// Decode reads a --trace stream: one JSON object per line, blank lines
// ignored. The events keep the order of the stream, which respects every
// happens-before edge of the run (LANGUAGE.md §4); the analysis relies
// on that order, not on the timestamps.
func Decode(r io.Reader) ([]Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	var events []Event
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(b, &e); err != nil {
			return events, fmt.Errorf("trace line %d: %v", line, err)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		return events, fmt.Errorf("trace line %d: %v", line+1, err)
	}
	return events, nil
}

// trusted returns the events with what the trace gets wrong left out,
// for the analysis. An open for writing is logged before its call (it
// publishes: a FIFO's reader may go on), when the file is not open yet,
// and interp then records the object of an earlier statement, usually
// the previous open's file. A FIFO's is kept, for the rendezvous arrow
// (see Arrows); a file's is dropped: files are not synchronised anyway,
// and the later events of the handle name its file right.
func trusted(events []Event) []Event {
	out, copied := events, false
	for i := range events {
		e := &events[i]
		if e.Verb == "open" && e.Phase == "begin" && e.Obj != "" && e.objKind() != "fifo" {
			if !copied {
				out, copied = append([]Event(nil), events...), true
			}
			out[i].Obj = ""
		}
		if e.unfinished() && e.Verb == "" {
			// The stall detector knows only the statement of a child's
			// blocked call; its verb is the statement's first word (two
			// for sem).
			if !copied {
				out, copied = append([]Event(nil), events...), true
			}
			out[i].Verb = stmtVerb(e.Stmt)
		}
	}
	return out
}

// stmtVerb is the verb a statement starts with: "read", "sem p".
func stmtVerb(stmt string) string {
	f := strings.Fields(stmt)
	switch {
	case len(f) == 0:
		return ""
	case f[0] == "sem" && len(f) > 1:
		return "sem " + f[1]
	case f[0] == "let" && len(f) > 3 && f[2] == "=":
		return stmtVerb(strings.Join(f[3:], " ")) // let m = recv q
	}
	return f[0]
}

// failed says whether the call reported an error ("error EPIPE (...)").
func (e *Event) failed() bool { return strings.HasPrefix(e.Result, "error ") }

// isPrint says whether the event is a print line rather than a call.
func (e *Event) isPrint() bool { return e.Kind == "print" }

// unfinished says whether the event is a call that began at Start and
// never returned: Result says why, "deadlock" (the stall detector stopped
// the run while it waited) or "cancelled" (Ctrl-C in the REPL).
func (e *Event) unfinished() bool { return e.Kind == "unfinished" }

// deadlocked says whether the event is a call the run's deadlock stopped.
func (e *Event) deadlocked() bool { return e.unfinished() && e.Result == "deadlock" }

// blocked says whether the event ends a call that went through a
// blocking system call: it then knows when the call began.
func (e *Event) blocked() bool { return e.Phase == "end" && e.Start > 0 && e.Start <= e.T }

// objKind is the kind of kernel object ("pipe", "msg", ...), or "".
func (e *Event) objKind() string {
	k, _, ok := strings.Cut(e.Obj, ":")
	if !ok {
		return ""
	}
	return k
}

// handle is the name the statement gives its object, the word after the
// verb: "up.w" in `write up.w "x"`, "sync" in `sem p sync[1]`.
func (e *Event) handle() string {
	rest := strings.TrimPrefix(e.Stmt, e.Verb)
	if rest == e.Stmt && e.Verb != "" {
		// The statement does not start with the verb (popen is logged as
		// a spawn): take the second word.
		_, rest, _ = strings.Cut(e.Stmt, " ")
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return ""
	}
	h, _, _ := strings.Cut(f[0], "[")
	return h
}

// text is what the event says, as one line: a print's text, or the
// statement with its result.
func (e *Event) text() string {
	if e.isPrint() {
		if e.Text == "" {
			return "(empty line)" // print "": a row must not look blank
		}
		return e.Text
	}
	if e.unfinished() {
		if e.Result == "cancelled" {
			return e.Stmt + " -> cancelled"
		}
		return e.Stmt + " -> blocked, never returned"
	}
	if e.Result != "" {
		return e.Stmt + " -> " + e.Result
	}
	return e.Stmt
}

// shortPos is the position with only the file's base name, so that
// output does not depend on the directory a script was run from.
func (e *Event) shortPos() string {
	if e.Pos == "" {
		return "-"
	}
	return path.Base(e.Pos)
}
