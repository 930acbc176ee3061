package interp

import (
	"fmt"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"

	"ipcsh/lang"
)

// A family is the value of NAME after `spawn NAME[EXPR] { }` (LANGUAGE.md
// §3): its members are ordinary processes named `NAME[VALUE]`, so the
// board, the transcript, traces and the deadlock report need nothing of
// their own. `w[1]` indexes the family and gives the member's process
// handle; `wait w` and `kill w` act on the members in index order.
type familyHandle struct {
	name    string
	members []familyMember // in index order
}

type familyMember struct {
	key Value // an int or a string
	h   *procHandle
}

func (f *familyHandle) Name() string    { return f.name }
func (f *familyHandle) Kind() string    { return "family" }
func (f *familyHandle) Verbose() string { return f.name }

// memberName is the name a member has everywhere: `w[1]`, `w["left"]`.
func memberName(family string, key Value) string {
	if key.K == KInt {
		return family + "[" + strconv.FormatInt(key.I, 10) + "]"
	}
	return family + "[" + quoteStr(key.S) + "]"
}

// keyLess orders members: ints by value first, then strings by bytes.
func keyLess(a, b Value) bool {
	if a.K != b.K {
		return a.K == KInt
	}
	if a.K == KInt {
		return a.I < b.I
	}
	return a.S < b.S
}

func (f *familyHandle) find(key Value) (int, bool) {
	i := sort.Search(len(f.members), func(i int) bool { return !keyLess(f.members[i].key, key) })
	return i, i < len(f.members) && f.members[i].key.K == key.K && f.members[i].key.I == key.I && f.members[i].key.S == key.S
}

// add records a new member, replacing one of the same index that was
// waited for (its name is free again, as a single process's is).
func (f *familyHandle) add(key Value, h *procHandle) {
	i, ok := f.find(key)
	if ok {
		f.members[i].h = h
		return
	}
	f.members = append(f.members, familyMember{})
	copy(f.members[i+1:], f.members[i:])
	f.members[i] = familyMember{key: key, h: h}
}

// member is `w[KEY]`.
func (f *familyHandle) member(pos lang.Pos, key Value) (Value, error) {
	if key.K != KInt && key.K != KStr {
		return Value{}, errorf(pos, "%s[...]: a member's index is an int or a string, found %s", f.name, key.typeName())
	}
	if i, ok := f.find(key); ok {
		return handleV(f.members[i].h), nil
	}
	return Value{}, errorf(pos, "%s has no member %s", f.name, memberName(f.name, key))
}

func (f *familyHandle) field(name string) (Value, bool) {
	if name == "size" {
		return intV(int64(len(f.members))), true
	}
	return Value{}, false
}

func (f *familyHandle) wire(e *wireEncoder) wireHandle {
	w := wireHandle{Kind: "family", Name: f.name}
	for _, m := range f.members {
		w.Members = append(w.Members, e.handle(m.h))
		w.Keys = append(w.Keys, e.value(m.key))
	}
	return w
}

func decodeFamily(w wireHandle, d *wireDecoder) Handle {
	f := &familyHandle{name: w.Name}
	for i, m := range w.Members {
		f.members = append(f.members, familyMember{key: d.value(w.Keys[i]), h: d.handle(m).(*procHandle)})
	}
	return f
}

// familyKey evaluates the index of `spawn NAME[EXPR]`.
func familyKey(p *Proc, pos lang.Pos, name string, index exprFn) (Value, error) {
	k, err := index(p)
	if err != nil {
		return k, err
	}
	if k.K != KInt && k.K != KStr {
		return Value{}, errorf(pos, "spawn %s[...]: a member's index is an int or a string, found %s", name, k.typeName())
	}
	if k.K == KInt {
		return intV(k.I), nil // without a mode's or pid's display: equal keys are equal
	}
	return strV(k.S), nil
}

// familyOf returns the family NAME holds, making it on the first member.
// A name is a family or a single process in a run, never both.
func familyOf(p *Proc, pos lang.Pos, name string, slot int) (*familyHandle, error) {
	v := p.slots[slot]
	if v.K == KHandle {
		if f, ok := v.R.(*familyHandle); ok {
			return f, nil
		}
		if _, ok := v.R.(*procHandle); ok {
			return nil, errorf(pos, "spawn %s[...]: %s is a single process in this run: a name is either a family or a single process", name, name)
		}
	}
	f := &familyHandle{name: name}
	p.slots[slot] = handleV(f)
	return f, nil
}

// singleSlot refuses `spawn NAME` where NAME is a family of this run.
func singleSlot(p *Proc, pos lang.Pos, name string, slot int) error {
	if v := p.slots[slot]; v.K == KHandle {
		if _, ok := v.R.(*familyHandle); ok {
			return errorf(pos, "spawn %s: %s is a family of processes in this run: a name is either a family or a single process", name, name)
		}
	}
	return nil
}

// waitFamily is `wait NAME` on a family: every member not yet waited for,
// one line each in index order. The value is 0, or the first status in
// index order that is not 0.
func waitFamily(p *Proc, c *command, f *familyHandle) (Value, error) {
	result := intV(0)
	any := false
	for _, m := range f.members {
		h := m.h
		if h.waited {
			continue
		}
		any = true
		if h.foreign {
			return Value{}, p.failText(c.pos, PhaseConsume, "wait "+h.name, unix.ECHILD, h.name+" is not a child of "+p.name)
		}
		if err := p.waitFor(c.pos, h, "wait "+h.name); err != nil {
			return Value{}, err
		}
		if p.emitting() {
			p.ev = evNote{verb: "wait", obj: "proc:" + h.name}
			p.emit(EvCall, PhaseConsume, c.pos, "wait "+h.name, statusText(h.ws))
		}
		if v := statusValue(h.ws); (v.K != KInt || v.I != 0) && result.K == KInt && result.I == 0 {
			result = v
		}
	}
	if !any {
		return Value{}, p.fail(c, PhaseConsume, unix.ECHILD, fmt.Sprintf("every member of %s was already waited for", f.name))
	}
	return result, nil
}

// killFamily is `kill NAME [SIGNAL]` on a family: every member not yet
// waited for, one line each in index order. A member that has exited is
// not signalled (its pid may belong to another process by now): its line
// says so, and the family's other members still get the signal.
func killFamily(p *Proc, c *command, f *familyHandle, sig unix.Signal) error {
	withValue := ""
	if v, ok := c.opt("value"); ok {
		if v.K != KInt {
			return errorf(c.pos, "kill: value= expects an int, found %s", v.typeName())
		}
		withValue = " value=" + strconv.FormatInt(v.I, 10)
	}
	any := false
	for _, m := range f.members {
		h := m.h
		if h.waited {
			continue
		}
		any = true
		text := "kill " + h.name + " " + sigName(sig) + withValue
		if !h.foreign {
			select {
			case <-h.done:
				if p.emitting() {
					p.ev = evNote{verb: "kill", obj: "proc:" + h.name}
					p.emit(EvCall, PhaseOnce, c.pos, text, "already exited")
				}
				continue
			default:
			}
		}
		if p.emitting() {
			p.ev = evNote{verb: "kill", obj: "proc:" + h.name, n: int64(sig)}
			p.emit(EvCall, PhasePublish, c.pos, text, "")
		}
		// As for one process: value= goes with sigqueue, and a member
		// that takes signals on a thread of its own gets it there.
		if err := sendSignal(p.run, h, sig, c); err != nil {
			return p.failText(c.pos, PhasePublish, text, err, "")
		}
	}
	if !any {
		return p.fail(c, PhasePublish, unix.ESRCH, fmt.Sprintf("every member of %s was already waited for", f.name))
	}
	return nil
}

// familyCheck refuses, before anything runs, a script that spawns the same
// name both as a family and as a single process.
func (c *compiler) familyCheck(s *lang.Spawn) {
	if c.spawnKinds == nil {
		c.spawnKinds = map[string]*lang.Spawn{}
	}
	prev, ok := c.spawnKinds[s.Name]
	if !ok {
		c.spawnKinds[s.Name] = s
		return
	}
	if (prev.Index == nil) == (s.Index == nil) || c.unsure.Bound(s.Name) {
		return
	}
	what, other := "a single process", "a family of processes"
	if prev.Index != nil {
		what, other = other, what
	}
	c.errorf(s.Pos, "spawn %s: %s is %s (spawn at %d:%d), and a name is either a family or a single process in a run, not %s too",
		s.Name, s.Name, what, prev.Pos.Line, prev.Pos.Column, other)
}
