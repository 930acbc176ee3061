package interp

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

type exprFn func(p *Proc) (Value, error)

func constant(v Value) exprFn { return func(*Proc) (Value, error) { return v, nil } }

// constInt reports whether e is an integer literal, and its value.
func constInt(e lang.Expr) (int64, bool) {
	lit, ok := e.(*lang.Literal)
	if !ok || lit.Kind != lang.LitInt {
		return 0, false
	}
	n, err := lang.ParseInt(lit.Raw)
	return n, err == nil
}

// startOf is where e's text starts: the position of errors about all of e.
func startOf(e lang.Expr) lang.Pos {
	p, _ := e.Span()
	return p
}

func (c *compiler) intExpr(e lang.Expr, what string) func(p *Proc) (int64, error) {
	f := c.expr(e)
	pos := startOf(e)
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

// expr compiles an expression to a closure, by the node's type.
func (c *compiler) expr(e lang.Expr) exprFn {
	switch e := e.(type) {
	case *lang.Literal:
		return constant(c.literal(e))
	case *lang.Ident:
		return c.name(e.Pos, e.Name)
	case *lang.ParenExpr:
		return c.expr(e.X)
	case *lang.UnaryExpr:
		return c.unary(e)
	case *lang.BinaryExpr:
		return c.binary(e)
	case *lang.DotExpr:
		base, name, pos := c.expr(e.X), e.Name, e.Dot
		return func(p *Proc) (Value, error) {
			v, err := base(p)
			if err != nil {
				return v, err
			}
			return field(pos, v, name)
		}
	case *lang.IndexExpr:
		return c.index(e)
	case *lang.SliceExpr:
		base, lo, hi := c.sliceParts(e)
		pos := e.Lbrack
		return func(p *Proc) (Value, error) {
			v, err := base(p)
			if err != nil {
				return v, err
			}
			return slice(p, pos, v, lo, hi, nil)
		}
	case *lang.CallExpr:
		name, ok := lang.IdentOf(e.Fn)
		if !ok {
			c.errorf(e.Lparen, "only built-in functions can be called")
			return c.expr(e.Fn)
		}
		return c.call(e.Pos, name, e.Args)
	}
	panic(fmt.Sprintf("interp: no compiler for %T", e))
}

// sliceParts compiles X, Lo and Hi of X[Lo:Hi]; an end left out is nil.
func (c *compiler) sliceParts(e *lang.SliceExpr) (base, lo, hi exprFn) {
	base = c.expr(e.X)
	if e.Lo != nil {
		lo = c.expr(e.Lo)
	}
	if e.Hi != nil {
		hi = c.expr(e.Hi)
	}
	return base, lo, hi
}

// logic compiles || and &&, which evaluate their right side only when
// the left one does not decide.
func (c *compiler) logic(e *lang.BinaryExpr) exprFn {
	left, right := c.expr(e.X), c.expr(e.Y)
	op, pos := e.Op, e.Pos
	decides := op == "||" // the value of the left side that decides
	return func(p *Proc) (Value, error) {
		b, err := truthOf(p, pos, op, left)
		if err != nil || b == decides {
			return boolV(b), err
		}
		b, err = truthOf(p, pos, op, right)
		return boolV(b), err
	}
}

// truthOf evaluates f as the condition of what (if, while, ||, ...).
func truthOf(p *Proc, pos lang.Pos, what string, f exprFn) (bool, error) {
	v, err := f(p)
	if err != nil {
		return false, err
	}
	return condition(pos, what, v)
}

// condition is v as a condition: bools, ints, strings (Value.truth).
func condition(pos lang.Pos, what string, v Value) (bool, error) {
	b, ok := v.truth()
	if !ok {
		return false, errorf(pos, "%s: expected a condition, found %s", what, v.typeName())
	}
	return b, nil
}

// both evaluates two closures, left first.
func both(p *Proc, f, g exprFn) (a, b Value, err error) {
	if a, err = f(p); err != nil {
		return a, b, err
	}
	b, err = g(p)
	return a, b, err
}

// binary compiles an operator with two operands: the logical ones, a
// comparison (errors at the start of the comparison), or arithmetic
// (errors at the operator).
func (c *compiler) binary(e *lang.BinaryExpr) exprFn {
	if e.Op == "||" || e.Op == "&&" {
		return c.logic(e)
	}
	if isComparison(e.Op) {
		left, right := c.expr(e.X), c.expr(e.Y)
		op, pos := e.Op, e.Pos
		return func(p *Proc) (Value, error) {
			a, b, err := both(p, left, right)
			if err != nil {
				return Value{}, err
			}
			r, err := compare(pos, op, a, b)
			return boolV(r), err
		}
	}
	x, y := c.operand(e.X), c.operand(e.Y)
	op, pos := arithOp(e.Op[0]), e.OpPos
	return func(p *Proc) (Value, error) {
		a, err := x.get(p)
		if err != nil {
			return a, err
		}
		b, err := y.get(p)
		if err != nil {
			return b, err
		}
		// The hot path, inline: two ints.
		if a.K == KInt && b.K == KInt {
			if r, ok := intArith(op, a.I, b.I); ok {
				return Value{K: KInt, I: r}, nil
			}
		}
		return arith(pos, op, a, b)
	}
}

func isComparison(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// compare applies a comparison operator.
func compare(pos lang.Pos, op string, a, b Value) (bool, error) {
	if a.K == KInt && b.K == KInt {
		return holds(op, cmp.Compare(a.I, b.I)), nil
	}
	if op == "==" || op == "!=" {
		return equal(a, b) == (op == "=="), nil
	}
	if !isText(a) || !isText(b) {
		return false, errorf(pos, "cannot compare %s %s %s", a.typeName(), op, b.typeName())
	}
	return holds(op, strings.Compare(a.text(false), b.text(false))), nil
}

// holds says whether `a op b` is true when a and b compare as c (-1, 0, 1).
func holds(op string, c int) bool {
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func isText(v Value) bool { return v.K == KStr || v.K == KMsg }

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

// operand makes an operand of e, reading variables and literals in place.
func (c *compiler) operand(e lang.Expr) operand {
	switch e := e.(type) {
	case *lang.Ident:
		if slot, ok := c.lookup(e.Name); ok && !builtinNames[e.Name] {
			return operand{slot: slot, name: e.Name, pos: e.Pos}
		}
	case *lang.Literal:
		return operand{slot: -1, k: c.literal(e)}
	}
	return operand{slot: -1, fn: c.expr(e)}
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

// arithOp is an arithmetic operator, as its character: + - * / %.
type arithOp byte

// arith applies an arithmetic operator: ints compute, and `+` joins two
// values as text when either is text.
func arith(pos lang.Pos, op arithOp, a, b Value) (Value, error) {
	if a.K == KInt && b.K == KInt {
		if r, ok := intArith(op, a.I, b.I); ok {
			return intV(r), nil
		}
		return Value{}, errorf(pos, "division by zero")
	}
	if op == '+' {
		if (isText(a) || isText(b)) && a.K != KUndef && b.K != KUndef && a.K != KHandle && b.K != KHandle {
			return strV(a.text(false) + b.text(false)), nil
		}
		return Value{}, errorf(pos, "cannot add %s + %s", a.typeName(), b.typeName())
	}
	return Value{}, errorf(pos, "cannot compute %s %c %s: both sides must be ints", a.typeName(), op, b.typeName())
}

// intArith is the arithmetic of ints; ok is false for a division by zero.
func intArith(op arithOp, a, b int64) (r int64, ok bool) {
	switch op {
	case '+':
		return a + b, true
	case '-':
		return a - b, true
	case '*':
		return a * b, true
	case '/':
		if b != 0 {
			return a / b, true
		}
	case '%':
		if b != 0 {
			return a % b, true
		}
	}
	return 0, false
}

func (c *compiler) unary(e *lang.UnaryExpr) exprFn {
	// Fold a negative literal, so `-1` is a constant, not a negation.
	if lit, ok := e.X.(*lang.Literal); ok && e.Op == "-" && lit.Kind == lang.LitInt {
		n, _ := lang.ParseInt(lit.Raw)
		return constant(intV(-n))
	}
	x := c.expr(e.X)
	op, pos := e.Op, e.Pos
	return func(p *Proc) (Value, error) {
		v, err := x(p)
		if err != nil {
			return v, err
		}
		switch op {
		case "!":
			b, err := condition(pos, "!", v)
			return boolV(!b), err
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

// literal is a literal's value; a literal the lexer let through but that
// does not convert is a compile error.
func (c *compiler) literal(n *lang.Literal) Value {
	switch n.Kind {
	case lang.LitInt:
		v, err := lang.ParseInt(n.Raw)
		if err != nil {
			c.errorf(n.Pos, "bad integer %s: %s", n.Raw, err)
		}
		return intV(v)
	case lang.LitSize, lang.LitDuration:
		v, err := lang.ParseUnit(n.Raw)
		if err != nil {
			c.errorf(n.Pos, "bad value %s: %s", n.Raw, err)
		}
		return intV(v)
	case lang.LitString:
		s, err := lang.Unquote(n.Raw)
		if err != nil {
			c.errorf(n.Pos, "bad string: %s", err)
		}
		return strV(s)
	}
	return boolV(n.Raw == "true")
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
	slot, ok := c.lookup(name)
	if !ok && c.unsure.Bound(name) {
		return constant(Value{})
	}
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

// index compiles X[I]; `a.i64[0]` is one step, with no view value in
// between.
func (c *compiler) index(e *lang.IndexExpr) exprFn {
	if dot, ok := e.X.(*lang.DotExpr); ok && e.Index != nil {
		if t, ok := elemTypes[dot.Name]; ok {
			return c.elemRead(c.expr(dot.X), t, c.expr(e.Index), dot.Dot)
		}
	}
	base, pos := c.expr(e.X), e.Lbrack
	if e.Index == nil {
		c.errorf(pos, "expected an index inside [ ]")
		return base
	}
	idx := c.expr(e.Index)
	return func(p *Proc) (Value, error) {
		v, i, err := both(p, base, idx)
		if err != nil {
			return Value{}, err
		}
		return index(pos, v, i)
	}
}

func field(pos lang.Pos, v Value, name string) (Value, error) {
	switch v.K {
	case KMsg:
		m := v.R.(*Msg)
		switch {
		case name == "type" && !m.Posix:
			return intV(m.Type), nil
		case name == "prio" && m.Posix:
			return intV(m.Prio), nil
		case name == "type" || name == "prio":
			kind, has := "SysV", ".type"
			if m.Posix {
				kind, has = "POSIX", ".prio"
			}
			return Value{}, errorf(pos, "a %s message has no .%s: it has %s and .text", kind, name, has)
		}
		switch name {
		case "text":
			return strV(m.Text), nil
		}
	case KRecord:
		r := v.R.(*Record)
		if f, ok := r.Get(name); ok {
			if d, ok := r.Display[name]; ok && f.K == KInt {
				f.S = d // a pid, named as the record shows it
			}
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

func index(pos lang.Pos, v, i Value) (Value, error) {
	if v.K == KHandle {
		switch h := v.R.(type) {
		case *semHandle:
			return h.at(pos, i)
		case *familyHandle:
			return h.member(pos, i)
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
func bounds(p *Proc, pos lang.Pos, lo, hi exprFn, hiDefault int64, what, whatTail string) (int64, int64, error) {
	a, err := bound(p, pos, lo, 0, what, whatTail)
	if err != nil {
		return 0, 0, err
	}
	b, err := bound(p, pos, hi, hiDefault, what, whatTail)
	return a, b, err
}

// bound evaluates one end; what and whatTail name the slice for an error,
// and are joined only then: a view read in a loop makes no string.
func bound(p *Proc, pos lang.Pos, f exprFn, def int64, what, whatTail string) (int64, error) {
	if f == nil {
		return def, nil
	}
	x, err := f(p)
	if err != nil {
		return 0, err
	}
	if x.K != KInt {
		return 0, errorf(pos, "%s%s bounds must be ints, found %s", what, whatTail, x.typeName())
	}
	return x.I, nil
}

// slice is v[lo:hi]. A view of shared memory is a copy; into, if not nil,
// is a buffer of the statement's own for it (ownedSlice).
func slice(p *Proc, pos lang.Pos, v Value, lo, hi exprFn, into *[]byte) (Value, error) {
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
			return memSlice(p, pos, h, lo, hi, into)
		}
		return Value{}, errorf(pos, "cannot slice a %s", v.typeName())
	default:
		return Value{}, errorf(pos, "cannot slice a %s", v.typeName())
	}
	a, b, err := bounds(p, pos, lo, hi, n, "slice", "")
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

// varBuiltin is a built-in of the table below: how many arguments it
// takes (max -1: any number from min) and what it computes.
type varBuiltin struct {
	min, max int
	fn       func(p *Proc, args []Value) (Value, error)
}

// varBuiltins are the built-ins added with binary data and processes
// (LANGUAGE.md §2): pack.go, format.go and strfuncs.go compute them.
var varBuiltins = map[string]varBuiltin{
	"pack":    {1, -1, func(_ *Proc, a []Value) (Value, error) { return builtinPack(a) }},
	"unpack":  {2, 2, func(_ *Proc, a []Value) (Value, error) { return builtinUnpack(a) }},
	"sizeof":  {1, 1, func(_ *Proc, a []Value) (Value, error) { return builtinSizeof(a) }},
	"format":  {1, -1, func(p *Proc, a []Value) (Value, error) { return builtinFormat(a) }},
	"ord":     {1, 1, func(_ *Proc, a []Value) (Value, error) { return builtinOrd(a[0]) }},
	"chr":     {1, 1, func(_ *Proc, a []Value) (Value, error) { return builtinChr(a[0]) }},
	"find":    {2, 2, func(_ *Proc, a []Value) (Value, error) { return builtinFind(a[0], a[1]) }},
	"trim":    {1, 1, func(_ *Proc, a []Value) (Value, error) { return builtinTrim(a[0]) }},
	"getpid":  {0, 0, func(_ *Proc, _ []Value) (Value, error) { return intV(int64(unix.Getpid())), nil }},
	"getppid": {0, 0, func(_ *Proc, _ []Value) (Value, error) { return intV(int64(unix.Getppid())), nil }},
}

// callVar compiles a call of a varBuiltin.
func (c *compiler) callVar(pos lang.Pos, name string, b varBuiltin, args []exprFn) exprFn {
	if len(args) < b.min || b.max >= 0 && len(args) > b.max {
		if b.min == b.max {
			c.errorf(pos, "%s takes %d argument(s), found %d", name, b.min, len(args))
		} else {
			c.errorf(pos, "%s takes at least %d argument(s), found %d", name, b.min, len(args))
		}
		return constant(Value{})
	}
	return func(p *Proc) (Value, error) {
		vals := make([]Value, len(args))
		for i, a := range args {
			v, err := a(p)
			if err != nil {
				return v, err
			}
			vals[i] = v
		}
		v, err := b.fn(p, vals)
		if err != nil {
			return Value{}, errorf(pos, "%s", err)
		}
		return v, nil
	}
}

// call compiles a built-in function call.
func (c *compiler) call(pos lang.Pos, name string, list []lang.Expr) exprFn {
	args := make([]exprFn, len(list))
	for i, a := range list {
		args[i] = c.expr(a)
	}
	if b, ok := varBuiltins[name]; ok {
		return c.callVar(pos, name, b, args)
	}
	if !isBuiltinFunc(name) {
		pd, f := c.procCall(pos, name, args)
		if pd == nil {
			return f
		}
		return func(p *Proc) (Value, error) {
			v, err := f(p)
			if err == nil && v.K == KUndef {
				return v, errorf(pos, "%s(...) gave no value: end it with return EXPR", name)
			}
			return v, err
		}
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
			return intV(a.I), nil // a named pid's number
		case KBool:
			return intV(a.I), nil
		case KStr, KMsg:
			n, err := parseIntText(a.text(false))
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
