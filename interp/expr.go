package interp

import (
	"strconv"

	"ipcsh/ipc"
	"ipcsh/lang"
)

type exprFn func(p *Proc) (Value, error)

func constant(v Value) exprFn { return func(*Proc) (Value, error) { return v, nil } }

// constInt reports whether e is an integer literal, and its value.
func constInt(e *lang.Expr) (int64, bool) {
	pf := lang.AsPostfix(e)
	if pf == nil || len(pf.Ops) > 0 || pf.Primary.Int == nil {
		return 0, false
	}
	n, err := lang.ParseInt(*pf.Primary.Int)
	return n, err == nil
}

func (c *compiler) intExpr(e *lang.Expr, what string) func(p *Proc) (int64, error) {
	f := c.expr(e)
	pos := e.Pos
	return func(p *Proc) (int64, error) {
		v, err := f(p)
		if err != nil {
			return 0, err
		}
		if v.K != KInt {
			return 0, errorf(pos, "%s: expected an int, found %s", what, v.typeName())
		}
		return v.I, nil
	}
}

func (c *compiler) expr(e *lang.Expr) exprFn {
	f := c.and(e.Left)
	for _, r := range e.Rest {
		left, right := f, c.and(r.Right)
		pos := e.Pos
		f = func(p *Proc) (Value, error) {
			b, err := truthOf(p, pos, "||", left)
			if err != nil || b {
				return boolV(b), err
			}
			b, err = truthOf(p, pos, "||", right)
			return boolV(b), err
		}
	}
	return f
}

func truthOf(p *Proc, pos lang.Pos, op string, f exprFn) (bool, error) {
	v, err := f(p)
	if err != nil {
		return false, err
	}
	b, ok := v.truth()
	if !ok {
		return false, errorf(pos, "%s: expected a condition, found %s", op, v.typeName())
	}
	return b, nil
}

func (c *compiler) and(a *lang.And) exprFn {
	f := c.cmp(a.Left)
	for _, r := range a.Rest {
		left, right := f, c.cmp(r.Right)
		pos := a.Pos
		f = func(p *Proc) (Value, error) {
			b, err := truthOf(p, pos, "&&", left)
			if err != nil || !b {
				return boolV(false), err
			}
			b, err = truthOf(p, pos, "&&", right)
			return boolV(b), err
		}
	}
	return f
}

func (c *compiler) cmp(n *lang.Cmp) exprFn {
	left := c.sum(n.Left)
	if n.Op == "" {
		return left
	}
	right := c.sum(n.Right)
	op, pos := n.Op, n.Pos
	return func(p *Proc) (Value, error) {
		a, err := left(p)
		if err != nil {
			return a, err
		}
		b, err := right(p)
		if err != nil {
			return b, err
		}
		if a.K == KInt && b.K == KInt {
			return boolV(intCompare(op, a.I, b.I)), nil
		}
		r, err := compare(pos, op, a, b)
		return boolV(r), err
	}
}

// compare applies a comparison operator.
func compare(pos lang.Pos, op string, a, b Value) (bool, error) {
	switch op {
	case "==", "!=":
		eq, ok := equal(a, b)
		if !ok {
			return false, errorf(pos, "cannot compare %s %s %s", a.typeName(), op, b.typeName())
		}
		return eq == (op == "=="), nil
	}
	var c int
	switch {
	case a.K == KInt && b.K == KInt:
		c = cmpInt(a.I, b.I)
	case isText(a) && isText(b):
		as, bs := a.text(false), b.text(false)
		switch {
		case as < bs:
			c = -1
		case as > bs:
			c = 1
		}
	default:
		return false, errorf(pos, "cannot compare %s %s %s", a.typeName(), op, b.typeName())
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func intCompare(op string, a, b int64) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isText(v Value) bool { return v.K == KStr || v.K == KMsg }

func (c *compiler) sum(n *lang.Sum) exprFn {
	if len(n.Rest) == 0 {
		return c.term(n.Left)
	}
	left := c.termOperand(n.Left)
	for _, r := range n.Rest {
		f := arithOp(left, c.termOperand(r.Right), r.Op, r.Pos)
		left = operand{slot: -1, fn: f}
	}
	return left.fn
}

// operand is one side of an operator. Variables and constants are read
// in place rather than through a closure: in `x + y * 3` that saves three
// of five calls, which is most of the cost of an expression.
type operand struct {
	slot int // >= 0: a variable's slot
	fn   exprFn
	k    Value // a constant, when slot < 0 and fn == nil
	name string
	pos  lang.Pos
}

func (o *operand) get(p *Proc) (Value, error) {
	if o.slot >= 0 {
		if v := p.slots[o.slot]; v.K != KUndef {
			return v, nil
		}
		return Value{}, o.unset()
	}
	if o.fn == nil {
		return o.k, nil
	}
	return o.fn(p)
}

func (o *operand) unset() error { return errorf(o.pos, "%s is not set yet", o.name) }

// leaf makes an operand of a unary node, reading variables and literals
// in place.
func (c *compiler) leaf(u *lang.Unary) operand {
	if pf := u.Postfix; pf != nil && len(pf.Ops) == 0 {
		if id := pf.Primary.Ident; id != nil && !builtinNames[*id] {
			if slot, ok := c.syms.slots[*id]; ok {
				return operand{slot: slot, name: *id, pos: pf.Pos}
			}
		}
		if pf.Primary.Int != nil || pf.Primary.Str != nil || pf.Primary.Size != nil || pf.Primary.Duration != nil {
			v, _ := c.primary(pf.Primary)(nil)
			return operand{slot: -1, k: v}
		}
	}
	return operand{slot: -1, fn: c.unary(u)}
}

func (c *compiler) termOperand(t *lang.Term) operand {
	if len(t.Rest) == 0 {
		return c.leaf(t.Left)
	}
	return operand{slot: -1, fn: c.term(t)}
}

// arithOp builds the closure of one arithmetic operator, with the int case
// inline and no comparison of operator names at run time.
func arithOp(left, right operand, op string, pos lang.Pos) exprFn {
	slow := func(a, b Value) (Value, error) {
		if op == "+" {
			return add(pos, a, b)
		}
		return arith(pos, op, a, b)
	}
	switch op {
	case "+":
		return func(p *Proc) (Value, error) {
			a, err := left.get(p)
			if err != nil {
				return a, err
			}
			b, err := right.get(p)
			if err != nil {
				return b, err
			}
			if a.K == KInt && b.K == KInt {
				return Value{K: KInt, I: a.I + b.I}, nil
			}
			return slow(a, b)
		}
	case "-":
		return func(p *Proc) (Value, error) {
			a, err := left.get(p)
			if err != nil {
				return a, err
			}
			b, err := right.get(p)
			if err != nil {
				return b, err
			}
			if a.K == KInt && b.K == KInt {
				return Value{K: KInt, I: a.I - b.I}, nil
			}
			return slow(a, b)
		}
	case "*":
		return func(p *Proc) (Value, error) {
			a, err := left.get(p)
			if err != nil {
				return a, err
			}
			b, err := right.get(p)
			if err != nil {
				return b, err
			}
			if a.K == KInt && b.K == KInt {
				return Value{K: KInt, I: a.I * b.I}, nil
			}
			return slow(a, b)
		}
	}
	return func(p *Proc) (Value, error) {
		a, err := left.get(p)
		if err != nil {
			return a, err
		}
		b, err := right.get(p)
		if err != nil {
			return b, err
		}
		return slow(a, b)
	}
}

// add is `+`: ints add; if either side is text, both join as text.
func add(pos lang.Pos, a, b Value) (Value, error) {
	if a.K == KInt && b.K == KInt {
		return intV(a.I + b.I), nil
	}
	if (isText(a) || isText(b)) && a.K != KUndef && b.K != KUndef && a.K != KHandle && b.K != KHandle {
		return strV(a.text(false) + b.text(false)), nil
	}
	return Value{}, errorf(pos, "cannot add %s + %s", a.typeName(), b.typeName())
}

func arith(pos lang.Pos, op string, a, b Value) (Value, error) {
	if a.K != KInt || b.K != KInt {
		return Value{}, errorf(pos, "cannot compute %s %s %s: both sides must be ints", a.typeName(), op, b.typeName())
	}
	switch op {
	case "-":
		return intV(a.I - b.I), nil
	case "*":
		return intV(a.I * b.I), nil
	case "/", "%":
		if b.I == 0 {
			return Value{}, errorf(pos, "division by zero")
		}
		if op == "/" {
			return intV(a.I / b.I), nil
		}
		return intV(a.I % b.I), nil
	}
	return Value{}, errorf(pos, "unknown operator %s", op)
}

func (c *compiler) term(n *lang.Term) exprFn {
	if len(n.Rest) == 0 {
		return c.unary(n.Left)
	}
	left := c.leaf(n.Left)
	for _, r := range n.Rest {
		f := arithOp(left, c.leaf(r.Right), r.Op, r.Pos)
		left = operand{slot: -1, fn: f}
	}
	return left.fn
}

func (c *compiler) unary(u *lang.Unary) exprFn {
	if u.Postfix != nil {
		return c.postfix(u.Postfix)
	}
	// Fold a negative literal, so `-1` is a constant, not a negation.
	if u.Op == "-" && u.Operand.Postfix != nil && len(u.Operand.Postfix.Ops) == 0 && u.Operand.Postfix.Primary.Int != nil {
		n, _ := lang.ParseInt(*u.Operand.Postfix.Primary.Int)
		return constant(intV(-n))
	}
	x := c.unary(u.Operand)
	op, pos := u.Op, u.Pos
	return func(p *Proc) (Value, error) {
		v, err := x(p)
		if err != nil {
			return v, err
		}
		switch op {
		case "!":
			b, ok := v.truth()
			if !ok {
				return Value{}, errorf(pos, "!: expected a condition, found %s", v.typeName())
			}
			return boolV(!b), nil
		case "-", "+":
			if v.K != KInt {
				return Value{}, errorf(pos, "%s: expected an int, found %s", op, v.typeName())
			}
			if op == "-" {
				v.I = -v.I
			}
			return v, nil
		}
		return v, nil
	}
}

func (c *compiler) primary(n *lang.Primary) exprFn {
	switch {
	case n.Int != nil:
		v, err := lang.ParseInt(*n.Int)
		if err != nil {
			c.errorf(n.Pos, "bad integer %s: %s", *n.Int, err)
		}
		return constant(intV(v))
	case n.Size != nil, n.Duration != nil:
		lit := n.Size
		if lit == nil {
			lit = n.Duration
		}
		v, err := lang.ParseUnit(*lit)
		if err != nil {
			c.errorf(n.Pos, "bad value %s: %s", *lit, err)
		}
		return constant(intV(v))
	case n.Str != nil:
		s, err := lang.Unquote(*n.Str)
		if err != nil {
			c.errorf(n.Pos, "bad string: %s", err)
		}
		return constant(strV(s))
	case n.Bool != nil:
		return constant(boolV(*n.Bool == "true"))
	case n.Paren != nil:
		return c.expr(n.Paren)
	}
	return c.name(n.Pos, *n.Ident)
}

func (c *compiler) name(pos lang.Pos, name string) exprFn {
	switch name {
	case "args":
		return func(p *Proc) (Value, error) {
			items := make([]Value, len(p.run.cfg.Args))
			for i, a := range p.run.cfg.Args {
				items[i] = strV(a)
			}
			return Value{K: KList, R: &List{Items: items}}, nil
		}
	case "tmp":
		return func(p *Proc) (Value, error) {
			d, err := p.run.tmp()
			if err != nil {
				return Value{}, errorf(pos, "tmp: %v", err)
			}
			return strV(d), nil
		}
	case "self":
		return func(p *Proc) (Value, error) { return strV(p.name), nil }
	case "err":
		return func(p *Proc) (Value, error) { return strV(p.errName), nil }
	}
	slot, ok := c.syms.slots[name]
	if !ok {
		if spec := lang.Lookup(name); spec != nil && spec.Value {
			c.errorf(pos, "undefined: %s (%s is a statement: bind its value first, let v = %s)", name, name, spec.Usage)
		} else {
			c.errorf(pos, "undefined: %s", name)
		}
		return constant(Value{})
	}
	return func(p *Proc) (Value, error) {
		v := p.slots[slot]
		if v.K == KUndef {
			return v, errorf(pos, "%s is not set yet", name)
		}
		return v, nil
	}
}

func (c *compiler) postfix(n *lang.Postfix) exprFn {
	if len(n.Ops) > 0 && n.Ops[0].Call != nil {
		f := c.call(n.Pos, *n.Primary.Ident, n.Ops[0].Call)
		return c.postOps(f, n.Ops[1:])
	}
	return c.postOps(c.primary(n.Primary), n.Ops)
}

func (c *compiler) postOps(f exprFn, ops []*lang.PostOp) exprFn {
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		base, pos := f, op.Pos
		if t, ok := elemTypes[deref(op.Field)]; ok && k+1 < len(ops) && ops[k+1].Index != nil && !ops[k+1].Index.Slice && ops[k+1].Index.Lo != nil {
			// a.i64[0]: one step, no view value in between.
			f = c.elemRead(base, t, c.expr(ops[k+1].Index.Lo), pos)
			k++
			continue
		}
		switch {
		case op.Field != nil:
			name := *op.Field
			f = func(p *Proc) (Value, error) {
				v, err := base(p)
				if err != nil {
					return v, err
				}
				return field(pos, v, name)
			}
		case op.Index != nil && !op.Index.Slice:
			if op.Index.Lo == nil {
				c.errorf(pos, "expected an index inside [ ]")
				continue
			}
			idx := c.expr(op.Index.Lo)
			f = func(p *Proc) (Value, error) {
				v, err := base(p)
				if err != nil {
					return v, err
				}
				i, err := idx(p)
				if err != nil {
					return i, err
				}
				return index(pos, v, i)
			}
		case op.Index != nil:
			var lo, hi exprFn
			if op.Index.Lo != nil {
				lo = c.expr(op.Index.Lo)
			}
			if op.Index.Hi != nil {
				hi = c.expr(op.Index.Hi)
			}
			f = func(p *Proc) (Value, error) {
				v, err := base(p)
				if err != nil {
					return v, err
				}
				return slice(p, pos, v, lo, hi)
			}
		case op.Call != nil:
			c.errorf(pos, "only built-in functions can be called")
		}
	}
	return f
}

func field(pos lang.Pos, v Value, name string) (Value, error) {
	switch v.K {
	case KMsg:
		m := v.R.(*Msg)
		switch name {
		case "type":
			return intV(m.Type), nil
		case "text":
			return strV(m.Text), nil
		}
	case KRecord:
		if f, ok := v.R.(*Record).Get(name); ok {
			return f, nil
		}
	case KHandle:
		if fh, ok := v.R.(fielder); ok {
			if f, ok := fh.field(name); ok {
				return f, nil
			}
		}
	}
	return Value{}, errorf(pos, "%s has no field .%s", v.typeName(), name)
}

// fielder is a handle with fields (`p.r`, later `child.pid`).
type fielder interface {
	field(name string) (Value, bool)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func index(pos lang.Pos, v, i Value) (Value, error) {
	if v.K == KHandle {
		switch h := v.R.(type) {
		case *semHandle:
			return h.at(pos, i)
		case *memHandle:
			m, err := memOf(pos, v, h.name+"[..]")
			if err != nil {
				return Value{}, err
			}
			off, err := m.elemOffset(pos, elemTypes["u8"], i)
			if err != nil {
				return Value{}, err
			}
			return strV(string(m.mem[off : off+1])), nil
		}
	}
	if i.K != KInt {
		return Value{}, errorf(pos, "index must be an int, found %s", i.typeName())
	}
	switch v.K {
	case KStr, KMsg:
		s := v.text(false)
		if i.I < 0 || i.I >= int64(len(s)) {
			return Value{}, errorf(pos, "index %d out of range (length %d)", i.I, len(s))
		}
		return strV(s[i.I : i.I+1]), nil
	case KList:
		items := v.R.(*List).Items
		if i.I < 0 || i.I >= int64(len(items)) {
			return Value{}, errorf(pos, "index %d out of range (length %d)", i.I, len(items))
		}
		return items[i.I], nil
	}
	return Value{}, errorf(pos, "cannot index a %s", v.typeName())
}

// bounds evaluates the ends of [lo:hi]; an end left out is 0 or hi.
func bounds(p *Proc, pos lang.Pos, lo, hi exprFn, hiDefault int64, what string) (int64, int64, error) {
	a, b := int64(0), hiDefault
	for _, end := range [2]struct {
		f   exprFn
		dst *int64
	}{{lo, &a}, {hi, &b}} {
		if end.f == nil {
			continue
		}
		x, err := end.f(p)
		if err != nil {
			return 0, 0, err
		}
		if x.K != KInt {
			return 0, 0, errorf(pos, "%s bounds must be ints, found %s", what, x.typeName())
		}
		*end.dst = x.I
	}
	return a, b, nil
}

func slice(p *Proc, pos lang.Pos, v Value, lo, hi exprFn) (Value, error) {
	var n int64
	switch v.K {
	case KStr, KMsg:
		n = int64(len(v.text(false)))
	case KList:
		n = int64(len(v.R.(*List).Items))
	case KHandle:
		if _, ok := v.R.(*memHandle); ok {
			h, err := memOf(pos, v, "[lo:hi]")
			if err != nil {
				return Value{}, err
			}
			return memSlice(p, pos, h, lo, hi)
		}
		return Value{}, errorf(pos, "cannot slice a %s", v.typeName())
	default:
		return Value{}, errorf(pos, "cannot slice a %s", v.typeName())
	}
	a, b, err := bounds(p, pos, lo, hi, n, "slice")
	if err != nil {
		return Value{}, err
	}
	if a < 0 || b > n || a > b {
		return Value{}, errorf(pos, "slice [%d:%d] out of range (length %d)", a, b, n)
	}
	if v.K == KList {
		return Value{K: KList, R: &List{Items: v.R.(*List).Items[a:b]}}, nil
	}
	return strV(v.text(false)[a:b]), nil
}

// call compiles a built-in function call: len, str, int, hex, ftok.
func (c *compiler) call(pos lang.Pos, name string, call *lang.Call) exprFn {
	args := make([]exprFn, len(call.Args))
	for i, a := range call.Args {
		args[i] = c.expr(a)
	}
	want := 1
	if name == "ftok" {
		want = 2
	}
	if len(args) != want {
		c.errorf(pos, "%s takes %d argument(s), found %d", name, want, len(args))
		return constant(Value{})
	}
	return func(p *Proc) (Value, error) {
		var vals [2]Value
		for i, a := range args {
			v, err := a(p)
			if err != nil {
				return v, err
			}
			vals[i] = v
		}
		return builtin(pos, name, vals[0], vals[1])
	}
}

func builtin(pos lang.Pos, name string, a, b Value) (Value, error) {
	switch name {
	case "len":
		switch a.K {
		case KStr, KMsg:
			return intV(int64(len(a.text(false)))), nil
		case KList:
			return intV(int64(len(a.R.(*List).Items))), nil
		}
		return Value{}, errorf(pos, "len: expected a string or list, found %s", a.typeName())
	case "str":
		return strV(a.text(false)), nil
	case "int":
		switch a.K {
		case KInt:
			return a, nil
		case KBool:
			return intV(a.I), nil
		case KStr, KMsg:
			n, err := lang.ParseInt(a.text(false))
			if err != nil {
				return Value{}, errorf(pos, "int: %s is not an integer: %s", strconv.Quote(a.text(false)), err)
			}
			return intV(n), nil
		}
		return Value{}, errorf(pos, "int: cannot convert a %s", a.typeName())
	case "hex":
		if a.K != KInt {
			return Value{}, errorf(pos, "hex: expected an int, found %s", a.typeName())
		}
		return strV(hexText(a.I)), nil
	case "ftok":
		if !isText(a) || b.K != KInt {
			return Value{}, errorf(pos, "ftok: expected (path, id), found (%s, %s)", a.typeName(), b.typeName())
		}
		k, err := ipc.Ftok(a.text(false), int(b.I))
		if err != nil {
			return Value{}, sysErr(pos, "ftok("+strconv.Quote(a.text(false))+", "+strconv.FormatInt(b.I, 10)+")", err, "")
		}
		return intV(int64(k)), nil
	}
	return Value{}, errorf(pos, "unknown function %s", name)
}
