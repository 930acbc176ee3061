package interp

import (
	"errors"
	"sort"
	"strings"

	"ipcsh/lang"
)

// Procedures (LANGUAGE.md §3, `def NAME(P...) { ... }`). A procedure's
// parameters and the names its body binds are its own; every other name
// is the process's, read as it is when the body runs.
//
// Its own names are slots like any other, named "NAME.local" (a name no
// script can write), so the compiled body reads and writes them in place
// with no frame to look through. A call saves those slots, runs the body
// and puts them back: a recursive call has its own values while it runs,
// and the caller finds its own again after it.

// maxDepth bounds nested calls: a runaway recursion is an error that
// names the procedure, long before Go's stack would give out.
const maxDepth = 10000

type procDef struct {
	name   string
	params []int // slots of the parameters, in order
	locals []int // slots of every own name, parameters included
	body   []stmtFn
	def    *lang.Def
	prog   *lang.Program // the program it stands in, for its source text
	src    string        // the def statement's text, for spawned children
	base   lang.Pos
	stmt   *lang.Stmt
	code   string // stmt in lang's wire form, made for the first spawn
	pnames []string
}

// errReturn ends a procedure's body; the value is in Proc.ret.
var errReturn = errors.New("return outside a procedure")

// procWire is a procedure as a spawned child gets it: its text and where
// it stands in its file, and its statement in lang's wire form, which
// the child compiles again without parsing it.
type procWire struct {
	Src  string   `json:"src"`
	Base lang.Pos `json:"base"`
	Code string   `json:"code"`
}

// localName is the slot name of a procedure's own name.
func localName(proc, name string) string { return proc + "." + name }

// plainName is a slot's name as the script wrote it.
func plainName(slotName string) string {
	if i := strings.IndexByte(slotName, '.'); i >= 0 {
		return slotName[i+1:]
	}
	return slotName
}

// lookup resolves a name: a procedure's own names first, then the process's.
func (c *compiler) lookup(name string) (int, bool) {
	if s, ok := c.locals[name]; ok {
		return s, true
	}
	s, ok := c.syms.slots[name]
	return s, ok
}

func (c *compiler) slot(name string) int {
	s, _ := c.lookup(name)
	return s
}

// nameOf is a slot's name for messages.
func (c *compiler) nameOf(slot int) string { return plainName(c.syms.names[slot]) }

// declare registers the procedures prog defines, before anything of prog
// is compiled, so that calls may come before the definition and
// procedures may call each other.
func (c *compiler) declare(prog *lang.Program) {
	if c.syms.procs == nil {
		c.syms.procs = map[string]*procDef{}
	}
	for _, s := range prog.Stmts {
		d := s.Def
		if d == nil {
			continue
		}
		if old, ok := c.syms.procs[d.Name]; ok && !c.isNew(old) {
			// A REPL entry may define a procedure again: the new one
			// holds from then on, as a new value of a name would (and
			// the old one again if the entry is refused).
			c.replaced = append(c.replaced, old)
		} else if ok {
			c.errorf(d.Pos, "def %s: %s is already defined at %d:%d", d.Name, d.Name, old.def.Pos.Line, old.def.Pos.Column)
			continue
		}
		from, to := s.Pos.Offset-prog.Base.Offset, s.EndPos.Offset-prog.Base.Offset
		pd := &procDef{name: d.Name, def: d, prog: prog, src: prog.Src[from:to], base: s.Pos, stmt: s, pnames: d.Params}
		c.syms.procs[d.Name] = pd
		c.newProcs = append(c.newProcs, pd)
	}
}

func (c *compiler) isNew(pd *procDef) bool {
	for _, n := range c.newProcs {
		if n == pd {
			return true
		}
	}
	return false
}

// compileProcs compiles the bodies of the procedures declared so far.
func (c *compiler) compileProcs() {
	for ; c.compiled < len(c.newProcs); c.compiled++ {
		c.compileProc(c.newProcs[c.compiled])
	}
}

func (c *compiler) compileProc(pd *procDef) {
	prog, locals, loops := c.prog, c.locals, c.loops
	c.prog, c.locals, c.loops, c.proc = pd.prog, map[string]int{}, 0, pd
	defer func() { c.prog, c.locals, c.loops, c.proc = prog, locals, loops, nil }()
	for _, p := range pd.def.Params {
		s := c.syms.define(localName(pd.name, p))
		c.locals[p] = s
		pd.params = append(pd.params, s)
	}
	c.bindAll(pd.def.Body.Stmts)
	for _, s := range c.locals {
		pd.locals = append(pd.locals, s)
	}
	sort.Ints(pd.locals)
	pd.body = c.block(pd.def.Body)
}

// procNames lists the procedures known, for messages and completion.
func (s *symtab) procNames() []string {
	out := make([]string, 0, len(s.procs))
	for n := range s.procs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// procCall compiles a call of a procedure; unknown names and a wrong
// number of arguments are found here, before the run.
func (c *compiler) procCall(pos lang.Pos, name string, args []exprFn) (*procDef, exprFn) {
	pd, ok := c.syms.procs[name]
	if c.unsure.Defined(name) && (!ok || len(args) != len(pd.def.Params)) {
		return nil, constant(Value{})
	}
	if !ok {
		c.errorf(pos, "%s", lang.UnknownFunction(name, c.syms.procNames()))
		return nil, constant(Value{})
	}
	if len(args) != len(pd.def.Params) {
		c.errorf(pos, "%s takes %d argument(s) (%s), found %d", name, len(pd.def.Params), strings.Join(pd.def.Params, ", "), len(args))
		return nil, constant(Value{})
	}
	return pd, func(p *Proc) (Value, error) { return p.call(pos, pd, args) }
}

// call runs a procedure: the arguments are evaluated in the caller's
// names, then the procedure's own slots are saved, set and restored.
func (p *Proc) call(pos lang.Pos, pd *procDef, args []exprFn) (Value, error) {
	if p.depth >= maxDepth {
		return Value{}, errorf(pos, "%s: more than %d nested calls: a recursion that does not end?", pd.name, maxDepth)
	}
	vals := make([]Value, len(args))
	for i, a := range args {
		v, err := a(p)
		if err != nil {
			return v, err
		}
		vals[i] = v
	}
	// The body may define nothing new at run time, but an earlier REPL
	// entry's slots may be fewer than this compilation's.
	p.grow()
	saved := make([]Value, len(pd.locals))
	for i, s := range pd.locals {
		saved[i], p.slots[s] = p.slots[s], Value{}
	}
	for i, s := range pd.params {
		p.slots[s] = vals[i]
	}
	p.depth++
	err := p.runBlock(pd.body)
	p.depth--
	ret := p.ret
	p.ret = Value{}
	for i, s := range pd.locals {
		p.slots[s] = saved[i]
	}
	if err == errReturn {
		err = nil
	}
	return ret, err
}

// returnStmt compiles `return [EXPR]`.
func (c *compiler) returnStmt(cmd *lang.Command) stmtFn {
	if c.proc == nil {
		c.errorf(cmd.Pos, "return outside a procedure (def NAME(...) { ... return EXPR })")
		return nil
	}
	if len(cmd.Params) == 0 {
		return func(p *Proc) error { p.ret = Value{}; return errReturn }
	}
	value := c.expr(cmd.Params[0].Expr)
	return func(p *Proc) error {
		v, err := value(p)
		if err != nil {
			return err
		}
		p.ret = v
		return errReturn
	}
}

// callStmt compiles a call standing as a statement: its value is dropped.
func (c *compiler) callStmt(s *lang.CallStmt) stmtFn {
	name, _ := lang.IdentOf(s.Call.Fn)
	if isBuiltinFunc(name) {
		c.errorf(s.Pos, "%s(...) as a statement does nothing with its value: print it, or bind it (let v = %s(...))", name, name)
		return nil
	}
	args := make([]exprFn, len(s.Call.Args))
	for i, a := range s.Call.Args {
		args[i] = c.expr(a)
	}
	_, f := c.procCall(s.Pos, name, args)
	return func(p *Proc) error {
		p.ev = evNote{}
		_, err := f(p)
		return err
	}
}

func isBuiltinFunc(name string) bool {
	for _, b := range lang.Builtins {
		if b == name {
			return true
		}
	}
	return false
}

// procWires lists the procedures a spawned child gets, by name.
func (s *symtab) procWires() []procWire {
	var out []procWire
	for _, n := range s.procNames() {
		pd := s.procs[n]
		if pd.code == "" {
			pd.code = string(lang.EncodeStmts([]*lang.Stmt{pd.stmt}))
		}
		out = append(out, procWire{Src: pd.src, Base: pd.base, Code: pd.code})
	}
	return out
}

// defineProcs compiles the procedures a spawned child got, before its
// block, against the names the child has.
func defineProcs(syms *symtab, wires []procWire) error {
	c := &compiler{syms: syms, bound: map[string]int{}, pipes: map[string]bool{}}
	c.fresh = len(syms.names)
	for _, w := range wires {
		prog, err := childProgram(w.Src, w.Base, w.Code)
		if err != nil {
			return err
		}
		c.prog = prog
		c.declare(prog)
	}
	c.compileProcs()
	if len(c.errs) > 0 {
		return c.errs
	}
	return nil
}

// withLocals gives a spawned child the values of the procedure's own
// names under the names the block reads them by: to the child, which
// runs the block as a program of its own, they are its variables.
func withLocals(names []string, vals []wireValue, enc *wireEncoder, p *Proc, locals map[string]int) ([]string, []wireValue) {
	if len(locals) == 0 {
		return names, vals
	}
	names = append([]string(nil), names...)
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	for plain, slot := range locals {
		v := enc.value(p.slots[slot])
		if i, ok := index[plain]; ok {
			vals[i] = v
			continue
		}
		names = append(names, plain)
		vals = append(vals, v)
	}
	return names, vals
}
