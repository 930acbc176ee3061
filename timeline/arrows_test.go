package timeline

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the recorded traces")

// call builds a call event; seqd numbers a list of them as a stream.
func call(proc, phase, verb, obj, stmt string) Event {
	return Event{Proc: proc, Kind: "call", Phase: phase, Verb: verb, Obj: obj, Stmt: stmt}
}

func with(e Event, f func(*Event)) Event { f(&e); return e }

func n(e Event, v int64) Event       { return with(e, func(e *Event) { e.N = v }) }
func ops(e Event, o string) Event    { return with(e, func(e *Event) { e.Ops = o }) }
func result(e Event, r string) Event { return with(e, func(e *Event) { e.Result = r }) }
func printEv(proc, text string) Event {
	return Event{Proc: proc, Kind: "print", Phase: "end", Text: text}
}
func repeat(e Event, res string) Event {
	return with(e, func(x *Event) { x.Phase, x.Result = "end", res })
}
func samePos(e Event, pos string) Event { return with(e, func(x *Event) { x.Pos = pos }) }

// seqd numbers events as a stream: seq 1, 2, ...; a position per line
// unless one was given, and times 1µs apart.
func seqd(evs ...Event) []Event {
	for i := range evs {
		evs[i].Seq = i + 1
		evs[i].T = int64(i+1) * 1000
		if evs[i].Pos == "" {
			evs[i].Pos = fmt.Sprintf("t.ipc:%d:1", i+1)
		}
	}
	return evs
}

// arrowList writes arrows by sequence numbers: "2->5 pipe 4 bytes".
func arrowList(events []Event) string {
	var lines []string
	for _, a := range Arrows(events) {
		s := fmt.Sprintf("%d->%d %s", events[a.From].Seq, events[a.To].Seq, a.Kind)
		if a.Label != "" {
			s += " " + a.Label
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

func wantArrows(t *testing.T, events []Event, want ...string) {
	t.Helper()
	if got := arrowList(events); got != strings.Join(want, "\n") {
		t.Errorf("arrows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestArrowsPipeByteOrder(t *testing.T) {
	const P = "pipe:7"
	ev := seqd(
		n(call("a", "begin", "write", P, `write p.w "hello, "`), 7),
		n(call("a", "begin", "write", P, `write p.w "world\n"`), 6),
		n(call("b", "end", "read", P, `read p.r 4`), 4),    // part of the first write
		n(call("b", "end", "read", P, `read p.r 13`), 9),   // the rest, and all of the second
		n(call("b", "end", "read", P, `read p.r 13`), 0),   // nothing written: no arrow
		n(call("b", "end", "read", "pipe:8", `read x`), 3), // another pipe, never written
	)
	wantArrows(t, ev, "1->3 pipe 4 bytes", "1->4 pipe 3 bytes", "2->4 pipe 6 bytes")
}

func TestArrowsShortAndFailedWrites(t *testing.T) {
	const P = "pipe:7"
	w := samePos(n(call("a", "begin", "write", P, `write p.w "abcdef"`), 6), "t.ipc:1:1")
	e := samePos(n(call("a", "begin", "write", P, `write p.w "zz"`), 2), "t.ipc:3:1")
	ev := seqd(
		w,
		n(repeat(w, "3 of 6"), 3), // short: 3 bytes went in
		e,
		repeat(e, "error EPIPE (broken pipe)"), // none went in
		n(call("a", "begin", "write", P, `write p.w "xy"`), 2),
		n(call("b", "end", "read", P, `read p.r`), 5),
	)
	wantArrows(t, ev, "1->6 pipe 3 bytes", "5->6 pipe 2 bytes")
}

func TestArrowsEOF(t *testing.T) {
	const P = "pipe:7"
	ev := seqd(
		call("a", "begin", "close", P, "close p.w"),
		call("b", "begin", "close", P, "close p.r"), // a read end: not the cause
		result(call("b", "end", "read", P, "read q"), "EOF"),
	)
	wantArrows(t, ev, "1->3 eof")

	// Every copy of a pipe's write end had to go: the child's close of
	// its inherited copy and the parent's, in whichever order they came.
	for _, order := range [][2]string{{"main", "child"}, {"child", "main"}} {
		ev = seqd(
			call(order[0], "begin", "close", P, "close p.w"),
			call(order[1], "begin", "close", P, "close p.w"),
			result(call("child", "end", "read", P, "read p.r"), "EOF"),
		)
		wantArrows(t, ev, "1->3 eof", "2->3 eof")
	}
	// A FIFO gains writers by open: its last close is the cause.
	const F = "fifo:9"
	ev = seqd(
		call("a", "begin", "close", F, "close w"),
		call("b", "begin", "close", F, "close w"),
		result(call("c", "end", "read", F, "read r"), "EOF"),
	)
	wantArrows(t, ev, "2->3 eof")
}

func TestArrowsMessageTypes(t *testing.T) {
	const Q = "msg:3"
	sends := []Event{
		n(call("a", "begin", "send", Q, `send q "normal" type=2`), 2),
		n(call("a", "begin", "send", Q, `send q "background" type=3`), 3),
		n(call("a", "begin", "send", Q, `send q "urgent" type=1`), 1),
		n(call("a", "begin", "send", Q, `send q "more" type=2`), 2),
	}
	// With the type received (as ipcsh writes it), and without (msgrcv's
	// rule applied to the statement): the same messages.
	for _, typed := range []bool{true, false} {
		recv := func(stmt string, typ int64) Event {
			e := call("b", "end", "recv", Q, stmt)
			if typed {
				e.N = typ
			}
			return e
		}
		ev := seqd(append(append([]Event{}, sends...),
			recv("recv q type=-3", 1),       // the lowest type up to 3
			recv("recv q type=2 except", 3), // the first not of type 2
			recv("recv q", 2),               // the first left
			recv(`recv q type=2`, 2),        // the first of type 2
			recv(`recv q type=2 nowait`, 0), // none left
		)...)
		if !typed {
			ev[8].Result = "error ENOMSG (no message of desired type)"
		}
		t.Run(fmt.Sprint("typed=", typed), func(t *testing.T) {
			wantArrows(t, ev, "3->5 msg type 1", "2->6 msg type 3", "1->7 msg type 2", "4->8 msg type 2")
		})
	}
}

func TestArrowsFailedSend(t *testing.T) {
	const Q = "msg:3"
	s := n(call("a", "begin", "send", Q, `send q "x" nowait`), 1)
	ev := seqd(s, repeat(samePos(s, s.Pos), "error EAGAIN (resource temporarily unavailable)"),
		n(call("a", "begin", "send", Q, `send q "y"`), 1),
		n(call("b", "end", "recv", Q, `recv q`), 1))
	ev[1].Pos = ev[0].Pos
	wantArrows(t, ev, "3->4 msg type 1")
}

func TestArrowsSemaphores(t *testing.T) {
	const S = "sem:5"
	ev := seqd(
		ops(call("a", "begin", "sem v", S, "sem v s"), "0:1"),
		ops(call("b", "begin", "sem v", S, "sem v s"), "0:1"),
		ops(call("c", "end", "sem p", S, "sem p s"), "0:-1"), // the most recent: b's
		ops(call("c", "end", "sem p", S, "sem p s"), "0:-1"), // then a's
		ops(call("c", "end", "sem p", S, "sem p s"), "0:-1"), // value not seen raised: init=
		ops(call("a", "begin", "sem op", S, "sem op s 0:2 1:1"), "0:2 1:1"),
		ops(call("c", "end", "sem op", S, "sem op s 0:-2 1:-1"), "0:-2 1:-1"), // one arrow, both
		ops(call("d", "end", "sem z", S, "sem z s"), "0:0"),                   // after c took index 0 to zero
		ops(call("a", "begin", "sem set", S, "sem set s[1] 3"), "1=3"),
		ops(call("c", "end", "sem op", S, "sem op s 1:-1 0:1"), "1:-1 0:1"), // mixed: takes 1, gives 0
		ops(call("d", "end", "sem p", S, "sem p s"), "0:-1"),
	)
	wantArrows(t, ev,
		"2->3 sem index 0",
		"1->4 sem index 0",
		"6->7 sem index 0 2, index 1",
		"7->8 zero index 0",
		"9->10 sem index 1",
		"10->11 sem index 0")
}

// TestArrowsSemaphoreWoken: a call that had to wait takes the value there
// when it began, then the first raise that came while it waited (the one
// that woke it), not the latest.
func TestArrowsSemaphoreWoken(t *testing.T) {
	const S = "sem:5"
	ev := seqd(
		ops(call("a", "begin", "sem v", S, "sem v s"), "0:1"), // before c began
		ops(call("b", "begin", "sem v", S, "sem v s"), "0:1"),
		ops(call("b", "begin", "sem v", S, "sem v s"), "0:1"),
		ops(call("c", "end", "sem op", S, "sem op s 0:-2"), "0:-2"),
		ops(call("c", "end", "sem p", S, "sem p s"), "0:-1"),
	)
	ev[3].Start = 1500 // c began after a's v, and waited for one of b's
	wantArrows(t, ev, "1->4 sem index 0", "2->4 sem index 0", "3->5 sem index 0")
}

func TestArrowsFailedSemV(t *testing.T) {
	const S = "sem:5"
	v := ops(call("a", "begin", "sem v", S, "sem v s"), "0:1")
	ev := seqd(ops(call("a", "begin", "sem v", S, "sem v s"), "0:1"), v, repeat(v, "error ERANGE (numerical result out of range)"),
		ops(call("b", "end", "sem p", S, "sem p s"), "0:-1"))
	ev[2].Pos = ev[1].Pos
	wantArrows(t, ev, "1->4 sem index 0")
}

func TestArrowsProcesses(t *testing.T) {
	ev := seqd(
		call("main", "begin", "spawn", "proc:kid", "spawn kid"),
		call("main", "begin", "spawn", "proc:wc", "spawn wc exec wc -l stdin=p.r"),
		call("main", "begin", "spawn", "proc:out", `popen out "printf x" read`),
		call("kid", "begin", "close", "pipe:1", "close p.w"), // kid's first event
		printEv("wc", "3"), // an exec'd program's first line
		call("kid", "begin", "exit", "proc:kid", "exit 0"),
		call("main", "end", "wait", "proc:kid", "wait kid"),
		call("wc", "begin", "exit", "proc:wc", "exit 0"),
		call("main", "end", "wait", "proc:wc", "wait wc"),
		call("out", "begin", "exit", "proc:out", "exit 0"),
		call("main", "end", "pclose", "", "pclose out"), // pclose names no object: by its handle
	)
	wantArrows(t, ev, "1->4 spawn", "2->5 spawn", "6->7 exit", "8->9 exit", "3->10 spawn", "10->11 exit")
}

func TestArrowsFIFOOpen(t *testing.T) {
	const F = "fifo:9"
	ev := seqd(
		call("a", "begin", "open", F, `open w "$TMP/f" write`),
		call("b", "end", "open", F, `open r "$TMP/f" read`),
	)
	wantArrows(t, ev, "1->2 open")
}

// TestArrowsStaleOpenObject: interp logs an open for writing before the
// call, with the object of an earlier statement; for a file, it is not
// taken for the file opened.
func TestArrowsStaleOpenObject(t *testing.T) {
	ev := seqd(
		call("main", "begin", "open", "", `open f1 "$TMP/x" write create`),
		call("main", "begin", "open", "file:1", `open f2 "$TMP/y" write create`), // file:1 is f1's
		n(call("main", "begin", "write", "file:2", `write f2 "x"`), 1),
	)
	d := buildDiagram(ev, MaxRows)
	if len(d.lanes) != 2 || d.lanes[1].label != "file f2" {
		t.Errorf("lanes %+v, want main and file f2 only", d.lanes)
	}
	if ev[1].Obj != "file:1" {
		t.Error("the events given were changed")
	}
}

func TestWords(t *testing.T) {
	stmt := `send q "type=5 except \" type=7" type=2`
	if got := stmtInt(stmt, "type"); got != 2 {
		t.Errorf("stmtInt = %d, want 2 (the string's text is not an option)", got)
	}
	if hasWord(stmt, "except") {
		t.Error("hasWord found except inside a string")
	}
	if !hasWord("recv q type=2 except", "except") {
		t.Error("hasWord missed except")
	}
	if got := stmtInt("recv q type=-3", "type"); got != -3 {
		t.Errorf("stmtInt = %d, want -3", got)
	}
}

// readTrace decodes a recorded trace of testdata.
func readTrace(t *testing.T, name string) []Event {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ev, err := Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (go test ./timeline -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", p, got, want)
	}
}

// TestArrowsGolden: the arrows of a real run of testdata/arrows.ipc
// (recorded in arrows.jsonl by `go test ./cmd/ipcsh -run Visual -update`).
func TestArrowsGolden(t *testing.T) {
	ev := readTrace(t, "arrows.jsonl")
	var b strings.Builder
	for _, a := range Arrows(ev) {
		b.WriteString(ArrowLine(ev, a) + "\n")
	}
	golden(t, "arrows.golden", b.String())
}

func TestDecode(t *testing.T) {
	ev, err := Decode(strings.NewReader("{\"seq\":1,\"proc\":\"main\",\"t_ns\":5}\n\n{\"seq\":2,\"proc\":\"c\",\"start_ns\":3}\n"))
	if err != nil || len(ev) != 2 || ev[0].Proc != "main" || ev[0].T != 5 || ev[1].Start != 3 {
		t.Fatalf("Decode = %+v, %v", ev, err)
	}
	_, err = Decode(strings.NewReader("{\"seq\":1}\n{\"seq\":\n"))
	if err == nil || !strings.Contains(err.Error(), "trace line 2") {
		t.Errorf("Decode of a cut line: %v, want an error naming line 2", err)
	}
}

// sem setall gives each semaphore its value: the wait it lets through
// points at it, not at the spawn that started the waiting child
// (issue 18: `sem p s[1] ⟵ #5` named the spawn, not the setall #4).
func TestArrowsSemSetall(t *testing.T) {
	const S = "sem:3"
	ev := seqd(
		ops(call("main", "begin", "sem setall", S, "sem setall s 0 1"), "0=0 1=1"),
		call("main", "begin", "spawn", "proc:child", "spawn child"),
		ops(call("child", "end", "sem p", S, "sem p s[1]"), "1:-1"),
		ops(call("main", "begin", "sem set", S, "sem set s[0] 2"), "0=2"),
		ops(call("child", "end", "sem op", S, "sem op s 0:-2"), "0:-2"),
	)
	wantArrows(t, ev, "1->3 sem index 1", "2->3 spawn", "4->5 sem index 0 2")
}

// A call that never returned took nothing: no arrow ends at it, and the
// value it waited for stays for the next.
func TestArrowsUnfinishedTakeNothing(t *testing.T) {
	const S = "sem:3"
	ev := seqd(
		ops(call("main", "begin", "sem v", S, "sem v s"), "0:1"),
		with(ops(call("main", "end", "sem p", S, "sem p s"), "0:-2"), func(e *Event) { e.Kind, e.Result, e.Start = "unfinished", "cancelled", 1500 }),
		ops(call("main", "end", "sem p", S, "sem p s"), "0:-1"),
	)
	wantArrows(t, ev, "1->3 sem index 0")
}

// Lifelines follow the spawns, main first, whatever order the children
// happened to write in (issue 18: w1, w3, w2 for a script that spawned
// w1, w2, w3); a process never spawned comes last.
func TestProcessesInSpawnOrder(t *testing.T) {
	ev := seqd(
		call("main", "begin", "spawn", "proc:w1", "spawn w1"),
		call("main", "begin", "spawn", "proc:w2", "spawn w2"),
		call("w1", "begin", "write", "pipe:1", "write p.w"),
		call("main", "begin", "spawn", "proc:w3", "spawn w3"),
		call("w3", "begin", "write", "pipe:1", "write p.w"),
		call("popen:ls", "begin", "write", "pipe:1", "write p.w"),
		call("w2", "begin", "write", "pipe:1", "write p.w"),
	)
	if got := strings.Join(processes(ev), " "); got != "main w1 w2 w3 popen:ls" {
		t.Errorf("processes %q, want main w1 w2 w3 popen:ls", got)
	}
	if got := strings.Join(processes(ev[2:]), " "); got != "main w1 w3 popen:ls w2" {
		t.Errorf("without the first spawns: %q, want main w1 w3 popen:ls w2", got)
	}
}

// A kill is linked to the trap's or the sigwait's line that took its
// signal: same receiver, same sender (the line's object), same signal. A
// kill that failed, or whose signal nobody took, has no arrow.
func TestArrowsSignals(t *testing.T) {
	ev := seqd(
		call("main", "begin", "spawn", "proc:w", "spawn w"),
		call("w", "end", "trap", "", "trap SIGUSR1"),
		n(call("main", "begin", "kill", "proc:w", "kill w SIGUSR1 value=5"), 10),
		n(call("main", "begin", "kill", "proc:w", "kill w SIGUSR2"), 12),
		n(call("w", "end", "signal", "proc:main", "signal SIGUSR1 from main value=5"), 10),
		n(call("w", "end", "sigwait", "proc:main", "sigwait SIGUSR2"), 12),
		n(call("w", "end", "signal", "proc:another-process", "signal SIGUSR1 from another-process"), 10),
		n(call("main", "begin", "kill", "proc:w", "kill w SIGUSR1"), 10),
		repeat(n(call("main", "begin", "kill", "proc:w", "kill w SIGUSR1"), 10), "error ESRCH"),
		n(call("w", "end", "signal", "proc:main", "signal SIGUSR1 from main"), 10),
	)
	ev[8].Pos = ev[7].Pos
	wantArrows(t, ev, "1->2 spawn", "3->5 signal", "4->6 signal")
}
