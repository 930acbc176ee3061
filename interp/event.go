package interp

import (
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// EventKind says what an event records.
type EventKind uint8

const (
	// EvCall is one system call of a statement: one transcript line.
	EvCall EventKind = iota + 1
	// EvPrint is the text of a `print`.
	EvPrint
	// EvSync asks the supervisor to report that everything written before
	// it has been printed (the REPL waits for it after each entry).
	EvSync
	// EvUnfinished is a blocking call that began and never returned: the
	// REPL's Ctrl-C cancelled it, or the stall detector stopped the run
	// while it waited (Result says which). Only the trace records it, so
	// that a picture of the run can show what each process was waiting
	// in; the transcript already says it in the error or the report.
	EvUnfinished
	// EvDetail is a line under a statement's own that says more about its
	// result (the objects `ipcs` lists): printed as print's text is, and
	// dropped with the statement's line under -q.
	EvDetail
)

// Phase says where an event stands relative to its system call
// (LANGUAGE.md §4): a publish is written before the call, a consume after it.
type Phase uint8

const (
	PhaseOnce    Phase = iota // neither: written after the call
	PhasePublish              // written before the call
	PhaseConsume              // written after the call returned
	PhaseRepeat               // the second line of a publish that failed or wrote short
)

// Event is one record of the event channel. Events are structured and
// rendered to text only by the printer, so the same stream can feed a
// trace file or a timeline later.
type Event struct {
	Kind   EventKind
	Phase  Phase
	Pid    int32
	Line   int32
	Col    int32
	Time   int64 // monotonic nanoseconds
	Proc   string
	File   string
	Stmt   string
	Result string

	// What a timeline needs to draw arrows between processes, left out of
	// the transcript: the statement's verb ("write", "sem v"), the kernel
	// object it acted on ("pipe:8812", "msg:32769", "proc:child"), a
	// number (bytes moved, a message's type), the semaphore operations
	// ("0:-1 1:1"), and when a blocking call began (0 if it did not block).
	Verb  string
	Obj   string
	N     int64
	Ops   string
	Start int64
	// Note is, on the trace's record of a deadlock, the report's
	// explanation: who waits for whom, the cycle (explain.go).
	Note string
	// Err marks the line of a failed call: -q drops transcript lines
	// but keeps these, and print lines.
	Err bool
}

// pipeBuf is PIPE_BUF: a write(2) of at most this many bytes to a pipe is
// atomic, so events of different processes never interleave.
const pipeBuf = 4096

const headerLen = 2 + 1 + 1 + 1 + 4*3 + 8 + 8 + 8

// encode appends e to buf as one record of at most pipeBuf bytes; overlong
// strings are cut (they were shortened for display long before this).
func (e *Event) encode(buf []byte) []byte {
	strs := [nstrs]string{e.Proc, e.File, e.Stmt, e.Result, e.Verb, e.Obj, e.Ops, e.Note}
	room := pipeBuf - headerLen - nstrs*2
	for i := range strs {
		// Statements, results and operations share what the fixed fields
		// leave; names, files and verbs are short.
		if (i == 2 || i == 3 || i == 6 || i == 7) && len(strs[i]) > room/4 {
			strs[i] = strs[i][:room/4] + "…"
		}
	}
	n := headerLen
	for _, s := range strs {
		n += 2 + len(s)
	}
	start := len(buf)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(n))
	var flags byte
	if e.Err {
		flags = 1
	}
	buf = append(buf, byte(e.Kind), byte(e.Phase), flags)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(e.Pid))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(e.Line))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(e.Col))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Time))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.N))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Start))
	for _, s := range strs {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(len(s)))
		buf = append(buf, s...)
	}
	_ = start
	return buf
}

var errShortRecord = errors.New("short event record")

// nstrs is the number of strings in an encoded event.
const nstrs = 8

// decode reads one record from b, returning the bytes it used.
func decode(b []byte) (Event, int, error) {
	if len(b) < 2 {
		return Event{}, 0, errShortRecord
	}
	n := int(binary.LittleEndian.Uint16(b))
	if n < headerLen || len(b) < n {
		return Event{}, 0, errShortRecord
	}
	e := Event{
		Kind:  EventKind(b[2]),
		Phase: Phase(b[3]),
		Err:   b[4]&1 != 0,
		Pid:   int32(binary.LittleEndian.Uint32(b[5:])),
		Line:  int32(binary.LittleEndian.Uint32(b[9:])),
		Col:   int32(binary.LittleEndian.Uint32(b[13:])),
		Time:  int64(binary.LittleEndian.Uint64(b[17:])),
		N:     int64(binary.LittleEndian.Uint64(b[25:])),
		Start: int64(binary.LittleEndian.Uint64(b[33:])),
	}
	p := headerLen
	var strs [nstrs]string
	for i := range strs {
		if p+2 > n {
			return Event{}, 0, errShortRecord
		}
		l := int(binary.LittleEndian.Uint16(b[p:]))
		p += 2
		if p+l > n {
			return Event{}, 0, errShortRecord
		}
		strs[i] = string(b[p : p+l])
		p += l
	}
	e.Proc, e.File, e.Stmt, e.Result = strs[0], strs[1], strs[2], strs[3]
	e.Verb, e.Obj, e.Ops, e.Note = strs[4], strs[5], strs[6], strs[7]
	return e, n, nil
}

// emitter writes this process's events to the run's event pipe, one
// write(2) per event.
type emitter struct {
	mu   sync.Mutex // output capture goroutines emit too
	fd   int
	pid  int32
	buf  []byte
	held []byte // encoded events not written yet (emit)
	// attempts: the retry attempts under way (retry.go).
	attempts []attempt
}

func newEmitter(fd int) *emitter {
	return &emitter{fd: fd, pid: int32(unix.Getpid()), buf: make([]byte, 0, pipeBuf)}
}

// now is CLOCK_MONOTONIC, read through the vDSO as the runtime reads it:
// no system call, and the very clock every process of the run reads, so a
// consume stamped after its publish returned always has the later time.
// An offset between time.Now and one clock_gettime taken at start-up is
// not enough: a process preempted between the two reads carried the gap
// into every time it stamped, and a trace once showed a consume 2.8 ms
// before the publish that enabled it.
func (em *emitter) now() int64 { return monotonicNow() }

// emit writes e to the run's event pipe. An event that publishes nothing
// (a consume, a print, a statement that only asks) is held back and goes
// out in the same write(2) as the process's next publish, or before it
// next blocks (flush), or at its end: LANGUAGE.md §4 lets it, since no
// other process can have acted on it yet, and a statement that publishes
// then costs one write(2) for the lines before it, not one each. Held
// events keep their times, and never more than PIPE_BUF bytes are held,
// so a write stays atomic.
func (em *emitter) emit(e *Event) error {
	return em.put(e, e.Phase == PhasePublish || e.Kind == EvSync)
}

// emitNow writes e and everything held at once: an exec'd program's
// output, which arrives while the process may be blocked for a long time.
func (em *emitter) emitNow(e *Event) error { return em.put(e, true) }

func (em *emitter) put(e *Event, now bool) error {
	em.mu.Lock()
	defer em.mu.Unlock()
	if e.Pid == 0 { // else written for another process: its deadlock, a program's output
		e.Pid = em.pid
	}
	e.Time = em.now()
	em.buf = e.encode(em.buf[:0])
	if len(em.held)+len(em.buf) > pipeBuf {
		if err := em.writeHeld(); err != nil {
			return err
		}
	}
	em.held = append(em.held, em.buf...)
	if now {
		return em.writeHeld()
	}
	return nil
}

// flush writes the events held back. A process calls it before it blocks
// and at its end.
func (em *emitter) flush() error {
	em.mu.Lock()
	defer em.mu.Unlock()
	return em.writeHeld()
}

func (em *emitter) writeHeld() error {
	if len(em.attempts) > 0 {
		em.holdAttempts()
		defer func() {
			for i := range em.attempts {
				em.attempts[i].mark = 0
			}
		}()
	}
	defer func() { em.held = em.held[:0] }()
	for off := 0; off < len(em.held); {
		n, err := ipc.Write(em.fd, em.held[off:])
		if err != nil {
			return err
		}
		off += n
	}
	return nil
}

// supervisor is the only reader of the event pipe and the only printer
// (DESIGN.md): every process writes, the main process alone prints, so
// the transcript shows events in the order they entered the pipe.
type supervisor struct {
	rfd     int
	print   func(*Event)
	flush   func() // after the events of one read: write what print gathered
	done    chan struct{}
	mu      sync.Mutex
	syncs   map[string]chan struct{}
	readErr error
	hold    attemptHold // events kept back while a retry attempt is undecided
}

func startSupervisor(rfd int, print func(*Event), flush func()) *supervisor {
	s := &supervisor{rfd: rfd, print: print, flush: flush, done: make(chan struct{}), syncs: map[string]chan struct{}{}}
	go s.loop()
	return s
}

func (s *supervisor) loop() {
	defer close(s.done)
	defer func() { s.hold.flush(s.print); s.flush() }() // a run that ended mid-attempt
	buf := make([]byte, 64*1024)
	have := 0
	for {
		n, err := ipc.Read(s.rfd, buf[have:])
		if err != nil {
			s.readErr = err
			return
		}
		if n == 0 {
			return
		}
		have += n
		off := 0
		for {
			e, used, err := decode(buf[off:have])
			if err != nil {
				break
			}
			off += used
			if e.Kind == EvSync {
				s.flush() // what came before the sync is printed when it returns
				s.mu.Lock()
				if ch := s.syncs[e.Stmt]; ch != nil {
					close(ch)
					delete(s.syncs, e.Stmt)
				}
				s.mu.Unlock()
				continue
			}
			if s.hold.take(&e, s.print) {
				continue
			}
			s.print(&e)
		}
		s.flush()
		have = copy(buf, buf[off:have])
	}
}

// expectSync registers a token whose EvSync the caller will then emit.
func (s *supervisor) expectSync(token string) chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	s.syncs[token] = ch
	s.mu.Unlock()
	return ch
}

// printer renders events as transcript lines.
type printer struct {
	w       io.Writer
	verbose bool
	// quiet is -q: the transcript lines of calls are dropped here, not
	// in the processes, so print lines and errors of every process and
	// every traced event still arrive.
	quiet   bool
	tmp     func() string // the run's tmp directory, shown as $TMP
	mu      sync.Mutex
	pending []byte // lines not written yet
	// failed is called once when the transcript cannot be written (a
	// reader that went away: `ipcsh x.ipc | head -1`); nothing more is
	// written after it.
	failed func(error)
	broken bool
}

func (p *printer) line(e *Event) string {
	var b strings.Builder
	prefix := e.Proc
	if p.verbose {
		prefix += "[" + strconv.Itoa(int(e.Pid)) + "]"
	}
	switch e.Kind {
	case EvPrint, EvDetail:
		for i, l := range strings.Split(e.Result, "\n") {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(prefix)
			b.WriteString(": ")
			b.WriteString(l)
		}
	default:
		b.WriteString(prefix)
		b.WriteString(": ")
		b.WriteString(e.Stmt)
		if e.Result != "" {
			b.WriteString(" -> ")
			b.WriteString(e.Result)
		}
	}
	s := b.String()
	if !p.verbose {
		if t := p.tmp(); t != "" {
			s = strings.ReplaceAll(s, t, "$TMP")
		}
	}
	return s
}

// print renders e; the line is written by flush, with the other lines of
// the same read of the event pipe: one write(2) for them all.
func (p *printer) print(e *Event) {
	if p.quiet && (e.Kind == EvCall && !e.Err || e.Kind == EvDetail) {
		return
	}
	s := p.line(e)
	p.mu.Lock()
	p.pending = append(append(p.pending, s...), '\n')
	p.mu.Unlock()
}

func (p *printer) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) > 0 && !p.broken {
		if _, err := p.w.Write(p.pending); err != nil {
			p.broken = true
			if p.failed != nil {
				p.failed(err)
			}
		}
	}
	p.pending = p.pending[:0]
}

// evNote is what a statement tells its next event beyond the transcript
// line: the fields of Event that a timeline uses. Statements fill it just
// before they publish or report; emitting clears it.
type evNote struct {
	verb, obj, ops string
	n, start       int64
	err            bool
}

// note fills the next event's object and number.
func (p *Proc) note(obj string, n int64) { p.ev.obj, p.ev.n = obj, n }
