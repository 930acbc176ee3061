package interp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// semHandle is a SysV semaphore set. `s[1]` is one semaphore of it: the
// same handle in a Value whose I holds the index plus one, so naming a
// semaphore allocates nothing.
type semHandle struct {
	sysvObj
	nsems int
}

func (h *semHandle) Kind() string { return "semaphore set" }

// semAt is `s[i]` as a value.
func (h *semHandle) at(pos lang.Pos, i Value) (Value, error) {
	if i.K != KInt {
		return Value{}, errorf(pos, "a semaphore index must be an int, found %s", i.typeName())
	}
	// An index past the set goes to the kernel (EFBIG from semop, EINVAL
	// from semctl); only one that sembuf's sem_num (an unsigned short)
	// cannot hold is refused, since C would silently wrap it.
	if i.I < 0 || i.I > math.MaxUint16 {
		return Value{}, errorf(pos, "%s[%d]: a semaphore index is 0 to %d (sem_num is an unsigned short)", h.name, i.I, math.MaxUint16)
	}
	return Value{K: KHandle, R: h, I: i.I + 1}, nil
}

func execSemget(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	rq, err := c.request()
	if err != nil {
		return Value{}, err
	}
	nv, given := c.opt("nsems")
	nsems := int64(1)
	if given {
		if nv.K != KInt {
			return Value{}, errorf(c.pos, "semget: nsems= expects an int, found %s", nv.typeName())
		}
		nsems = nv.I
	}
	o, err := p.get(c, kSem, rq, func(flags int) (int, error) {
		n := int(nsems)
		if flags&unix.IPC_CREAT == 0 && !given {
			n = 0 // opening: any size will do
		}
		return ipc.Semget(rq.key, n, flags)
	})
	if err != nil {
		if e, ok := err.(*Error); ok && e.Errno == unix.EINVAL && e.Msg == "" {
			e.Msg = semgetHint(rq, nsems)
		}
		return Value{}, err
	}
	ds, err := ipc.SemctlStat(o.id)
	if so, ok := unreadable(kSem, o.id, err); ok {
		ds.Nsems, err = so.Count, nil
	}
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, o.idErr(err))
	}
	h := &semHandle{sysvObj: *o, nsems: int(ds.Nsems)}
	// init= sets the values only when this statement made the set: a set
	// that already existed has values some other process relies on.
	if iv, ok := c.opt("init"); ok && o.created {
		if iv.K != KInt {
			return Value{}, errorf(c.pos, "semget: init= expects an int, found %s", iv.typeName())
		}
		vals := make([]uint16, h.nsems)
		// init= is SETALL, whose values are unsigned shorts: what fits goes
		// to the kernel (ERANGE above SEMVMX), the rest C would wrap. A
		// set whose init= failed is removed: the statement made nothing.
		if iv.I < 0 || iv.I > math.MaxUint16 {
			_ = rmid(kSem, o.id)
			return Value{}, errorf(c.pos, "semget: init=%d: SETALL takes 0 to %d (unsigned short)", iv.I, math.MaxUint16)
		}
		for i := range vals {
			vals[i] = uint16(iv.I)
		}
		if err := ipc.SemSetAll(o.id, vals); err != nil {
			_ = rmid(kSem, o.id)
			hint := ""
			if err == unix.ERANGE {
				hint = fmt.Sprintf("init=%d: a semaphore holds 0 to %d (SEMVMX)", iv.I, ipc.SEMVMX)
			}
			return Value{}, p.fail(c, PhaseOnce, err, hint)
		}
	}
	p.sysv = append(p.sysv, &h.sysvObj)
	c.bind(p, h)
	p.done(c, PhaseOnce, p.getResult(o))
	return handleV(h), nil
}

func semgetHint(rq getRequest, nsems int64) string {
	l, err := ipc.Limits()
	if nsems < 1 && (rq.create || rq.private) {
		return fmt.Sprintf("nsems=%d: a set holds at least 1 semaphore", nsems)
	}
	if err == nil && uint64(nsems) > l.SemMsl {
		return fmt.Sprintf("nsems=%d > SEMMSL %d (/proc/sys/kernel/sem)", nsems, l.SemMsl)
	}
	if !rq.create && !rq.private {
		return fmt.Sprintf("the set with key %s has fewer than nsems=%d semaphores", keyText(int32(uint32(rq.key))), nsems)
	}
	return ""
}

// semParam returns parameter 0 as a set and the index it names (s is s[0]).
func (c *command) semParam() (*semHandle, int, error) {
	v := c.param(0)
	if v.K == KHandle {
		if h, ok := v.R.(*semHandle); ok {
			i := 0
			if v.I > 0 {
				i = int(v.I - 1)
			}
			return h, i, nil
		}
	}
	return nil, 0, errorf(c.pos, "%s: expected a semaphore set, found %s", c.verb, v.typeName())
}

// semFlags reads undo and nowait.
func (c *command) semFlags() int16 {
	var f int16
	if c.flags["undo"] {
		f |= ipc.SEM_UNDO
	}
	if c.flags["nowait"] {
		f |= unix.IPC_NOWAIT
	}
	return f
}

// execSemOp runs sem p, sem v, sem z and sem op: one semop(2). Whether its
// line comes before or after the call follows LANGUAGE.md §4: an
// operation that only increments publishes; one that waits consumes.
func execSemOp(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if h := c.psemParam(); h != nil {
		return execPsem(p, c, h)
	}
	h, idx, err := c.semParam()
	if err != nil {
		return Value{}, err
	}
	flags := c.semFlags()
	ops := p.semOps[:0]
	switch c.verb {
	case "sem p":
		ops = append(ops, ipc.Sembuf{Num: uint16(idx), Op: -1, Flg: flags})
	case "sem v":
		ops = append(ops, ipc.Sembuf{Num: uint16(idx), Op: 1, Flg: flags})
	case "sem z":
		ops = append(ops, ipc.Sembuf{Num: uint16(idx), Op: 0, Flg: flags})
	default: // sem op S I:DELTA...
		for i, a := range c.args {
			if a.kind != aPair {
				continue
			}
			n, d := c.vals[i], a.val2
			if n.K != KInt || d.K != KInt {
				return Value{}, errorf(c.pos, "sem op: each operation is INDEX:DELTA with two ints, found %s:%s", n.typeName(), d.typeName())
			}
			// What sembuf can hold goes to the kernel (EFBIG for an index
			// past the set, ERANGE for a sum past SEMVMX); C would wrap
			// anything else into some other operation.
			if n.I < 0 || n.I > math.MaxUint16 {
				return Value{}, errorf(c.pos, "sem op: index %d: a semaphore index is 0 to %d (sem_num is an unsigned short)", n.I, math.MaxUint16)
			}
			if d.I < math.MinInt16 || d.I > math.MaxInt16 {
				return Value{}, errorf(c.pos, "sem op: delta %d: a delta is %d to %d (sem_op is a short)", d.I, math.MinInt16, math.MaxInt16)
			}
			ops = append(ops, ipc.Sembuf{Num: uint16(n.I), Op: int16(d.I), Flg: flags})
		}
	}
	p.semOps = ops
	publish := true
	for _, op := range ops {
		if op.Op <= 0 {
			publish = false
		}
	}
	timeout := time.Duration(-1)
	if v, ok := c.opt("timeout"); ok {
		if v.K != KInt || v.I < 0 {
			return Value{}, errorf(c.pos, "%s: timeout= expects a duration such as 500ms", c.verb)
		}
		timeout = time.Duration(v.I)
	}
	phase := PhaseConsume
	if p.emitting() {
		p.ev.obj, p.ev.ops = h.tag, opsText(ops)
	}
	if publish {
		phase = PhasePublish
		p.publish(c)
	}
	p.enterOn(c.pos, c.src, semBlockObj(h, ops))
	err = ipc.Semop(h.id, ops, timeout, p.intr())
	p.leave()
	if err == ipc.ErrInterrupted {
		if err = p.sysvStop(); !isSigErr(err) {
			return Value{}, err
		}
		err = unix.EINTR // a trap ran: semop is never restarted (signal(7))
	}
	if err != nil {
		return Value{}, p.fail(c, phase, err, semHint(h, ops, timeout, err))
	}
	if !publish && p.emitting() {
		p.ev.obj, p.ev.ops = h.tag, opsText(ops)
		p.done(c, phase, "")
	}
	return Value{}, nil
}

// opsText writes semaphore operations as a timeline reads them: "0:-1 1:1".
func opsText(ops []ipc.Sembuf) string {
	var b []byte
	for i, op := range ops {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(op.Num), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(op.Op), 10)
	}
	return string(b)
}

func semHint(h *semHandle, ops []ipc.Sembuf, timeout time.Duration, err error) string {
	switch err {
	case unix.EAGAIN:
		if timeout >= 0 {
			return "not possible within " + formatDuration(int64(timeout))
		}
		return "the operation would wait, and nowait"
	case unix.ERANGE:
		return fmt.Sprintf("a semaphore holds 0 to %d (SEMVMX)", ipc.SEMVMX)
	case unix.EFBIG:
		return fmt.Sprintf("%s has %s", h.name, plural(h.nsems, "semaphore"))
	case unix.E2BIG:
		if l, lerr := ipc.Limits(); lerr == nil {
			return fmt.Sprintf("%d operations > SEMOPM %d (/proc/sys/kernel/sem)", len(ops), l.SemOpm)
		}
	case unix.EACCES:
		if ds, serr := ipc.SemctlStat(h.id); serr == nil {
			return "the set has " + ownerText(ds.Perm)
		}
	}
	return h.idErr(err)
}

// execSemCtl runs sem set, setall, get, getall, getncnt, getzcnt, getpid.
func execSemCtl(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	if h := c.psemParam(); h != nil {
		return execPsem(p, c, h)
	}
	h, idx, err := c.semParam()
	if err != nil {
		return Value{}, err
	}
	fail := func(phase Phase, err error) error {
		hint := h.idErr(err)
		if err == unix.EINVAL && idx >= h.nsems && hint == "" {
			hint = fmt.Sprintf("%s has %s", h.name, plural(h.nsems, "semaphore"))
		}
		if err == unix.ERANGE {
			hint = fmt.Sprintf("a semaphore holds 0 to %d (SEMVMX)", ipc.SEMVMX)
		}
		return p.fail(c, phase, err, hint)
	}
	switch c.verb {
	case "sem set":
		v, err := c.intParam(1, "V")
		if err != nil {
			return Value{}, err
		}
		// SETVAL's value is an int: any int32 goes to the kernel, which
		// answers ERANGE outside 0..SEMVMX.
		if v < math.MinInt32 || v > math.MaxInt32 {
			return Value{}, errorf(c.pos, "sem set: %d does not fit in an int (SETVAL's value)", v)
		}
		if p.emitting() {
			p.ev.obj, p.ev.ops = h.tag, fmt.Sprintf("%d=%d", idx, v)
		}
		p.publish(c) // setting a value can wake a waiter
		if err := ipc.SemSetVal(h.id, idx, int(v)); err != nil {
			return Value{}, fail(PhasePublish, err)
		}
		return Value{}, nil
	case "sem setall":
		vals := make([]uint16, 0, h.nsems)
		for i := 1; i < c.nparams(); i++ {
			v, err := c.intParam(i, "V")
			if err != nil {
				return Value{}, err
			}
			if v < 0 || v > math.MaxUint16 {
				return Value{}, errorf(c.pos, "sem setall: %d: SETALL takes 0 to %d (unsigned short)", v, math.MaxUint16)
			}
			vals = append(vals, uint16(v))
		}
		if len(vals) != h.nsems {
			return Value{}, errorf(c.pos, "sem setall: %s has %s, found %d values", h.name, plural(h.nsems, "semaphore"), len(vals))
		}
		if p.emitting() {
			ops := make([]string, len(vals))
			for i, v := range vals {
				ops[i] = fmt.Sprintf("%d=%d", i, v)
			}
			p.ev.obj, p.ev.ops = h.tag, strings.Join(ops, " ")
		}
		p.publish(c)
		if err := ipc.SemSetAll(h.id, vals); err != nil {
			return Value{}, fail(PhasePublish, err)
		}
		return Value{}, nil
	case "sem getall":
		vals := make([]uint16, h.nsems)
		if err := ipc.SemGetAll(h.id, vals); err != nil {
			return Value{}, fail(PhaseOnce, err)
		}
		items := make([]Value, len(vals))
		for i, v := range vals {
			items[i] = intV(int64(v))
		}
		p.done(c, PhaseOnce, joinInts(vals))
		return Value{K: KList, R: &List{Items: items}}, nil
	}
	var n int
	switch c.verb {
	case "sem get":
		n, err = ipc.SemGetVal(h.id, idx)
	case "sem getncnt":
		n, err = ipc.SemGetNcnt(h.id, idx)
	case "sem getzcnt":
		n, err = ipc.SemGetZcnt(h.id, idx)
	case "sem getpid":
		n, err = ipc.SemGetPid(h.id, idx)
	}
	if err != nil {
		return Value{}, fail(PhaseOnce, err)
	}
	res := strconv.Itoa(n)
	if c.verb == "sem getpid" && !p.run.cfg.Verbose {
		res = p.pidName(n)
	}
	p.done(c, PhaseOnce, res)
	return intV(int64(n)), nil
}

func execSemctl(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	h, _, err := c.semParam()
	if err != nil {
		return Value{}, err
	}
	if c.flags["rmid"] {
		return Value{}, p.remove(c, &h.sysvObj)
	}
	ds, err := ipc.SemctlStat(h.id)
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, h.idErr(err))
	}
	vals := make([]uint16, ds.Nsems)
	if err := ipc.SemGetAll(h.id, vals); err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, h.idErr(err))
	}
	items := make([]Value, len(vals))
	for i, v := range vals {
		items[i] = intV(int64(v))
	}
	rec := statRecord([]string{"key", "mode", "nsems", "values"},
		strV(keyText(ds.Perm.Key)), modeV(int64(ds.Perm.Mode&0o777)), intV(int64(ds.Nsems)), Value{K: KList, R: &List{Items: items}})
	p.done(c, PhaseOnce, rec.render(p.run.cfg.Verbose))
	return Value{K: KRecord, R: rec}, nil
}
