package timeline

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Arrow links a publish to a consume it enabled: events[From] happened
// before events[To], and To took what From gave (bytes, a message, a
// semaphore's value, a child's start or its exit status).
type Arrow struct {
	From, To int    // indexes into the events given to Arrows
	Kind     string // pipe, fifo, eof, open, msg, sem, zero, spawn, exit, signal
	Label    string // what went along it: "7 bytes", "type 2", "index 0"; "" when the kind says it all
}

// Arrows replays every kernel object of the run from its events and
// returns who enabled whom, ordered by consume, then by publish.
//
//   - write -> read on a pipe or FIFO, by byte order: each read takes its
//     bytes from the front of the object's queue of written chunks, so a
//     read that spans two writes gets an arrow from each, and a write split
//     over two reads sends an arrow to each. A short write or a failed one
//     (the repeated line with "-> 3 of 6" or "-> error ...") is corrected.
//   - close -> a read at EOF: from every close of a pipe's write end (a
//     handle not named ….r) before it, or the last such close of a FIFO.
//     The trace does not say which end a close closed, so this one is a
//     reading of names, not a certainty.
//   - open for writing -> open for reading of the same FIFO (a rendezvous),
//     when the open for writing names its FIFO (interp does not yet: it
//     logs the line before the call, see trusted).
//   - send -> recv on a queue: a simulated queue. The recv event carries the
//     type it received, and messages of one type leave in order, so the
//     first queued message of that type is the one; without it the type
//     rule of msgrcv(2) is applied to the statement (type=0, >0, <0, except).
//   - sem v (or a sem op with only positive deltas, sem set, sem setall) -> the sem p
//     or sem op whose decrement it let through: the value of each semaphore
//     is kept as the list of publishes that raised it, and a decrement
//     takes from the most recent of those before the call began, then from
//     those that came while it waited, oldest first (see takeValue). Value
//     the trace never saw raised (init=, another program) has no arrow. A
//     wait for zero (sem z, a 0 delta) gets an arrow from the last
//     decrement of that semaphore.
//   - spawn -> the child's first event; a child's exit -> the wait or
//     pclose that reaped it.
//   - kill -> the line of the trap or the sigwait that took the signal: its
//     object names the sender and N the signal, and the receiver's oldest
//     kill from that sender with that signal is the one. A signal the kernel
//     merged with a second one of its kind leaves that kill without arrow.
//
// Events of objects the trace cannot see through (an exec'd program
// reading a pipe, a message sent by ipcmk) simply have no arrow.
func Arrows(events []Event) []Arrow {
	m := newMatcher(trusted(events))
	for i := range events {
		m.event(i)
	}
	arrows := m.merged()
	sort.SliceStable(arrows, func(a, b int) bool {
		if arrows[a].To != arrows[b].To {
			return arrows[a].To < arrows[b].To
		}
		return arrows[a].From < arrows[b].From
	})
	return arrows
}

// A chunk is one write's bytes in a pipe; taken counts those read so far.
type chunk struct {
	ev          int
	size, taken int64
}

// A message waits in a simulated queue.
type message struct {
	ev  int
	typ int64
}

// A token is value a publish added to one semaphore.
type token struct {
	ev    int
	count int64
}

// pending is the last publish of a process: if its next line repeats the
// statement, the call failed or was short, and what it published is
// corrected.
type pending struct {
	ev     int
	chunk  *chunk
	msg    *message
	tokens []*token
	isOpen bool
}

type matcher struct {
	ev     []Event
	out    []Arrow
	pipes  map[string][]*chunk   // obj -> written chunks not yet read
	closes map[string][]int      // obj -> close events
	opens  map[string][]int      // FIFO obj -> opens for writing
	queues map[string][]*message // msg obj -> messages not yet received
	sems   map[string][]*token   // "sem:ID[I]" -> the publishes behind its value
	lastDn map[string]int        // "sem:ID[I]" -> the last event that lowered it
	spawn  map[string]int        // child name -> its spawn, until its first event
	exit   map[string]int        // child name -> its exit line
	kills  map[string][]int      // process -> kills aimed at it, not yet taken
	last   map[string]*pending   // process -> its last publish
}

func newMatcher(ev []Event) *matcher {
	return &matcher{ev: ev,
		pipes: map[string][]*chunk{}, closes: map[string][]int{}, opens: map[string][]int{},
		queues: map[string][]*message{}, sems: map[string][]*token{}, lastDn: map[string]int{},
		spawn: map[string]int{}, exit: map[string]int{}, kills: map[string][]int{}, last: map[string]*pending{}}
}

func (m *matcher) add(from, to int, kind, label string) {
	m.out = append(m.out, Arrow{From: from, To: to, Kind: kind, Label: label})
}

func (m *matcher) event(i int) {
	e := &m.ev[i]
	if s, ok := m.spawn[e.Proc]; ok {
		delete(m.spawn, e.Proc)
		m.add(s, i, "spawn", "")
	}
	if p := m.last[e.Proc]; p != nil {
		delete(m.last, e.Proc)
		if m.isRepeat(p, e) {
			m.correct(p, e)
			return
		}
	}
	if e.isPrint() || e.unfinished() {
		return // an unfinished call took nothing and gave nothing
	}
	publish := e.Phase == "begin"
	if e.failed() && !publish {
		return // a consume that failed took nothing
	}
	kind := e.objKind()
	switch {
	case e.Verb == "spawn" && kind == "proc":
		m.spawn[strings.TrimPrefix(e.Obj, "proc:")] = i
		m.last[e.Proc] = &pending{ev: i}
	case e.Verb == "exit" && e.Obj == "proc:"+e.Proc:
		m.exit[e.Proc] = i
	case e.Verb == "kill" && kind == "proc" && publish:
		to := strings.TrimPrefix(e.Obj, "proc:")
		m.kills[to] = append(m.kills[to], i)
		m.last[e.Proc] = &pending{ev: i}
	case (e.Verb == "signal" || e.Verb == "sigwait") && kind == "proc":
		from := strings.TrimPrefix(e.Obj, "proc:")
		for k, x := range m.kills[e.Proc] {
			if m.ev[x].Proc == from && m.ev[x].N == e.N {
				m.kills[e.Proc] = slices.Delete(m.kills[e.Proc], k, k+1)
				m.add(x, i, "signal", "")
				break
			}
		}
	case e.Verb == "wait" || e.Verb == "pclose":
		name := strings.TrimPrefix(e.Obj, "proc:")
		if kind != "proc" {
			name = e.handle() // pclose NAME: the popen fd names the process
		}
		if x, ok := m.exit[name]; ok {
			delete(m.exit, name)
			m.add(x, i, "exit", "")
		}
	case kind == "pipe" || kind == "fifo":
		m.stream(i, e, kind, publish)
	case kind == "msg" || kind == "mq": // SysV and POSIX queues
		m.queue(i, e, publish)
	case kind == "sem" || kind == "psem": // a POSIX semaphore is index 0 of one
		m.semaphore(i, e, publish)
	}
}

// isRepeat says whether e is the second line of the publish p: the same
// statement of the same process, with the result of its call.
func (m *matcher) isRepeat(p *pending, e *Event) bool {
	q := &m.ev[p.ev]
	return e.Phase == "end" && e.Kind == "call" && e.Verb == q.Verb && e.Pos == q.Pos && e.Stmt == q.Stmt
}

// correct applies a repeated publish line: a failed call published
// nothing, a short write only part of its bytes.
func (m *matcher) correct(p *pending, e *Event) {
	q := &m.ev[p.ev]
	failed := e.failed()
	switch {
	case p.chunk != nil:
		size := e.N
		if failed {
			size = 0
		}
		p.chunk.size = max(size, p.chunk.taken)
	case p.msg != nil && failed:
		m.queues[q.Obj] = removeMsg(m.queues[q.Obj], p.msg)
	case p.tokens != nil && failed:
		for _, t := range p.tokens {
			t.count = 0 // emptied tokens are skipped when value is taken
		}
	case q.Verb == "kill" && failed:
		to := strings.TrimPrefix(q.Obj, "proc:")
		m.kills[to] = removeInt(m.kills[to], p.ev)
	case q.Verb == "spawn" && failed:
		delete(m.spawn, strings.TrimPrefix(q.Obj, "proc:"))
	case q.Verb == "close" && failed:
		m.closes[q.Obj] = removeInt(m.closes[q.Obj], p.ev)
	case p.isOpen && failed:
		m.opens[q.Obj] = removeInt(m.opens[q.Obj], p.ev)
	}
}

// stream handles pipes and FIFOs: bytes in order, EOF after closes.
func (m *matcher) stream(i int, e *Event, kind string, publish bool) {
	switch {
	case e.Verb == "write" && publish:
		c := &chunk{ev: i, size: e.N}
		m.pipes[e.Obj] = append(m.pipes[e.Obj], c)
		m.last[e.Proc] = &pending{ev: i, chunk: c}
	case e.Verb == "close" && publish:
		m.closes[e.Obj] = append(m.closes[e.Obj], i)
		m.last[e.Proc] = &pending{ev: i}
	case e.Verb == "open" && publish && kind == "fifo":
		m.opens[e.Obj] = append(m.opens[e.Obj], i)
		m.last[e.Proc] = &pending{ev: i, isOpen: true}
	case e.Verb == "open" && !publish && kind == "fifo" && hasWord(e.Stmt, "read"):
		if o := m.opens[e.Obj]; len(o) > 0 {
			m.add(o[len(o)-1], i, "open", "")
		}
	case e.Verb == "read" && !publish:
		if e.N == 0 && e.Result == "EOF" {
			m.eof(i, e, kind)
			return
		}
		m.takeBytes(i, e, kind)
	}
}

// takeBytes gives a read its bytes from the front of the queue.
func (m *matcher) takeBytes(i int, e *Event, kind string) {
	q := m.pipes[e.Obj]
	want := e.N
	for want > 0 && len(q) > 0 {
		c := q[0]
		n := min(c.size-c.taken, want)
		if n > 0 {
			c.taken += n
			want -= n
			m.add(c.ev, i, kind, plural(n, "byte"))
		}
		if c.taken >= c.size {
			q = q[1:]
		}
	}
	m.pipes[e.Obj] = q
}

// eof links a read at end of file to the closes that caused it. A pipe
// reads EOF once every copy of its write end is closed, so each close of
// a write end before it enabled it: which of them came last is a matter
// of timing (a child's close of its inherited copy races its parent's),
// and a picture of the last alone changed from run to run. A FIFO gains
// writers by open, so there the cause is taken to be the last close.
func (m *matcher) eof(i int, e *Event, kind string) {
	reader := e.handle()
	cl := m.closes[e.Obj]
	for k := len(cl) - 1; k >= 0; k-- {
		c := &m.ev[cl[k]]
		h := c.handle()
		if strings.HasSuffix(h, ".r") || (c.Proc == e.Proc && h == reader) {
			continue // a read end: closing it ends nobody's reading
		}
		m.add(cl[k], i, "eof", "")
		if kind != "pipe" {
			return
		}
	}
}

// queue handles SysV message queues.
func (m *matcher) queue(i int, e *Event, publish bool) {
	switch {
	case e.Verb == "send" && publish:
		msg := &message{ev: i, typ: e.N}
		m.queues[e.Obj] = append(m.queues[e.Obj], msg)
		m.last[e.Proc] = &pending{ev: i, msg: msg}
	case e.Verb == "recv" && !publish:
		q := m.queues[e.Obj]
		k, label := -1, "type "
		if e.objKind() == "mq" {
			// mq_receive takes the oldest of the highest priority, and N is
			// the priority it got: the first message of that priority.
			label = "prio "
			for j, msg := range q {
				if msg.typ == e.N {
					k = j
					break
				}
			}
		} else {
			k = pickMessage(q, e)
		}
		if k < 0 {
			return
		}
		m.add(q[k].ev, i, "msg", label+strconv.FormatInt(q[k].typ, 10))
		m.queues[e.Obj] = append(q[:k:k], q[k+1:]...)
	}
}

// pickMessage is the index in q of the message the recv e received, or -1.
func pickMessage(q []*message, e *Event) int {
	if e.N > 0 {
		// The type received: messages of one type leave in the order they
		// came, so the first of that type is the one, whatever the rule.
		for k, msg := range q {
			if msg.typ == e.N {
				return k
			}
		}
		return -1
	}
	return msgrcvRule(q, stmtInt(e.Stmt, "type"), hasWord(e.Stmt, "except"))
}

// msgrcvRule is msgrcv(2)'s choice: type 0 the first message, >0 the
// first of that type (except: the first not of it), <0 the first of the
// lowest type up to |type|.
func msgrcvRule(q []*message, typ int64, except bool) int {
	best := -1
	for k, msg := range q {
		switch {
		case typ == 0:
			return k
		case typ > 0 && !except && msg.typ == typ, typ > 0 && except && msg.typ != typ:
			return k
		case typ < 0 && msg.typ <= -typ && (best < 0 || msg.typ < q[best].typ):
			best = k
		}
	}
	return best
}

// semaphore handles SysV semaphore sets, one value per index.
func (m *matcher) semaphore(i int, e *Event, publish bool) {
	if e.Verb == "sem set" || e.Verb == "sem setall" {
		// "0=3", or for setall one "I=V" per semaphore: each value is
		// now this publish's alone.
		p := &pending{ev: i}
		for _, f := range strings.Fields(e.Ops) {
			idx, val, ok := strings.Cut(f, "=")
			v, err := strconv.ParseInt(val, 10, 64)
			if !ok || err != nil {
				continue
			}
			key := e.Obj + "[" + idx + "]"
			t := &token{ev: i, count: v}
			m.sems[key] = []*token{t}
			if v == 0 {
				m.lastDn[key] = i
			}
			p.tokens = append(p.tokens, t)
		}
		m.last[e.Proc] = p
		return
	}
	ops := parseOps(e.Ops)
	if publish {
		p := &pending{ev: i}
		for _, op := range ops {
			if op.delta > 0 {
				t := &token{ev: i, count: op.delta}
				key := e.Obj + "[" + strconv.Itoa(op.idx) + "]"
				m.sems[key] = append(m.sems[key], t)
				p.tokens = append(p.tokens, t)
			}
		}
		m.last[e.Proc] = p
		return
	}
	// A consume: decrements take value, zeros wait for it to be gone, and
	// increments of a mixed operation add value after the rest succeeded.
	for _, op := range ops {
		key := e.Obj + "[" + strconv.Itoa(op.idx) + "]"
		name := "index " + strconv.Itoa(op.idx)
		switch {
		case op.delta < 0:
			m.takeValue(i, key, name, -op.delta)
			m.lastDn[key] = i
		case op.delta == 0:
			if d, ok := m.lastDn[key]; ok && d != i {
				m.add(d, i, "zero", name)
			}
		}
	}
	for _, op := range ops {
		if op.delta > 0 {
			key := e.Obj + "[" + strconv.Itoa(op.idx) + "]"
			m.sems[key] = append(m.sems[key], &token{ev: i, count: op.delta})
		}
	}
}

// takeValue takes n from a semaphore's value for the consume i. A count
// does not say whose raise was taken; the order chosen is the one that
// explains the run: first the value there when the call began, most
// recent raise first (any of it let the call through at once; the latest
// is what made it possible), then the value raised while it waited,
// oldest first (the first raise is the one that woke it).
func (m *matcher) takeValue(i int, key, name string, n int64) {
	began := m.ev[i].Start
	if began == 0 {
		began = m.ev[i].T
	}
	st := m.sems[key]
	var order []*token
	for k := len(st) - 1; k >= 0; k-- {
		if m.ev[st[k].ev].T <= began {
			order = append(order, st[k])
		}
	}
	for _, t := range st {
		if m.ev[t.ev].T > began {
			order = append(order, t)
		}
	}
	for _, t := range order {
		if n == 0 {
			break
		}
		k := min(t.count, n)
		if k == 0 {
			continue
		}
		t.count -= k
		n -= k
		label := name
		if k > 1 {
			label += " " + strconv.FormatInt(k, 10)
		}
		m.add(t.ev, i, "sem", label)
	}
	left := st[:0]
	for _, t := range st {
		if t.count > 0 {
			left = append(left, t)
		}
	}
	m.sems[key] = left
}

// merged joins arrows between the same two events (a read that took two
// chunks of one write cannot happen, but a semaphore op with two indexes
// raised by one op can): one arrow, labels joined.
func (m *matcher) merged() []Arrow {
	type pair struct{ from, to int }
	seen := map[pair]int{}
	var out []Arrow
	for _, a := range m.out {
		p := pair{a.From, a.To}
		if k, ok := seen[p]; ok {
			if !slices.Contains(strings.Split(out[k].Label, ", "), a.Label) {
				out[k].Label += ", " + a.Label
			}
			continue
		}
		seen[p] = len(out)
		out = append(out, a)
	}
	return out
}

type semOp struct {
	idx   int
	delta int64
}

// parseOps reads "0:-1 1:1"; malformed parts are skipped.
func parseOps(s string) []semOp {
	var ops []semOp
	for _, f := range strings.Fields(s) {
		a, b, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		idx, err1 := strconv.Atoi(a)
		d, err2 := strconv.ParseInt(b, 10, 64)
		if err1 == nil && err2 == nil {
			ops = append(ops, semOp{idx, d})
		}
	}
	return ops
}

// stmtInt is the integer option name=V of a statement, or 0.
func stmtInt(stmt, name string) int64 {
	for _, w := range words(stmt) {
		if v, ok := strings.CutPrefix(w, name+"="); ok {
			n, err := strconv.ParseInt(v, 0, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}

// hasWord says whether a bare word appears in the statement.
func hasWord(stmt, word string) bool {
	for _, w := range words(stmt) {
		if w == word {
			return true
		}
	}
	return false
}

// words splits a statement at spaces, leaving out its string literals
// (as the transcript quotes them, Go's %q), so that the text a statement
// sends is never taken for one of its options.
func words(stmt string) []string {
	var out []string
	for _, f := range fields(stmt) {
		if !strings.HasPrefix(f, `"`) {
			out = append(out, f)
		}
	}
	return out
}

func removeMsg(q []*message, x *message) []*message {
	for k, msg := range q {
		if msg == x {
			return append(q[:k:k], q[k+1:]...)
		}
	}
	return q
}

func removeInt(s []int, x int) []int {
	for k, v := range s {
		if v == x {
			return append(s[:k:k], s[k+1:]...)
		}
	}
	return s
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	if strings.HasSuffix(unit, "s") {
		return fmt.Sprintf("%d %ses", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// ArrowLine is an arrow as one line of text, the form of the golden
// files: `from PROC: STMT @FILE:LINE:COL -> to PROC: STMT @POS [KIND LABEL]`.
func ArrowLine(events []Event, a Arrow) string {
	f, t := &events[a.From], &events[a.To]
	what := a.Kind
	if a.Label != "" {
		what += " " + a.Label
	}
	return fmt.Sprintf("from %s: %s @%s -> to %s: %s @%s [%s]",
		f.Proc, f.text(), f.shortPos(), t.Proc, t.text(), t.shortPos(), what)
}
