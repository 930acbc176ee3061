package interp

import (
	"errors"
	"fmt"
	"strings"

	"ipcsh/lang"
)

// The compiler turns the AST into closures once, before anything runs:
// names are resolved to slots, literals to constants, and each statement
// to a function of the process. Running is then calling closures, with no
// map lookups, no allocation and no interface boxing on the hot path.

type stmtFn func(p *Proc) error

// symtab maps names to slots. A session keeps one across REPL entries.
type symtab struct {
	slots map[string]int
	names []string
	procs map[string]*procDef // procs.go
}

func newSymtab() *symtab { return &symtab{slots: map[string]int{}} }

func (s *symtab) define(name string) int {
	if i, ok := s.slots[name]; ok {
		return i
	}
	s.slots[name] = len(s.names)
	s.names = append(s.names, name)
	return len(s.names) - 1
}

// builtinNames are read-only names every program sees.
var builtinNames = map[string]bool{"args": true, "tmp": true, "self": true, "err": true}

type compiler struct {
	syms  *symtab
	prog  *lang.Program
	loops int
	// spawns: the program has spawn blocks, so a warm pool pays off.
	spawns bool
	errs   lang.ErrorList
	// What the names are known to hold before anything runs, for the
	// type errors that are certain (staticPipe): how many statements of
	// this program bind each name, and which names `pipe` binds.
	binding bool
	bound   map[string]int
	pipes   map[string]bool
	fresh   int // names from this slot on are new in this program
	// spawnKinds: the first spawn of each name, a family's or not.
	spawnKinds map[string]*lang.Spawn
	// Procedures (procs.go): the one being compiled and its own names,
	// and those this compilation declared (compiled: how many so far).
	proc     *procDef
	locals   map[string]int
	newProcs []*procDef
	replaced []*procDef
	compiled int
	// top is the program compiled, kept: the names a use may keep the
	// value of (ownedread.go), found when first needed.
	top  *lang.Program
	kept map[string]bool
	// unsure: what the statements left out of a partial program
	// (CheckPartial) may have bound or defined; nothing is said of it.
	unsure *lang.Blanked
}

// compileProgram compiles prog against syms, defining every name the
// program binds anywhere, so a read of a name bound nowhere is caught
// before anything runs.
func compileProgram(syms *symtab, prog *lang.Program) (code []stmtFn, spawns bool, err error) {
	return compileWith(&compiler{syms: syms, prog: prog, top: prog, bound: map[string]int{}, pipes: map[string]bool{}})
}

func compileWith(c *compiler) (code []stmtFn, spawns bool, err error) {
	syms, prog := c.syms, c.prog
	// Bind first, on a copy: a REPL entry with an error must not leave
	// half its names behind.
	saved := len(syms.names)
	c.fresh, c.binding = saved, true
	c.declare(prog)
	c.bindAll(prog.Stmts)
	c.binding = false
	c.compileProcs()
	code = c.stmts(prog.Stmts)
	if len(c.errs) > 0 {
		for _, n := range syms.names[saved:] {
			delete(syms.slots, n)
		}
		syms.names = syms.names[:saved]
		for _, pd := range c.newProcs {
			if syms.procs[pd.name] == pd {
				delete(syms.procs, pd.name)
			}
		}
		for _, pd := range c.replaced {
			syms.procs[pd.name] = pd
		}
		return nil, false, c.errs
	}
	return code, c.spawns, nil
}

// Check finds what a run of prog would refuse before its first statement
// (exit 2), without running anything: `ipcsh check` calls it after the
// parse, so that check and run cannot disagree. It is the run's own
// compilation, on a fresh set of names.
func Check(prog *lang.Program) error {
	_, _, err := compileProgram(newSymtab(), prog)
	return err
}

// CheckPartial is Check of what is left of a script whose erroneous
// statements were blanked (lang.Recover). The blanked statements may have
// bound a name, defined a procedure, spawned a process or bound a pipe:
// what the compilation would say of a name they may have bound or defined
// (removed) could be due to their absence, so it says nothing. The errors
// that remain are those a run of the script would report once the
// blanked statements are mended, whatever they become.
func CheckPartial(prog *lang.Program, removed *lang.Blanked) error {
	c := &compiler{syms: newSymtab(), prog: prog, top: prog, bound: map[string]int{}, pipes: map[string]bool{}, unsure: removed}
	_, _, err := compileWith(c)
	return err
}

func (c *compiler) errorf(pos lang.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	// An expression can be compiled twice (expect compiles the sides of
	// its comparison again, to show both): its error is still one error.
	for _, e := range c.errs {
		if e.Pos == pos && e.Msg == msg {
			return
		}
	}
	c.errs = append(c.errs, &lang.Error{Pos: pos, Msg: msg, Line: lineOf(c.prog, pos)})
}

func lineOf(prog *lang.Program, pos lang.Pos) string {
	off := pos.Offset - prog.Base.Offset
	if off < 0 || off > len(prog.Src) {
		return ""
	}
	start := strings.LastIndexByte(prog.Src[:off], '\n') + 1
	end := strings.IndexByte(prog.Src[off:], '\n')
	if end < 0 {
		return prog.Src[start:]
	}
	return prog.Src[start : off+end]
}

// source returns the text of a node as written.
func (c *compiler) source(from, to lang.Pos) string {
	a, b := from.Offset-c.prog.Base.Offset, to.Offset-c.prog.Base.Offset
	if a < 0 || b > len(c.prog.Src) || a > b {
		return ""
	}
	return strings.TrimSpace(c.prog.Src[a:b])
}

// bindAll defines every name that some statement binds, in blocks too.
func (c *compiler) bindAll(stmts []*lang.Stmt) {
	for _, s := range stmts {
		lang.Walk(s, func(n lang.Node) bool {
			switch n := n.(type) {
			case *lang.Stmt:
				if n.Def != nil {
					return false // its names are its own (compileProc)
				}
				c.bind(n)
			case *lang.Block:
			default:
				return false // no expression binds a name
			}
			return true
		})
	}
}

func (c *compiler) bindName(pos lang.Pos, name string) {
	if builtinNames[name] {
		c.errorf(pos, "cannot bind %s: it is a built-in name", name)
		return
	}
	if c.locals != nil {
		if _, ok := c.locals[name]; !ok {
			c.locals[name] = c.syms.define(localName(c.proc.name, name))
		}
	} else {
		c.syms.define(name)
	}
	if c.binding {
		c.bound[name]++
	}
}

// staticPipe says whether name can only ever hold a pipe: this program
// binds it once, with `pipe`, and it meant nothing before (an earlier REPL
// entry or a spawning parent may have given it another value).
func (c *compiler) staticPipe(name string) bool {
	return c.pipes[name] && c.bound[name] == 1 && c.syms.slots[name] >= c.fresh
}

// bind defines the names s binds itself (bindAll walks its blocks).
func (c *compiler) bind(s *lang.Stmt) {
	switch {
	case s.For != nil:
		c.bindName(s.For.Pos, s.For.Var)
	case s.Let != nil:
		c.bindName(s.Let.Pos, s.Let.Name)
		if s.Let.Value.Cmd != nil {
			c.bindCmd(s.Let.Value.Cmd)
		}
	case s.Assign != nil:
		if name, ok := lang.IdentOf(s.Assign.Target); ok {
			c.bindName(s.Assign.Pos, name)
		}
		if s.Assign.Value.Cmd != nil {
			c.bindCmd(s.Assign.Value.Cmd)
		}
	case s.Spawn != nil:
		c.bindName(s.Spawn.Pos, s.Spawn.Name)
	case s.Cmd != nil:
		c.bindCmd(s.Cmd)
	}
}

func (c *compiler) bindCmd(cmd *lang.Command) {
	for i, a := range cmd.Params {
		if i < len(cmd.Spec.Params) && cmd.Spec.Params[i].Kind == lang.PName {
			name, _ := lang.IdentOf(a.Expr)
			c.bindName(a.Pos, name)
			if c.binding && cmd.Spec.Name == "pipe" {
				c.pipes[name] = true
			}
		}
	}
}

func (c *compiler) stmts(list []*lang.Stmt) []stmtFn {
	out := make([]stmtFn, 0, len(list))
	for _, s := range list {
		if f := c.stmt(s); f != nil {
			out = append(out, f)
		}
	}
	return out
}

func (c *compiler) block(b *lang.Block) []stmtFn {
	if b == nil {
		return nil
	}
	return c.stmts(b.Stmts)
}

func (c *compiler) stmt(s *lang.Stmt) stmtFn {
	switch {
	case s.If != nil:
		return c.ifStmt(s.If)
	case s.For != nil:
		return c.forStmt(s.For)
	case s.While != nil:
		return c.whileStmt(s.While)
	case s.Repeat != nil:
		return c.repeatStmt(s.Repeat)
	case s.Let != nil:
		return c.assign(s.Let.Pos, c.slot(s.Let.Name), "=", s.Let.Value)
	case s.Assign != nil:
		return c.assignStmt(s.Assign)
	case s.Try != nil:
		return c.tryStmt(s, s.Try)
	case s.Quiet != nil:
		return c.quietStmt(s.Quiet)
	case s.Atomic != nil:
		_, end := s.Atomic.Value.Span()
		return c.viewAssign(s.Pos, s.Atomic.Target, "+=", c.expr(s.Atomic.Value), true, c.source(s.Pos, end))
	case s.Spawn != nil:
		return c.spawnStmt(s.Spawn)
	case s.Def != nil:
		return nil // compiled once, by declare and compileProc
	case s.Call != nil:
		return c.callStmt(s.Call)
	case s.Retry != nil:
		return c.retryStmt(s.Retry)
	case s.Cmd != nil && s.Cmd.Spec != nil && s.Cmd.Spec.Name == "return":
		return c.returnStmt(s.Cmd)
	case s.Cmd != nil:
		cmd := c.command(s.Cmd)
		if cmd == nil {
			return nil
		}
		cmd.discard = true
		return func(p *Proc) error {
			p.ev = evNote{} // what an earlier statement noted is not this one's
			_, err := cmd.run(p, cmd)
			return err
		}
	}
	return nil
}

func notYet(pos lang.Pos, what string) stmtFn {
	return func(p *Proc) error { return errorf(pos, "%s is not available yet", what) }
}

func (c *compiler) cond(e lang.Expr, what string) func(p *Proc) (bool, error) {
	f := c.expr(e)
	pos := startOf(e)
	return func(p *Proc) (bool, error) { return truthOf(p, pos, what, f) }
}

func (c *compiler) ifStmt(n *lang.If) stmtFn {
	cond := c.cond(n.Cond, "if")
	then := c.block(n.Then)
	var els stmtFn
	switch {
	case n.ElseIf != nil:
		els = c.ifStmt(n.ElseIf)
	case n.Else != nil:
		body := c.block(n.Else)
		els = func(p *Proc) error { return p.runBlock(body) }
	}
	return func(p *Proc) error {
		b, err := cond(p)
		if err != nil {
			return err
		}
		if b {
			return p.runBlock(then)
		}
		if els != nil {
			return els(p)
		}
		return nil
	}
}

// loopBody runs one round of a loop body and says whether the loop goes on.
// A loop that never blocks can still be stopped (Ctrl-C in the REPL, a
// signal): each round looks at the canceler, one atomic load.
func loopBody(p *Proc, body []stmtFn) (bool, error) {
	if c := p.run.cancel; c != nil && c.fired.Load() {
		return false, c.stopErr()
	}
	for _, s := range body {
		if g := p.run.sig; g != nil && g.pending.Load() {
			if err := p.runTraps(); err != nil {
				return false, err
			}
		}
		if err := s(p); err != nil {
			switch err {
			case errBreak:
				return false, nil
			case errContinue:
				return true, nil
			}
			return false, err
		}
	}
	return true, nil
}

func (c *compiler) loop(body *lang.Block) []stmtFn {
	c.loops++
	defer func() { c.loops-- }()
	return c.block(body)
}

func (c *compiler) forStmt(n *lang.For) stmtFn {
	from, to := c.intExpr(n.From, "for"), c.intExpr(n.To, "for")
	slot := c.slot(n.Var)
	body := c.loop(n.Body)
	return func(p *Proc) error {
		a, err := from(p)
		if err != nil {
			return err
		}
		b, err := to(p)
		if err != nil {
			return err
		}
		for i := a; i <= b; i++ {
			p.slots[slot] = intV(i)
			more, err := loopBody(p, body)
			if err != nil || !more {
				return err
			}
			if i == b { // b may be the largest int64
				break
			}
		}
		return nil
	}
}

func (c *compiler) whileStmt(n *lang.While) stmtFn {
	cond := c.cond(n.Cond, "while")
	body := c.loop(n.Body)
	return func(p *Proc) error {
		for {
			b, err := cond(p)
			if err != nil || !b {
				return err
			}
			more, err := loopBody(p, body)
			if err != nil || !more {
				return err
			}
		}
	}
}

func (c *compiler) repeatStmt(n *lang.Repeat) stmtFn {
	count := c.intExpr(n.Count, "repeat")
	body := c.loop(n.Body)
	return func(p *Proc) error {
		k, err := count(p)
		if err != nil {
			return err
		}
		for ; k > 0; k-- {
			more, err := loopBody(p, body)
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
}

func (c *compiler) assignStmt(a *lang.Assign) stmtFn {
	if name, ok := lang.IdentOf(a.Target); ok {
		return c.assign(a.Pos, c.slot(name), a.Op, a.Value)
	}
	// A field or index target is a memory view of an attachment or mapping.
	value := c.valueExpr(a.Value)
	if value == nil {
		return nil
	}
	return c.viewAssign(a.Pos, a.Target, a.Op, value, false, c.source(a.Pos, a.Value.EndPos))
}

// valueExpr compiles the right-hand side of `=`: an expression, or a
// statement with a value (`let m = recv q`).
func (c *compiler) valueExpr(val *lang.Value) exprFn {
	if val.Cmd != nil {
		cmd := c.command(val.Cmd)
		if cmd == nil {
			return nil
		}
		return func(p *Proc) (Value, error) { p.ev = evNote{}; return cmd.run(p, cmd) }
	}
	return c.expr(val.Head)
}

// assign compiles `NAME = VALUE`, `NAME += EXPR`, `NAME -= EXPR`.
func (c *compiler) assign(pos lang.Pos, slot int, op string, val *lang.Value) stmtFn {
	var value exprFn
	if val.Cmd != nil {
		cmd := c.command(val.Cmd)
		if cmd == nil {
			return nil
		}
		cmd.ownBuf = c.ownsReadBuffer(c.nameOf(slot), val, op)
		value = func(p *Proc) (Value, error) { p.ev = evNote{}; return cmd.run(p, cmd) }
	} else if value = c.ownedSlice(slot, val, op); value == nil {
		value = c.expr(val.Head)
		// The hot path of every counting loop: `x += 1` adds a constant to
		// an int slot without calling anything.
		if k, ok := constInt(val.Head); ok && (op == "+=" || op == "-=") {
			if op == "-=" {
				k = -k
			}
			name := c.nameOf(slot)
			return func(p *Proc) error {
				s := &p.slots[slot]
				if s.K == KInt {
					s.I += k
					return nil
				}
				return addErr(pos, name, *s)
			}
		}
	}
	if op == "=" {
		return func(p *Proc) error {
			v, err := value(p)
			if err != nil {
				return err
			}
			p.slots[slot] = v
			return nil
		}
	}
	name, aop := c.nameOf(slot), arithOp(op[0]) // += is +, -= is -
	return func(p *Proc) error {
		v, err := value(p)
		if err != nil {
			return err
		}
		cur := p.slots[slot]
		if cur.K == KUndef {
			return errorf(pos, "%s is not set yet: give it a value with let first", name)
		}
		r, err := arith(pos, aop, cur, v)
		if err != nil {
			return err
		}
		p.slots[slot] = r
		return nil
	}
}

func addErr(pos lang.Pos, name string, cur Value) error {
	if cur.K == KUndef {
		return errorf(pos, "%s is not set yet: give it a value with let first", name)
	}
	return errorf(pos, "%s += an int: %s is a %s", name, name, cur.typeName())
}

func (c *compiler) tryStmt(s *lang.Stmt, w *lang.Wrap) stmtFn {
	body, text := c.wrapped(w)
	return func(p *Proc) error {
		err := p.runBlock(body)
		var e *Error
		if errors.As(err, &e) {
			p.errName = e.Name()
			if !e.shown {
				stmt := e.Stmt
				if stmt == "" {
					stmt = text
				}
				p.ev.err = true
				p.emit(EvCall, PhaseOnce, e.Pos, stmt, errResult(e))
			}
			return nil
		}
		if err == nil {
			p.errName = ""
		}
		return err
	}
}

// wrapped compiles the operand of try/quiet, with its source text.
func (c *compiler) wrapped(w *lang.Wrap) ([]stmtFn, string) {
	if w.Block != nil {
		return c.block(w.Block), "try { ... }"
	}
	f := c.stmt(w.Stmt)
	if f == nil {
		return nil, ""
	}
	return []stmtFn{f}, c.source(w.Stmt.Pos, w.Stmt.EndPos)
}

func (c *compiler) quietStmt(w *lang.Wrap) stmtFn {
	body, _ := c.wrapped(w)
	return func(p *Proc) error {
		p.quiet++
		err := p.runBlock(body)
		p.quiet--
		return err
	}
}
