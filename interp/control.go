package interp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func execPrint(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	var b strings.Builder
	for i := range c.params {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.param(i).text(p.run.cfg.Verbose))
	}
	s := b.String()
	if len(s) > pipeBuf/2 {
		s = s[:pipeBuf/2] + "… (" + strconv.Itoa(len(s)) + " bytes)"
	}
	p.emit(EvPrint, PhaseOnce, c.pos, "", s)
	return Value{}, nil
}

func execSleep(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	d := c.param(0)
	if d.K != KInt || d.I < 0 {
		return Value{}, errorf(c.pos, "sleep: expected a duration such as 10ms, found %s", d.quote(false))
	}
	p.curStmt, p.curPos = c.src, c.pos // what an interrupt cancels
	if err := p.pause(time.Duration(d.I)); err != nil {
		var cut *sleepCut
		if !errors.As(err, &cut) {
			return Value{}, err
		}
		if p.emitting() {
			p.emit(EvCall, PhaseOnce, c.pos, "sleep "+formatDuration(d.I), cut.Error())
		}
		return Value{}, nil
	}
	if p.emitting() {
		p.emit(EvCall, PhaseOnce, c.pos, "sleep "+formatDuration(d.I), "")
	}
	return Value{}, nil
}

func execExit(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	code := int64(0)
	if c.nparams() > 0 {
		v := c.param(0)
		if v.K != KInt {
			return Value{}, errorf(c.pos, "exit: expected an int status, found %s", v.typeName())
		}
		code = v.I
	}
	if code < 0 || code > 255 {
		return Value{}, errorf(c.pos, "exit: status %d is outside 0..255", code)
	}
	// The exit line is printed when the process really ends, after it has
	// waited for its own children (Runner.End).
	return Value{}, &ExitError{Code: int(code), Pos: c.pos}
}

func execBreak(*Proc, *command) (Value, error) { return Value{}, errBreak }

func execContinue(*Proc, *command) (Value, error) { return Value{}, errContinue }

// execExpect shows both sides of a failed comparison.
func execExpect(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	msg := "expect failed"
	if c.nparams() > 1 {
		msg += ": " + c.param(1).text(false)
	}
	if c.cmpL != nil {
		l, r, err := both(p, c.cmpL, c.cmpR)
		if err != nil {
			return Value{}, err
		}
		ok, err := compare(c.pos, c.cmpOp, l, r)
		if err != nil || ok {
			return Value{}, err
		}
		// Both sides with their types: `1 == "1"` is false, and says why.
		return Value{}, &Error{Pos: c.pos, Msg: fmt.Sprintf("%s: %s (left %s %s, right %s %s)", msg, c.src, l.typeName(), l.quote(false), r.typeName(), r.quote(false))}
	}
	b, err := condition(c.pos, "expect", c.param(0))
	if err != nil || b {
		return Value{}, err
	}
	return Value{}, &Error{Pos: c.pos, Msg: msg + ": " + c.src}
}
