package interp

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// mqHandle is a POSIX message queue descriptor (`mqopen q "/jobs"`). The
// descriptor is an fd like any other: it sits in the process's fd table
// (p.handles), so a spawned child inherits it, `fds` lists it and `close`
// closes it, as in C.
type mqHandle struct {
	fdh     *fdHandle
	qname   string // "/jobs"
	msgsize int    // fixed when the queue was made: recv's buffer
	tag     string // "mq:/jobs", the object of events
}

// blockedText is what the stall detector and the deadlock report show for
// a blocked statement: it and the POSIX object it waits on, which the
// statement names only by a variable. The statement keeps the last one it
// made, so a loop makes no new string on each round. (A cache on the
// object would miss on every call of a ping-pong, whose send and recv
// take turns on one queue.)
func (c *command) blockedText(obj interface{ objText() string }) string {
	if c.blocked.obj != obj {
		c.blocked.obj, c.blocked.text = obj, c.src+" ("+obj.objText()+")"
	}
	return c.blocked.text
}

func (h *mqHandle) objText() string { return "POSIX queue " + h.qname }

func (h *mqHandle) Name() string { return h.fdh.name }
func (h *mqHandle) Kind() string { return "POSIX queue" }
func (h *mqHandle) Verbose() string {
	return fmt.Sprintf("%s(mq %s fd %d)", h.fdh.name, h.qname, h.fdh.fd)
}

func (h *mqHandle) field(name string) (Value, bool) {
	if name == "name" {
		return strV(h.qname), true
	}
	return Value{}, false
}

func (h *mqHandle) wire(e *wireEncoder) wireHandle {
	return wireHandle{Kind: "mq", Name: h.fdh.name, R: e.handle(h.fdh), Path: h.qname, Size: h.msgsize}
}

// posixDecoders are the POSIX handles' decoders; wire.go adds them to
// handleDecoders.
var posixDecoders = map[string]func(w wireHandle, d *wireDecoder) Handle{
	"mq": func(w wireHandle, d *wireDecoder) Handle {
		return &mqHandle{fdh: d.handle(w.R).(*fdHandle), qname: w.Path, msgsize: w.Size, tag: "mq:" + w.Path}
	},
	"psem": func(w wireHandle, d *wireDecoder) Handle { return d.psem(w) },
}

// mqParam returns positional parameter i as an open POSIX queue, or nil
// when it is something else (the caller decides what that means).
func (c *command) mqParam(p *Proc, i int, phase Phase) (*mqHandle, error) {
	v := c.param(i)
	h, ok := v.R.(*mqHandle)
	if v.K != KHandle || !ok {
		return nil, nil
	}
	if h.fdh.closed {
		return nil, p.closedErr(c, phase, h.fdh)
	}
	return h, nil
}

func execMqopen(p *Proc, c *command) (Value, error) {
	name, mode, err := c.posixOpenArgs(p)
	if err != nil {
		return Value{}, err
	}
	maxmsg, hasMax := c.opt("maxmsg")
	msgsize, hasSize := c.opt("msgsize")
	var attr *ipc.MqAttr
	if hasMax || hasSize {
		if (hasMax && maxmsg.K != KInt) || (hasSize && msgsize.K != KInt) {
			return Value{}, errorf(c.pos, "mqopen: maxmsg= and msgsize= expect ints")
		}
		// Given one, the other is the system's default, as LANGUAGE.md
		// says: mq_open itself takes both or neither.
		l, err := ipc.ReadMqLimits()
		if err != nil {
			return Value{}, errorf(c.pos, "mqopen: reading the defaults in /proc/sys/fs/mqueue: %v", err)
		}
		attr = &ipc.MqAttr{Maxmsg: l.MsgDefault, Msgsize: l.MsgsizeDefault}
		if hasMax {
			attr.Maxmsg = maxmsg.I
		}
		if hasSize {
			attr.Msgsize = msgsize.I
		}
	}
	flags := unix.O_RDWR
	if c.flags["nonblock"] {
		flags |= unix.O_NONBLOCK
	}
	fd, created, err := posixOpen(c, func(creat int) (int, error) { return ipc.MqOpen(name, flags|creat, mode, attr) })
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, mqopenHint(name, attr, err))
	}
	a, err := ipc.MqGetattr(fd)
	var st unix.Stat_t
	if err == nil {
		err = unix.Fstat(fd, &st)
	}
	if err == nil && created {
		err = p.journalPosix(c, kMq, name, st.Ino)
	}
	if err != nil {
		_ = ipc.Close(fd)
		if created {
			_ = ipc.MqUnlink(name)
		}
		if _, ok := err.(*Error); ok {
			return Value{}, err
		}
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	fh := &fdHandle{name: c.boundName(), fd: fd, nonblock: c.flags["nonblock"]}
	p.addHandle(fh)
	p.popened = append(p.popened, posixEntry{kind: kMq, name: fh.name, pname: name})
	h := &mqHandle{fdh: fh, qname: name, msgsize: int(a.Msgsize), tag: "mq:" + name}
	c.bind(p, h)
	p.done(c, PhaseOnce, p.posixGetResult(created, fd))
	return handleV(h), nil
}

func mqopenHint(name string, attr *ipc.MqAttr, err error) string {
	if s := ipcExplain(err); s != "" {
		return s
	}
	l, lerr := ipc.ReadMqLimits()
	switch err {
	case unix.EINVAL:
		if attr == nil || lerr != nil {
			break
		}
		switch {
		case attr.Maxmsg <= 0 || attr.Msgsize <= 0:
			return fmt.Sprintf("maxmsg=%d msgsize=%d: both must be at least 1", attr.Maxmsg, attr.Msgsize)
		case attr.Maxmsg > l.MsgMax:
			return fmt.Sprintf("maxmsg=%d > /proc/sys/fs/mqueue/msg_max (%d)", attr.Maxmsg, l.MsgMax)
		case attr.Msgsize > l.MsgsizeMax:
			return fmt.Sprintf("msgsize=%d > /proc/sys/fs/mqueue/msgsize_max (%d)", attr.Msgsize, l.MsgsizeMax)
		}
	case unix.EMFILE:
		return "too many open fds, or this user's queues would hold more bytes than RLIMIT_MSGQUEUE (ulimit -q)"
	case unix.ENOSPC:
		if lerr == nil {
			return fmt.Sprintf("the system has /proc/sys/fs/mqueue/queues_max (%d) queues", l.QueuesMax)
		}
	case unix.ENOMEM:
		return "the queue's maxmsg*msgsize is more memory than the kernel will give"
	}
	return openHint(kMq, name, err)
}

// mqNowait makes one call non-blocking, as a C program must: mq_send and
// mq_receive have no per-call flag, only the descriptor's O_NONBLOCK
// (mq_setattr), which is set for the call and put back after it. The flag
// is the open description's, shared with children that inherited it.
func mqNowait(h *mqHandle, on bool) (restore func(), err error) {
	if !on || h.fdh.nonblock {
		return func() {}, nil
	}
	old, err := ipc.MqSetattr(h.fdh.fd, &ipc.MqAttr{Flags: unix.O_NONBLOCK})
	if err != nil {
		return nil, err
	}
	if old.Flags&unix.O_NONBLOCK != 0 {
		return func() {}, nil
	}
	return func() { _, _ = ipc.MqSetattr(h.fdh.fd, &ipc.MqAttr{}) }, nil
}

// mqDeadline reads timeout= as mq_timedsend and mq_timedreceive take it.
func (c *command) mqDeadline() (*unix.Timespec, time.Duration, error) {
	v, ok := c.opt("timeout")
	if !ok {
		return nil, -1, nil
	}
	if v.K != KInt || v.I < 0 {
		return nil, 0, errorf(c.pos, "%s: timeout= expects a duration such as 500ms", c.verb)
	}
	return ipc.Deadline(time.Duration(v.I)), time.Duration(v.I), nil
}

// wrongKind refuses an option of the other kind of queue: it would mean
// nothing to the call, and dropping it silently would hide a mistake.
func wrongKind(c *command, name, kind, rule string) error {
	return errorf(c.pos, "%s: %s is a %s: %s", c.verb, name, kind, rule)
}

// execMqSend is mq_send / mq_timedsend. It publishes, as msgsnd does.
func execMqSend(p *Proc, c *command, h *mqHandle) (Value, error) {
	if _, ok := c.opt("type"); ok {
		return Value{}, wrongKind(c, h.Name(), "POSIX queue", "type= belongs to SysV queues; a POSIX message has a priority, prio=")
	}
	v := c.param(1)
	prio := int64(0)
	if v.K == KMsg && v.R.(*Msg).Posix {
		prio = v.R.(*Msg).Prio // a received message goes on with its priority
	}
	prio, err := c.optInt("prio", prio)
	if err != nil {
		return Value{}, err
	}
	text, err := bytesOf(c, v)
	if err != nil {
		return Value{}, err
	}
	abs, timeout, err := c.mqDeadline()
	if err != nil {
		return Value{}, err
	}
	restore, err := mqNowait(h, c.flags["nowait"])
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	defer restore()
	if p.emitting() {
		p.note(h.tag, prio)
	}
	p.publish(c)
	send := func() error {
		p.enterOn(c.pos, c.blockedText(h), blockObj{tag: h.tag, how: "send", name: h.qname})
		defer p.leave()
		return ipc.MqTimedsend(h.fdh.fd, unsafeBytes(text), int(prio), abs, p.intr())
	}
	err = send()
	for err == ipc.ErrInterrupted {
		if err = p.posixInterrupted(true); err == errRestart {
			err = send()
		}
	}
	if isStop(err) {
		return Value{}, err
	}
	if err != nil {
		return Value{}, p.fail(c, PhasePublish, err, mqSendHint(h, prio, len(text), timeout, err))
	}
	return Value{}, nil
}

func mqSendHint(h *mqHandle, prio int64, n int, timeout time.Duration, err error) string {
	if s := ipcExplain(err); s != "" {
		return s
	}
	a, aerr := ipc.MqGetattr(h.fdh.fd)
	switch err {
	case unix.EMSGSIZE:
		return fmt.Sprintf("%d bytes > msgsize %d of %s", n, h.msgsize, h.qname)
	case unix.EINVAL:
		if prio < 0 || prio >= 32768 {
			return fmt.Sprintf("prio=%d: a priority is 0 to 32767 (below MQ_PRIO_MAX, 32768)", prio)
		}
	case unix.EAGAIN:
		if aerr == nil {
			return fmt.Sprintf("%s is full: %d of maxmsg %d messages, and the call may not wait", h.qname, a.Curmsgs, a.Maxmsg)
		}
	case unix.ETIMEDOUT:
		return fmt.Sprintf("%s stayed full for %s", h.qname, formatDuration(int64(timeout)))
	case unix.EBADF:
		return h.Name() + " is not open for writing"
	}
	return ""
}

// execMqRecv is mq_receive / mq_timedreceive: the oldest message of the
// highest priority.
func execMqRecv(p *Proc, c *command, h *mqHandle) (Value, error) {
	for _, o := range []string{"type", "max"} {
		if _, ok := c.opt(o); ok {
			return Value{}, wrongKind(c, h.Name(), "POSIX queue", o+"= belongs to SysV queues (mq_receive takes the oldest message of the highest priority, whole)")
		}
	}
	for _, f := range []string{"except", "noerror"} {
		if c.flags[f] {
			return Value{}, wrongKind(c, h.Name(), "POSIX queue", f+" belongs to SysV queues (mq_receive takes the oldest message of the highest priority, whole)")
		}
	}
	abs, timeout, err := c.mqDeadline()
	if err != nil {
		return Value{}, err
	}
	restore, err := mqNowait(h, c.flags["nowait"])
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	defer restore()
	if cap(p.msgBuf) < h.msgsize {
		p.msgBuf = make([]byte, h.msgsize)
	}
	buf := p.msgBuf[:h.msgsize]
	var n int
	var prio uint
	recv := func() error {
		p.enterOn(c.pos, c.blockedText(h), blockObj{tag: h.tag, how: "recv", name: h.qname})
		defer p.leave()
		var err error
		n, prio, err = ipc.MqTimedreceive(h.fdh.fd, buf, abs, p.intr())
		return err
	}
	err = recv()
	for err == ipc.ErrInterrupted {
		if err = p.posixInterrupted(true); err == errRestart {
			err = recv()
		}
	}
	if isStop(err) {
		return Value{}, err
	}
	if err != nil {
		hint := ipcExplain(err)
		switch err {
		case unix.EAGAIN:
			hint = h.qname + " is empty, and the call may not wait"
		case unix.ETIMEDOUT:
			hint = "no message came within " + formatDuration(int64(timeout))
		case unix.EBADF:
			hint = h.Name() + " is not open for reading"
		}
		return Value{}, p.fail(c, PhaseConsume, err, hint)
	}
	if c.discard && !p.emitting() {
		return Value{}, nil // no copy of the text that nothing would read
	}
	v := Value{K: KMsg, R: &Msg{Text: string(buf[:n]), Prio: int64(prio), Posix: true}}
	if p.emitting() {
		p.note(h.tag, int64(prio))
		p.done(c, PhaseConsume, v.quote(false))
	}
	return v, nil
}

// posixQueue evaluates a statement whose first argument must be a POSIX
// queue (mqattr, mqnotify).
func (c *command) posixQueue(p *Proc) (*mqHandle, error) {
	if err := c.eval(p); err != nil {
		return nil, err
	}
	h, err := c.mqParam(p, 0, PhaseOnce)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errorf(c.pos, "%s: expected a POSIX queue, found %s", c.verb, c.param(0).typeName())
	}
	return h, nil
}

func execMqattr(p *Proc, c *command) (Value, error) {
	h, err := c.posixQueue(p)
	if err != nil {
		return Value{}, err
	}
	a, err := ipc.MqGetattr(h.fdh.fd)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "")
	}
	rec := statRecord([]string{"maxmsg", "msgsize", "curmsgs", "nonblock"},
		intV(a.Maxmsg), intV(a.Msgsize), intV(a.Curmsgs), boolV(a.Flags&unix.O_NONBLOCK != 0))
	p.done(c, PhaseOnce, rec.render(p.run.cfg.Verbose))
	return Value{K: KRecord, R: rec}, nil
}

func execMqnotify(p *Proc, c *command) (Value, error) {
	h, err := c.posixQueue(p)
	if err != nil {
		return Value{}, err
	}
	sv, hasSig := c.opt("signal")
	switch {
	case hasSig && c.flags["off"]:
		return Value{}, errorf(c.pos, "mqnotify: signal= and off cannot be used together")
	case c.flags["off"]:
		if err := ipc.MqNotifyRemove(h.fdh.fd); err != nil {
			return Value{}, p.fail(c, PhaseOnce, err, "")
		}
	case hasSig:
		var sig unix.Signal
		switch sv.K {
		case KStr:
			sig = signalByName(sv.S)
		case KInt:
			if sv.I > 0 && sv.I <= 64 {
				sig = unix.Signal(sv.I)
			}
		}
		if sig == 0 {
			return Value{}, errorf(c.pos, "mqnotify: unknown signal %s (try SIGUSR1, USR2, or a number)", sv.quote(false))
		}
		if err := ipc.MqNotify(h.fdh.fd, sig, 0); err != nil {
			hint := ""
			if err == unix.EBUSY {
				hint = "another process is registered for " + h.qname + " (one per queue)"
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
	default:
		return Value{}, errorf(c.pos, "mqnotify: give signal=SIGNAL to be notified, or off to stop")
	}
	p.done(c, PhaseOnce, "")
	return Value{}, nil
}

// sysvOnly refuses, on a SysV queue, the options of POSIX ones.
func (c *command) sysvOnly(opts ...string) error {
	for _, o := range opts {
		if _, ok := c.opt(o[:len(o)-1]); ok {
			rule := o + " belongs to POSIX queues"
			if o == "prio=" {
				rule += "; a SysV message has a type, type="
			}
			return wrongKind(c, c.param(0).text(false), "SysV queue", rule)
		}
	}
	return nil
}
