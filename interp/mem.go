package interp

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"ipcsh/lang"
)

// Memory views (LANGUAGE.md §2): `a[lo:hi]` is bytes, `a.i64[i]` element i
// of a type, in native byte order, of an attachment or a mapping. They
// are compiled from the shape of the expression, so `a.i64[0] += 1` in a
// loop neither allocates nor goes through a generic field lookup. Every
// access is checked — bounds, a detached attachment, a rdonly one — before
// the memory is touched: a wrong access is an error at its position, never
// a fault.

// elemType is a view's element: u8 ... u64.
type elemType struct {
	name     string
	size     int64
	signed   bool
	min, max int64
}

var elemTypes = map[string]elemType{
	"u8":  {"u8", 1, false, 0, 1<<8 - 1},
	"i8":  {"i8", 1, true, -1 << 7, 1<<7 - 1},
	"u16": {"u16", 2, false, 0, 1<<16 - 1},
	"i16": {"i16", 2, true, -1 << 15, 1<<15 - 1},
	"u32": {"u32", 4, false, 0, 1<<32 - 1},
	"i32": {"i32", 4, true, -1 << 31, 1<<31 - 1},
	"u64": {"u64", 8, false, 0, 1<<63 - 1},
	"i64": {"i64", 8, true, -1 << 63, 1<<63 - 1},
}

// memOf returns v as memory that can be read now, or an error that says
// why not.
func memOf(pos lang.Pos, v Value, what string) (*memHandle, error) {
	h, ok := v.R.(*memHandle)
	if v.K != KHandle || !ok {
		return nil, errorf(pos, "%s: expected an attachment or a mapping, found %s", what, v.typeName())
	}
	if h.gone {
		verb := "detached"
		if h.kind == "mapping" {
			verb = "unmapped"
		}
		return nil, errorf(pos, "%s: %s was %s at %s: its memory is gone", what, h.name, verb, posText(h.goneAt))
	}
	return h, nil
}

// writable refuses a store through read-only memory, as the EACCES the
// kernel would give for a write(2) to it, naming the attachment.
func (h *memHandle) writable(pos lang.Pos, stmt string) error {
	if !h.rdonly {
		return nil
	}
	how := "attached rdonly"
	if h.kind == "mapping" {
		how = "mapped rdonly"
	}
	return &Error{Pos: pos, Stmt: stmt, Errno: unix.EACCES, Msg: fmt.Sprintf("%s is %s: it can be read, not written", h.name, how)}
}

// elemOffset checks element i of type t against the memory's size.
func (h *memHandle) elemOffset(pos lang.Pos, t elemType, i Value) (int64, error) {
	if i.K != KInt {
		return 0, errorf(pos, "%s.%s: index must be an int, found %s", h.name, t.name, i.typeName())
	}
	n := int64(len(h.mem)) / t.size
	if i.I < 0 || i.I >= n {
		return 0, errorf(pos, "%s.%s[%d]: index out of range (%d bytes hold %d %s elements)", h.name, t.name, i.I, len(h.mem), n, t.name)
	}
	return i.I * t.size, nil
}

func (h *memHandle) load(t elemType, off int64) int64 {
	ptr := unsafe.Pointer(&h.mem[off])
	switch {
	case t.size == 1 && t.signed:
		return int64(*(*int8)(ptr))
	case t.size == 1:
		return int64(*(*uint8)(ptr))
	case t.size == 2 && t.signed:
		return int64(*(*int16)(ptr))
	case t.size == 2:
		return int64(*(*uint16)(ptr))
	case t.size == 4 && t.signed:
		return int64(*(*int32)(ptr))
	case t.size == 4:
		return int64(*(*uint32)(ptr))
	}
	return *(*int64)(ptr)
}

func (h *memHandle) store(t elemType, off, v int64) {
	ptr := unsafe.Pointer(&h.mem[off])
	switch t.size {
	case 1:
		*(*uint8)(ptr) = uint8(v)
	case 2:
		*(*uint16)(ptr) = uint16(v)
	case 4:
		*(*uint32)(ptr) = uint32(v)
	default:
		*(*int64)(ptr) = v
	}
}

// viewShape is a view expression taken apart: NAME, then .TYPE[INDEX],
// [INDEX] or [LO:HI].
type viewShape struct {
	base   *lang.Ident
	elem   *elemType
	index  lang.Expr // element or byte index
	slice  bool
	lo, hi lang.Expr
}

// shapeOf recognises the views the language writes to (`a.i64[0]`,
// `a[0:5]`, `a[3]`); ok is false for anything else.
func shapeOf(e lang.Expr) (viewShape, bool) {
	var s viewShape
	var ok bool
	switch x := e.(type) {
	case *lang.IndexExpr:
		s.index = x.Index
		if dot, isDot := x.X.(*lang.DotExpr); isDot {
			t, known := elemTypes[dot.Name]
			s.base, ok = dot.X.(*lang.Ident)
			s.elem, ok = &t, ok && known
		} else {
			s.base, ok = x.X.(*lang.Ident)
		}
		ok = ok && x.Index != nil
	case *lang.SliceExpr:
		s.base, ok = x.X.(*lang.Ident)
		s.slice, s.lo, s.hi = true, x.Lo, x.Hi
	}
	return s, ok
}

// elemRead compiles `X.TYPE[I]` where X may turn out at run time to be
// memory; anything else gets the error a field would.
func (c *compiler) elemRead(base exprFn, t elemType, idx exprFn, pos lang.Pos) exprFn {
	return func(p *Proc) (Value, error) {
		v, err := base(p)
		if err != nil {
			return v, err
		}
		if _, ok := v.R.(*memHandle); !ok || v.K != KHandle {
			return Value{}, errorf(pos, "%s has no field .%s", v.typeName(), t.name)
		}
		h, err := memOf(pos, v, "."+t.name)
		if err != nil {
			return Value{}, err
		}
		i, err := idx(p)
		if err != nil {
			return i, err
		}
		off, err := h.elemOffset(pos, t, i)
		if err != nil {
			return Value{}, err
		}
		p.faultAt = pos
		return intV(h.load(t, off)), nil
	}
}

// memSlice reads `a[lo:hi]` as a string: a copy, since the memory goes on
// changing under other processes. With into, the copy lands in that
// buffer, reused from one run of the statement to the next, as C's memcpy
// into a buffer of its own.
func memSlice(p *Proc, pos lang.Pos, h *memHandle, lo, hi exprFn, into *[]byte) (Value, error) {
	a, b, err := memBounds(p, pos, h, lo, hi, -1)
	if err != nil {
		return Value{}, err
	}
	p.faultAt = pos
	if into == nil {
		return strV(string(h.mem[a:b])), nil
	}
	if a == b {
		return strV(""), nil
	}
	if cap(*into) < int(b-a) {
		*into = make([]byte, b-a)
	}
	buf := (*into)[:b-a]
	copy(buf, h.mem[a:b])
	return strV(unsafe.String(&buf[0], len(buf))), nil
}

// memBounds evaluates [lo:hi] against the memory's size; an omitted hi is
// the end, or with n >= 0 (a store of n bytes) lo+n.
func memBounds(p *Proc, pos lang.Pos, h *memHandle, lo, hi exprFn, n int64) (int64, int64, error) {
	size := int64(len(h.mem))
	hiDefault := size
	if n >= 0 {
		hiDefault = -1 // a store of n bytes: lo+n
	}
	a, b, err := bounds(p, pos, lo, hi, hiDefault, h.name, "[..]:")
	if err != nil {
		return 0, 0, err
	}
	if b == -1 {
		b = a + n
	}
	if a < 0 || b > size || a > b {
		return 0, 0, errorf(pos, "%s[%d:%d]: out of range (%s has %d bytes)", h.name, a, b, h.name, size)
	}
	return a, b, nil
}

// viewAssign compiles a store into a view: `a[lo:hi] = s`, `a[i] = s`,
// `a.T[i] = n`, `a.T[i] += n`, and with atomic, a real atomic add.
func (c *compiler) viewAssign(pos lang.Pos, target lang.Expr, op string, value exprFn, isAtomic bool, stmt string) stmtFn {
	shape, ok := shapeOf(target)
	if !ok {
		c.errorf(startOf(target), "cannot assign to %s: expected a memory view such as a[0:5], a[3] or a.i64[0]", strconv.Quote(c.source(target.Span())))
		return nil
	}
	base := c.expr(shape.base)
	memFor := func(p *Proc) (*memHandle, error) {
		v, err := base(p)
		if err != nil {
			return nil, err
		}
		h, err := memOf(pos, v, stmt)
		if err != nil {
			return nil, err
		}
		return h, h.writable(pos, stmt)
	}
	switch {
	case shape.elem != nil:
		t := *shape.elem
		idx := c.expr(shape.index)
		if isAtomic && t.size < 4 {
			c.errorf(startOf(target), "atomic: %s is %d byte(s) wide: atomic adds work on i32, u32, i64 and u64", t.name, t.size)
			return nil
		}
		return func(p *Proc) error {
			h, err := memFor(p)
			if err != nil {
				return err
			}
			i, err := idx(p)
			if err != nil {
				return err
			}
			off, err := h.elemOffset(pos, t, i)
			if err != nil {
				return err
			}
			v, err := value(p)
			if err != nil {
				return err
			}
			if v.K != KInt {
				return errorf(pos, "%s: %s holds ints, found %s", stmt, t.name, v.typeName())
			}
			p.faultAt = pos
			if isAtomic {
				atomicAdd(h, t, off, v.I)
				return nil
			}
			n := v.I
			switch op {
			case "+=":
				n = h.load(t, off) + v.I
			case "-=":
				n = h.load(t, off) - v.I
			}
			if n < t.min || n > t.max {
				return errorf(pos, "%s: %d does not fit in %s (%d to %d)", stmt, n, t.name, t.min, t.max)
			}
			h.store(t, off, n)
			return nil
		}
	case op != "=":
		c.errorf(pos, "%s bytes: only = stores bytes (use a view such as a.u8[i] to add)", op)
		return nil
	case shape.slice:
		var lo, hi exprFn
		if shape.lo != nil {
			lo = c.expr(shape.lo)
		}
		if shape.hi != nil {
			hi = c.expr(shape.hi)
		}
		return func(p *Proc) error {
			h, err := memFor(p)
			if err != nil {
				return err
			}
			v, err := value(p)
			if err != nil {
				return err
			}
			if !isText(v) {
				return errorf(pos, "%s: memory takes a string, found %s", stmt, v.typeName())
			}
			s := v.text(false)
			a, b, err := memBounds(p, pos, h, lo, hi, int64(len(s)))
			if err != nil {
				return err
			}
			if b-a != int64(len(s)) {
				return errorf(pos, "%s: %d bytes into a range of %d", stmt, len(s), b-a)
			}
			p.faultAt = pos
			copy(h.mem[a:b], s)
			return nil
		}
	}
	idx := c.expr(shape.index)
	return func(p *Proc) error {
		h, err := memFor(p)
		if err != nil {
			return err
		}
		i, err := idx(p)
		if err != nil {
			return err
		}
		off, err := h.elemOffset(pos, elemTypes["u8"], i)
		if err != nil {
			return err
		}
		v, err := value(p)
		if err != nil {
			return err
		}
		if !isText(v) || len(v.text(false)) != 1 {
			return errorf(pos, "%s: one byte takes a string of length 1 (or use .u8[i] for a number)", stmt)
		}
		p.faultAt = pos
		h.mem[off] = v.text(false)[0]
		return nil
	}
}

// atomicAdd is a locked add on the element, visible to every process that
// shares the memory. Elements are naturally aligned: memory starts on a
// page and element i of a type sits at i times its size.
func atomicAdd(h *memHandle, t elemType, off, n int64) {
	ptr := unsafe.Pointer(&h.mem[off])
	switch t.size {
	case 4:
		atomic.AddUint32((*uint32)(ptr), uint32(n))
	default:
		atomic.AddInt64((*int64)(ptr), n)
	}
}
