package interp

import (
	"errors"
	"time"

	"ipcsh/lang"
)

// `retry DUR STATEMENT` (LANGUAGE.md §3): the statement runs again, after
// a short pause, while it fails with a system call's error, until it
// succeeds or DUR has passed. Only the attempt that counted is in the
// transcript, so a script that waits for a peer's queue prints the same
// lines on every run.
//
// An attempt's lines must still go out when LANGUAGE.md §4 says: a
// publish before its call, a consume before the process next blocks. So
// they are not kept back in the process. Each attempt is bracketed
// instead: the emitter notes where the attempt's events start, and
// - if nothing of the attempt reached the event pipe, a failed attempt
//   just forgets its events, which cost nothing;
// - once something did, the emitter first writes an EvHold record, and
//   the supervisor keeps back every event it reads from then on (of every
//   process: a line that the attempt's publish enabled must not overtake
//   it) until the attempt's EvDrop, which removes the attempt's events,
//   or EvKeep, which lets them go.
// A failed attempt of a publish costs one more write(2); the transcript
// waits while such an attempt is undecided.

// Hold, drop and keep records bracket a retry attempt in the event pipe.
const (
	EvHold EventKind = iota + 10
	EvKeep
	EvDrop
)

// retryPause is the pause between two attempts: short at first, then
// longer, so that a peer that takes a while costs few attempts.
func retryPause(n int) time.Duration {
	return min(time.Millisecond<<min(n, 6), 50*time.Millisecond)
}

type attempt struct {
	proc string
	mark int  // where the attempt's events start in held
	sent bool // the EvHold record went out: the supervisor holds
}

func (c *compiler) retryStmt(r *lang.Retry) stmtFn {
	limit := c.expr(r.For)
	pos := startOf(r.For)
	body, _ := c.wrapped(r.Body)
	return func(p *Proc) error {
		d, err := limit(p)
		if err != nil {
			return err
		}
		if d.K != KInt || d.I < 0 {
			return errorf(pos, "retry: expected a duration such as 2s, found %s", d.quote(false))
		}
		deadline := time.Now().Add(time.Duration(d.I))
		for n := 0; ; n++ {
			p.em.beginAttempt(p.name)
			err := p.runBlock(body)
			var e *Error
			again := errors.As(err, &e) && e.Errno != 0 && time.Now().Before(deadline)
			if !again {
				p.em.endAttempt(p.name, true)
				return err
			}
			p.em.endAttempt(p.name, false)
			p.curStmt, p.curPos = "retry", r.Pos // what an interrupt cancels
			if err := p.pause(min(retryPause(n), time.Until(deadline))); err != nil {
				return err
			}
		}
	}
}

// beginAttempt notes where an attempt's events start.
func (em *emitter) beginAttempt(proc string) {
	em.mu.Lock()
	defer em.mu.Unlock()
	em.attempts = append(em.attempts, attempt{proc: proc, mark: len(em.held)})
}

// endAttempt keeps or forgets the events of the attempt that ends.
func (em *emitter) endAttempt(proc string, keep bool) {
	em.mu.Lock()
	a := em.attempts[len(em.attempts)-1]
	em.attempts = em.attempts[:len(em.attempts)-1]
	if !a.sent && !keep {
		em.held = em.held[:min(a.mark, len(em.held))]
	}
	em.mu.Unlock()
	if !a.sent {
		return
	}
	kind := EvKeep
	if !keep {
		kind = EvDrop
	}
	_ = em.put(&Event{Kind: kind, Proc: proc}, true)
}

// holdAttempts puts, before anything of an open attempt reaches the
// pipe, the EvHold record that makes the supervisor keep events back.
// writeHeld calls it with the emitter's lock held.
func (em *emitter) holdAttempts() {
	for i := range em.attempts {
		a := &em.attempts[i]
		if a.sent || len(em.held) <= a.mark {
			continue
		}
		rec := (&Event{Kind: EvHold, Proc: a.proc, Pid: em.pid}).encode(nil)
		mark := min(a.mark, len(em.held))
		em.held = append(em.held[:mark], append(rec, em.held[mark:]...)...)
		for j := i + 1; j < len(em.attempts); j++ {
			em.attempts[j].mark += len(rec)
		}
		a.sent = true
	}
}

// attemptHold keeps back the events read while some attempt is undecided.
type attemptHold struct {
	queue []Event
	open  map[string][]int // per process: where each open hold starts in queue
	n     int              // open holds
}

// take handles e; it returns false when e is to be printed now.
func (h *attemptHold) take(e *Event, release func(*Event)) bool {
	switch e.Kind {
	case EvHold:
		if h.open == nil {
			h.open = map[string][]int{}
		}
		h.open[e.Proc] = append(h.open[e.Proc], len(h.queue))
		h.n++
		return true
	case EvKeep, EvDrop:
		starts := h.open[e.Proc]
		if len(starts) == 0 {
			return true
		}
		if e.N < 0 {
			// The process died in an attempt (releaseHolds): what it
			// emitted was real, and nothing more of it will come.
			h.n -= len(starts) - 1
			starts = starts[:1]
		}
		from := starts[len(starts)-1]
		h.open[e.Proc] = starts[:len(starts)-1]
		h.n--
		if e.Kind == EvDrop {
			// Other processes' holds that start later move down by the
			// events removed before them.
			removed := make([]int, len(h.queue)+1)
			kept := h.queue[:from]
			for i, q := range h.queue[from:] {
				removed[from+i+1] = removed[from+i]
				if q.Proc != e.Proc {
					kept = append(kept, q)
				} else {
					removed[from+i+1]++
				}
			}
			for _, list := range h.open {
				for i, s := range list {
					list[i] = s - removed[s]
				}
			}
			h.queue = kept
		}
		if h.n == 0 {
			h.flush(release)
		}
		return true
	}
	if h.n > 0 {
		h.queue = append(h.queue, *e)
		return true
	}
	return false
}

func (h *attemptHold) flush(release func(*Event)) {
	for i := range h.queue {
		release(&h.queue[i])
	}
	h.queue = h.queue[:0]
}

// releaseHolds lets the supervisor go on when a child that a signal killed
// may have died inside a retry attempt, whose end it would otherwise wait
// for until the run ends. A child that ended any other way closed its
// attempts itself.
func (r *Runner) releaseHolds(h *procHandle) {
	if h.exec || !h.ws.Signaled() || r.main == nil {
		return
	}
	_ = r.main.em.put(&Event{Kind: EvKeep, Proc: h.name, N: -1}, true)
}
