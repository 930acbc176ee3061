package interp

import (
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// queueHandle is a SysV message queue (`msgget q ...`).
type queueHandle struct{ sysvObj }

func (h *queueHandle) Kind() string { return "queue" }

// getResult is what a get statement shows: whether it made the object.
func (p *Proc) getResult(o *sysvObj) string {
	res := "opened"
	if o.created {
		res = "created"
	}
	if p.run.cfg.Verbose {
		res += fmt.Sprintf(" (id %d)", o.id)
	}
	return res
}

func execMsgget(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	rq, err := c.request()
	if err != nil {
		return Value{}, err
	}
	o, err := p.get(c, kMsg, rq, func(flags int) (int, error) { return ipc.Msgget(rq.key, flags) })
	if err != nil {
		return Value{}, err
	}
	h := &queueHandle{*o}
	p.sysv = append(p.sysv, &h.sysvObj)
	c.bind(p, h)
	p.done(c, PhaseOnce, p.getResult(o))
	return handleV(h), nil
}

// execSend is msgsnd(2). It publishes: its line comes before the call, so
// it precedes the recv that takes the message.
func execSend(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if h, err := c.mqParam(p, 0, PhasePublish); err != nil || h != nil {
		if err != nil {
			return Value{}, err
		}
		return execMqSend(p, c, h)
	}
	if err := c.sysvOnly("prio=", "timeout="); err != nil {
		return Value{}, err
	}
	q, _, err := c.sysvParam(0, kMsg)
	if err != nil {
		return Value{}, err
	}
	v := c.param(1)
	typ := int64(1)
	if v.K == KMsg {
		typ = v.R.(*Msg).Type // a received message goes on with its type
	}
	if typ, err = c.optInt("type", typ); err != nil {
		return Value{}, err
	}
	text, err := bytesOf(c, v)
	if err != nil {
		return Value{}, err
	}
	flags := 0
	if c.flags["nowait"] {
		flags |= unix.IPC_NOWAIT
	}
	p.note(q.tag, typ)
	p.publish(c)
	p.enterOn(c.pos, c.src, blockObj{tag: q.tag, how: "send", n: typ, name: q.name})
	err = ipc.Msgsnd(q.id, typ, unsafeBytes(text), flags, p.intr())
	p.leave()
	if err == ipc.ErrInterrupted {
		if err = p.sysvStop(); !isSigErr(err) {
			return Value{}, err
		}
		err = unix.EINTR // a trap ran: msgsnd is never restarted (signal(7))
	}
	if err != nil {
		return Value{}, p.fail(c, PhasePublish, err, sendHint(q, typ, len(text), err))
	}
	return Value{}, nil
}

func sendHint(q *sysvObj, typ int64, n int, err error) string {
	switch err {
	case unix.EINVAL:
		if typ < 1 {
			return fmt.Sprintf("a message's type must be at least 1, found %d", typ)
		}
		if l, lerr := ipc.Limits(); lerr == nil && uint64(n) > l.MsgMax {
			return fmt.Sprintf("%d bytes > msgmax %d (/proc/sys/kernel/msgmax)", n, l.MsgMax)
		}
	case unix.EAGAIN:
		if ds, serr := ipc.MsgctlStat(q.id); serr == nil {
			return fmt.Sprintf("%s is full: %d of qbytes %d bytes in %d messages, and nowait", q.name, ds.Cbytes, ds.Qbytes, ds.Qnum)
		}
	case unix.EACCES:
		if ds, serr := ipc.MsgctlStat(q.id); serr == nil {
			return "the queue has " + ownerText(ds.Perm)
		}
	}
	return q.idErr(err)
}

// defaultMax is recv's max=: the most text one message may carry
// (msgmax's default on Linux).
const defaultMax = 8192

// maxRecv is the largest max= recv accepts: 1 GiB, far above any msgmax
// in use, and still a buffer the interpreter can allocate.
const maxRecv = 1 << 30

func execRecv(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if h, err := c.mqParam(p, 0, PhaseConsume); err != nil || h != nil {
		if err != nil {
			return Value{}, err
		}
		return execMqRecv(p, c, h)
	}
	q, _, err := c.sysvParam(0, kMsg)
	if err != nil {
		return Value{}, err
	}
	typ, err := c.optInt("type", 0)
	if err != nil {
		return Value{}, err
	}
	limit, err := c.optInt("max", defaultMax)
	if err != nil {
		return Value{}, err
	}
	// A buffer of max= bytes is made before the call: a larger one could
	// exhaust the interpreter's memory, so that is refused. A negative
	// size needs no buffer and goes to the kernel, which refuses it.
	if limit > maxRecv {
		return Value{}, errorf(c.pos, "recv: max=%d: ipcsh receives at most %d bytes at once (a C program would need a buffer that large)", limit, maxRecv)
	}
	// except with type= 0 or below goes to the kernel too, which ignores
	// MSG_EXCEPT there (msgrcv(2)).
	flags := c.flagBits(recvFlags)
	if limit < 0 {
		err := ipc.MsgrcvNegative(q.id, int(limit), typ, flags)
		if err == nil {
			err = unix.EINVAL // not reached: the kernel checks msgsz first
		}
		return Value{}, p.fail(c, PhaseConsume, err, fmt.Sprintf("max=%d: msgsz is negative", limit))
	}
	need := ipc.MsgHeader + int(limit)
	if cap(p.msgBuf) < need {
		p.msgBuf = make([]byte, need)
	}
	buf := p.msgBuf[:need]

	it := p.intr()
	var timer *time.Timer
	timeout, hasTimeout := c.opt("timeout")
	if hasTimeout {
		if timeout.K != KInt || timeout.I < 0 {
			return Value{}, errorf(c.pos, "recv: timeout= expects a duration such as 500ms")
		}
		// msgrcv(2) has no timeout: a timer interrupts it instead, with an
		// Interrupter of this call's own, which a stop fires too.
		it = ipc.NewInterrupter()
		timer = time.AfterFunc(time.Duration(timeout.I), it.Fire)
		if cn := p.run.cancel; cn != nil {
			defer cn.addHook(it.Fire)()
		}
		defer p.sigKickAlso(it)()
		if g := p.run.sig; g != nil {
			it.SetPending(g.handleNow)
		}
	}
	p.enterOn(c.pos, c.src, blockObj{tag: q.tag, how: "recv", n: typ, name: q.name})
	got, n, err := ipc.Msgrcv(q.id, buf, typ, flags, it)
	p.leave()
	timedOut := timer != nil && !timer.Stop()
	if err == ipc.ErrInterrupted {
		if p.stopped() != nil || !timedOut {
			if err = p.sysvStop(); !isSigErr(err) {
				return Value{}, err
			}
			err = unix.EINTR // a trap ran: msgrcv is never restarted (signal(7))
		} else {
			return Value{}, p.fail(c, PhaseConsume, unix.EAGAIN, "no message came within "+formatDuration(timeout.I))
		}
	}
	if err != nil {
		return Value{}, p.fail(c, PhaseConsume, err, recvHint(q, typ, limit, err))
	}
	if c.discard && !p.emitting() {
		return Value{}, nil // no copy of the text that nothing would read
	}
	m := &Msg{Type: got, Text: string(buf[ipc.MsgHeader : ipc.MsgHeader+n])}
	v := Value{K: KMsg, R: m}
	if p.emitting() {
		p.note(q.tag, got)
		p.done(c, PhaseConsume, v.quote(false))
	}
	return v, nil
}

func recvHint(q *sysvObj, typ, limit int64, err error) string {
	switch err {
	case unix.E2BIG:
		return fmt.Sprintf("the message is longer than max=%d bytes (add noerror to truncate it)", limit)
	case unix.ENOMSG:
		if typ == 0 {
			return q.name + " is empty, and nowait"
		}
		return fmt.Sprintf("no message of type %s on %s, and nowait", typeRule(typ), q.name)
	case unix.EACCES:
		if ds, serr := ipc.MsgctlStat(q.id); serr == nil {
			return "the queue has " + ownerText(ds.Perm)
		}
	}
	return q.idErr(err)
}

// typeRule says which messages type= selects, as msgrcv(2) does.
func typeRule(typ int64) string {
	if typ < 0 {
		return "at most " + strconv.FormatInt(-typ, 10)
	}
	return strconv.FormatInt(typ, 10)
}

func execMsgctl(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	q, _, err := c.sysvParam(0, kMsg)
	if err != nil {
		return Value{}, err
	}
	switch {
	case c.flags["rmid"]:
		return Value{}, p.remove(c, q)
	case c.flags["set"]:
		// Any int goes to the kernel: msg_qbytes is unsigned, so -1 is
		// what C makes of it, the largest value (EPERM above msgmnb
		// without CAP_SYS_RESOURCE).
		n, ok := c.opt("qbytes")
		if !ok || n.K != KInt {
			return Value{}, errorf(c.pos, "msgctl set: expected qbytes=N, the most bytes the queue may hold")
		}
		ds, err := ipc.MsgctlStat(q.id)
		if err == nil {
			ds.Qbytes = uint64(n.I)
			err = ipc.MsgctlSet(q.id, &ds)
		}
		if err != nil {
			hint := q.idErr(err)
			if err == unix.EPERM {
				hint = "raising qbytes above msgmnb (/proc/sys/kernel/msgmnb) needs CAP_SYS_RESOURCE; changing another user's queue needs its owner"
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
		p.done(c, PhaseOnce, "")
		return Value{}, nil
	}
	if _, ok := c.opt("qbytes"); ok {
		return Value{}, errorf(c.pos, "msgctl: qbytes= goes with set (msgctl q set qbytes=N)")
	}
	ds, err := ipc.MsgctlStat(q.id)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, q.idErr(err))
	}
	rec := statRecord([]string{"key", "mode", "qnum", "cbytes", "qbytes", "lspid", "lrpid"},
		strV(keyText(ds.Perm.Key)), modeV(int64(ds.Perm.Mode&0o777)), intV(int64(ds.Qnum)), intV(int64(ds.Cbytes)),
		intV(int64(ds.Qbytes)), intV(int64(ds.Lspid)), intV(int64(ds.Lrpid)))
	p.showPids(rec, "lspid", "lrpid")
	p.done(c, PhaseOnce, rec.render(p.run.cfg.Verbose))
	return Value{K: KRecord, R: rec}, nil
}

// showPids makes the pid fields of a stat record show as the names of the
// run's processes: pids differ on every run, names do not.
func (p *Proc) showPids(rec *Record, fields ...string) {
	for _, f := range fields {
		v, _ := rec.Get(f)
		if rec.Display == nil {
			rec.Display = map[string]string{}
		}
		rec.Display[f] = p.pidName(int(v.I))
	}
}

// pidName shows a pid without its number: the run's process that has it,
// "none" for 0, or "another process".
func (p *Proc) pidName(pid int) string {
	pid = threadGroup(pid)
	switch {
	case pid == 0:
		return "none"
	case pid == unix.Getpid():
		return p.name
	}
	if n := p.run.board.nameOf(pid); n != "" {
		return n
	}
	return "another-process"
}
