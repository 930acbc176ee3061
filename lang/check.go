package lang

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Builtins are the functions an expression may call.
var Builtins = []string{"len", "str", "int", "hex", "ftok", "pack", "unpack", "sizeof", "format", "ord", "chr", "find", "trim", "getpid", "getppid"}

// grammarWords start statements that have their own grammar: when one of
// them reaches the checker as a plain command, its own production failed,
// and the checker says what that production expected.
var grammarWords = map[string]string{
	"if": "a condition and a block: if EXPR { ... }", "for": "for NAME in A..B { ... }",
	"while": "a condition and a block: while EXPR { ... }", "repeat": "a count and a block: repeat EXPR { ... }",
	"let": "let NAME = EXPR", "try": "a statement or a block", "quiet": "a statement or a block",
	"atomic": "atomic VIEW += EXPR", "spawn": "spawn NAME { ... } or spawn NAME exec PROG ARGS...",
	"def": "a procedure: def NAME(P1, P2, ...) { ... }", "retry": "a duration and a statement or a block: retry DUR STATEMENT",
}

type checker struct {
	prog *Program
	toks []lexer.Token
	errs ErrorList
	// vars: the names the program binds to values, collected at the
	// first exec word that needs them (words.go).
	vars map[string]bool
	// depth of blocks around the statement; inDef: inside a procedure's
	// body (a spawned block in it is a process of its own: not inside).
	depth int
	inDef bool
}

func check(prog *Program, toks []lexer.Token) ErrorList {
	c := &checker{prog: prog, toks: toks}
	c.stmts(prog.Stmts)
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Pos.Offset < c.errs[j].Pos.Offset })
	return c.errs
}

func (c *checker) errorf(p Pos, format string, args ...any) {
	e := newError(p, format, args...)
	e.semantic = true
	c.errs = append(c.errs, e)
}

// text is the source of a node, from its position to its end.
func (c *checker) text(from, to Pos) string {
	a, b := from.Offset-c.prog.Base.Offset, to.Offset-c.prog.Base.Offset
	if a < 0 || b > len(c.prog.Src) || a > b {
		return ""
	}
	return strings.TrimSpace(c.prog.Src[a:b])
}

func (c *checker) stmts(list []*Stmt) {
	for i, s := range list {
		if i > 0 && !c.separated(list[i-1], s) {
			continue
		}
		c.stmt(s)
	}
}

// separated checks that a newline or ";" stands between two statements:
// the grammar lets one statement follow another directly, so that
// `while x { } junk` is blamed on "junk", where the statement should have
// ended, rather than deep inside the block before it.
func (c *checker) separated(prev, s *Stmt) bool {
	a, b := prev.EndPos.Offset-c.prog.Base.Offset, s.Pos.Offset-c.prog.Base.Offset
	if a < 0 || b > len(c.prog.Src) || a > b || strings.ContainsAny(c.prog.Src[a:b], "\n;") {
		return true
	}
	found := "end of input"
	if i := sort.Search(len(c.toks), func(i int) bool { return c.toks[i].Pos.Offset >= s.Pos.Offset }); i < len(c.toks) {
		found = Describe(c.toks[i])
	}
	c.errorf(s.Pos, "expected end of statement, found %s", found)
	return false
}

func (c *checker) block(b *Block) {
	if b != nil {
		c.depth++
		c.stmts(b.Stmts)
		c.depth--
	}
}

func (c *checker) stmt(s *Stmt) {
	switch {
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			c.expr(n.Cond)
			c.block(n.Then)
			c.block(n.Else)
		}
	case s.For != nil:
		c.expr(s.For.From)
		c.expr(s.For.To)
		c.block(s.For.Body)
	case s.While != nil:
		c.expr(s.While.Cond)
		c.block(s.While.Body)
	case s.Repeat != nil:
		c.expr(s.Repeat.Count)
		c.block(s.Repeat.Body)
	case s.Let != nil:
		c.value(s.Let.Value)
	case s.Try != nil:
		c.wrap(s.Try)
	case s.Quiet != nil:
		c.wrap(s.Quiet)
	case s.Atomic != nil:
		if !IsView(s.Atomic.Target) {
			start, _ := s.Atomic.Target.Span()
			c.errorf(start, "atomic: expected a memory view such as a.i64[0], found %s", quoteText(c.text(s.Atomic.Target.Span())))
		} else {
			c.expr(s.Atomic.Target)
		}
		c.expr(s.Atomic.Value)
	case s.Spawn != nil:
		inDef := c.inDef
		c.inDef = false
		c.spawn(s.Spawn)
		c.inDef = inDef
	case s.Def != nil:
		c.def(s.Def)
	case s.Retry != nil:
		c.expr(s.Retry.For)
		c.wrap(s.Retry.Body)
	case s.Call != nil:
		c.expr(s.Call.Call)
	case s.Assign != nil:
		t := s.Assign.Target
		if _, ok := IdentOf(t); !ok && !IsView(t) {
			// One mistake, one message: not also "only built-in
			// functions can be called" for `a.b(1) = 2`.
			start, _ := t.Span()
			c.errorf(start, "cannot assign to %s: expected a name or a memory view", quoteText(c.text(t.Span())))
		} else {
			c.expr(t)
		}
		c.value(s.Assign.Value)
	case s.Cmd != nil:
		c.command(s.Cmd)
	}
}

func (c *checker) wrap(w *Wrap) {
	if w.Block != nil {
		c.block(w.Block)
	} else {
		c.stmt(w.Stmt)
	}
}

func (c *checker) spawn(s *Spawn) {
	// The child parses its block again, but a mistake in it is still a
	// syntax error of the script: found before anything runs.
	c.expr(s.Index)
	c.block(s.Body)
	c.execWords(s)
	for _, w := range s.Exec {
		c.expr(w.Expr)
	}
	seen := map[string]bool{}
	for _, o := range s.Opts {
		switch o.Name {
		case "stdin", "stdout", "stderr":
		default:
			c.errorf(o.Pos, "%s", unknownOptionMsg("spawn", o.Name+"=", []string{"stdin=", "stdout=", "stderr="}))
		}
		if seen[o.Name] {
			c.errorf(o.Pos, "spawn: %s= given twice", o.Name)
		}
		seen[o.Name] = true
		c.expr(o.Value)
	}
}

// value decides whether the right-hand side of `let`/`=` is a statement
// (`recv q`) or an expression.
func (c *checker) value(v *Value) {
	if name, ok := IdentOf(v.Head); ok {
		spec := Lookup(name)
		if name == "sem" || (spec != nil && spec.Value) {
			v.Cmd = &Command{Pos: v.Pos, EndPos: v.EndPos, Verb: name, Args: v.Args}
			c.command(v.Cmd)
			if v.Cmd.Spec != nil && !v.Cmd.Spec.Value {
				c.errorf(v.Pos, "%s yields no value", v.Cmd.Spec.Name)
			}
			return
		}
		if spec != nil && len(v.Args) > 0 {
			c.errorf(v.Pos, "%s yields no value", name)
			return
		}
	}
	c.expr(v.Head)
	if len(v.Args) > 0 {
		a := v.Args[0]
		c.errorf(a.Pos, "expected end of statement, found %s", quoteText(c.text(a.Pos, a.EndPos)))
	}
}

func quoteText(s string) string {
	if s == "" {
		return "end of line"
	}
	return fmt.Sprintf("%q", shorten(s, 30))
}

func (c *checker) command(cmd *Command) {
	args := cmd.Args
	name := cmd.Verb
	if name == "sem" {
		if len(args) == 0 {
			c.errorf(cmd.Pos, "sem: expected one of %s, found end of statement", strings.Join(SemSubs, ", "))
			return
		}
		sub, ok := IdentOf(args[0].Expr)
		if !ok || Lookup("sem "+sub) == nil || args[0].Pair != nil {
			msg := fmt.Sprintf("sem: expected one of %s, found %s", strings.Join(SemSubs, ", "), quoteText(c.text(args[0].Pos, args[0].EndPos)))
			if ok {
				if n := nearest(sub, SemSubs); n != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", n)
				}
			}
			c.errorf(args[0].Pos, "%s", msg)
			return
		}
		cmd.Sub = sub
		name = "sem " + sub
		args = args[1:]
	}
	spec := Lookup(name)
	if hint, ok := grammarWords[name]; ok {
		if e := explain(name, cmd.Pos, c.toks); e != nil {
			e.semantic = true
			c.errs = append(c.errs, e)
			return
		}
		c.errorf(cmd.Pos, "%s: expected %s", name, hint)
		return
	}
	if spec == nil {
		msg := fmt.Sprintf("unknown statement %q", shorten(name, 30))
		if n := nearest(name, Keywords()); n != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
		}
		c.errorf(cmd.Pos, "%s", msg)
		return
	}
	cmd.Spec = spec
	if name == "return" && !c.inDef {
		c.errorf(cmd.Pos, "return outside a procedure (def NAME(...) { ... return EXPR })")
		return
	}
	if cmd.Block != nil && spec.Block {
		c.block(cmd.Block)
		args = append(args[:len(args):len(args)], cmd.After...)
	} else if cmd.Block != nil {
		c.errorf(cmd.Block.Pos, "%s takes no block (usage: %s)", name, spec.Usage)
		return
	}
	cmd.Flags = map[string]Pos{}
	cmd.Opts = map[string]*Option{}
	pi := 0 // next positional parameter
	for i, a := range args {
		if a.Comma && (!spec.Commas || i == 0) {
			c.errorf(a.Pos, "%s: expected an argument, found \",\" (usage: %s)", name, spec.Usage)
			return
		}
		if a.Opt != nil {
			o := a.Opt
			c.expr(o.Value)
			switch {
			case spec.hasOpt(o.Name):
				if _, dup := cmd.Opts[o.Name]; dup {
					c.errorf(o.Pos, "%s: %s= given twice", name, o.Name)
				}
				cmd.Opts[o.Name] = o
			case spec.isFlag(o.Name):
				c.errorf(o.Pos, "%s: %s takes no value: write it alone", name, o.Name)
			default:
				c.unknownOption(o.Pos, name, o.Name+"=", spec)
			}
			continue
		}
		var param *Param
		if pi < len(spec.Params) {
			param = &spec.Params[pi]
		}
		word, isWord := IdentOf(a.Expr)
		switch {
		case param != nil && param.Kind == PName:
			if !isWord || a.Pair != nil {
				c.errorf(a.Pos, "%s: expected a name for %s, found %s (usage: %s)", name, param.Name, quoteText(c.text(a.Pos, a.EndPos)), spec.Usage)
				return
			}
			cmd.Params = append(cmd.Params, a)
			pi++
		case isWord && a.Pair == nil && spec.isFlag(word):
			if _, dup := cmd.Flags[word]; dup {
				c.errorf(a.Pos, "%s: %s given twice", name, word)
			}
			cmd.Flags[word] = a.Pos
		case param != nil:
			if (param.Kind == PPair) != (a.Pair != nil) {
				if param.Kind == PPair {
					c.errorf(a.Pos, "%s: expected %s, found %s (usage: %s)", name, param.Name, quoteText(c.text(a.Pos, a.EndPos)), spec.Usage)
				} else {
					c.errorf(a.Pos, "%s: unexpected \":\" in %s (usage: %s)", name, quoteText(c.text(a.Pos, a.EndPos)), spec.Usage)
				}
				return
			}
			if !(param.Kind == PSignal && isWord) {
				c.expr(a.Expr)
				if a.Pair != nil {
					c.expr(a.Pair)
				}
			}
			cmd.Params = append(cmd.Params, a)
			if !param.Variadic {
				pi++
			}
		// A word where no parameter is left is a mistyped option, if the
		// statement has options; otherwise it is one argument too many.
		case isWord && a.Pair == nil && !a.Comma && (len(spec.optionWords()) > 0 || len(spec.Opts) > 0):
			c.unknownOption(a.Pos, name, word, spec)
			return
		default:
			found := quoteText(c.text(a.Pos, a.EndPos))
			if a.Comma {
				found = `","`
			}
			c.errorf(a.Pos, "%s: expected end of statement, found %s (usage: %s)", name, found, spec.Usage)
			return
		}
	}
	for ; pi < len(spec.Params); pi++ {
		if pr := spec.Params[pi]; !pr.Optional && !(pr.Variadic && len(cmd.Params) > pi) {
			c.errorf(cmd.EndPos, "%s: expected %s, found end of statement (usage: %s)", name, pr.Name, spec.Usage)
			return
		}
	}
	if id, byID := cmd.Opts["id"]; byID && spec.NotByID != nil {
		c.notByID(cmd, name, spec, id)
		return
	}
	for _, r := range spec.Required {
		if _, ok := cmd.Opts[r]; !ok {
			c.errorf(cmd.Pos, "%s: %s= is required (usage: %s)", name, r, spec.Usage)
		}
	}
	if len(spec.Either) > 0 {
		var got []string
		for _, w := range spec.Either {
			if _, ok := cmd.Opts[strings.TrimSuffix(w, "=")]; ok && strings.HasSuffix(w, "=") {
				got = append(got, w)
			} else if _, ok := cmd.Flags[w]; ok {
				got = append(got, w)
			}
		}
		if len(got) == 0 {
			c.errorf(cmd.EndPos, "%s: expected %s, found end of statement (usage: %s)", name, strings.Join(spec.Either, " or "), spec.Usage)
		} else if len(got) > 1 {
			c.errorf(cmd.Pos, "%s: %s and %s cannot be used together (usage: %s)", name, got[0], got[1], spec.Usage)
		}
	}
	for _, g := range spec.OneOf {
		var got []string
		for _, w := range g {
			if _, ok := cmd.Flags[w]; ok {
				got = append(got, w)
			}
		}
		if len(got) == 0 {
			c.errorf(cmd.EndPos, "%s: expected %s, found end of statement (usage: %s)", name, strings.Join(g, " or "), spec.Usage)
		} else if len(got) > 1 {
			c.errorf(cmd.Flags[got[1]], "%s: %s and %s cannot be used together", name, got[0], got[1])
		}
	}
	for _, g := range spec.Exclusive {
		var got []string
		for _, w := range g {
			if _, ok := cmd.Flags[w]; ok {
				got = append(got, w)
			} else if w == "N" && len(cmd.Params) > 1 {
				got = append(got, "a count")
			}
		}
		if len(got) > 1 {
			c.errorf(cmd.Pos, "%s: %s and %s cannot be used together (usage: %s)", name, got[0], got[1], spec.Usage)
		}
	}
}

func (c *checker) unknownOption(p Pos, stmt, word string, spec *Spec) {
	cands := spec.optionWords()
	for _, o := range spec.Opts {
		cands = append(cands, o+"=")
	}
	c.errorf(p, "%s", unknownOptionMsg(stmt, word, cands))
}

func unknownOptionMsg(stmt, word string, cands []string) string {
	msg := fmt.Sprintf("%s: unknown option %q", stmt, shorten(word, 30))
	if n := nearest(word, cands); n != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", n)
	}
	return msg + fmt.Sprintf(" (valid: %s)", strings.Join(cands, " "))
}

// expr checks what the grammar cannot: calls name a built-in, and an
// index is not empty.
func (c *checker) expr(e Expr) {
	var errs ErrorList
	walkExpr(e, func(n Node) bool {
		switch n := n.(type) {
		case *CallExpr:
			_, isIdent := IdentOf(n.Fn)
			if isIdent {
				// A built-in, or a procedure: the script's own, or one
				// a REPL entry or a spawning parent defined. The run's
				// compilation (interp) knows them all and refuses the
				// others before the run, `ipcsh check` included.
				break
			}
			msg := "only built-in functions and procedures can be called (NAME(...)); the built-ins: " + strings.Join(Builtins, ", ")
			errs = append(errs, newError(n.Pos, "%s", msg))
		case *IndexExpr:
			// The grammar lets both ends of [lo:hi] go; `a[]` has neither
			// an index nor a colon, and means nothing.
			if n.Index == nil {
				p := n.EndPos
				p.Offset, p.Column = p.Offset-1, p.Column-1
				errs = append(errs, newError(p, "expected an index, found \"]\""))
			}
		}
		return true
	})
	// The calls of `f(1)(2)` all start where f does: the first one
	// written is reported first, though the walk meets the outer first.
	slices.SortStableFunc(errs, func(a, b *Error) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
	for i := 0; i < len(errs); {
		j := i + 1
		for j < len(errs) && errs[j].Pos.Offset == errs[i].Pos.Offset {
			j++
		}
		slices.Reverse(errs[i:j])
		i = j
	}
	for _, e := range errs {
		e.semantic = true
		c.errs = append(c.errs, e)
	}
}

func isBuiltin(name string) bool {
	for _, b := range Builtins {
		if b == name {
			return true
		}
	}
	return false
}

// notByID refuses what does not apply when a get statement opens an
// object by id=: it makes nothing and asks for no key.
func (c *checker) notByID(cmd *Command, name string, spec *Spec, id *Option) {
	for _, w := range spec.NotByID {
		if o, ok := cmd.Opts[w]; ok {
			if w == "key" {
				c.errorf(o.Pos, "%s: key= and id= cannot be used together: id= opens the object with that IPC id", name)
			} else {
				c.errorf(o.Pos, "%s: %s= does not apply with id=: id= opens an existing object", name, w)
			}
		}
		if p, ok := cmd.Flags[w]; ok {
			c.errorf(p, "%s: %s does not apply with id=: id= opens an existing object", name, w)
		}
	}
}

// def checks a procedure: defined at the top level, under a name that is
// neither a statement's nor a built-in's, with distinct parameters.
func (c *checker) def(d *Def) {
	switch {
	case c.depth > 0:
		c.errorf(d.Pos, "def %s: a procedure is defined at the top level of the script, not inside a block", d.Name)
	case isStatementWord(d.Name):
		c.errorf(d.Pos, "def %s: %s is a statement: choose another name", d.Name, d.Name)
	case isBuiltin(d.Name) || isBuiltinValue(d.Name):
		c.errorf(d.Pos, "def %s: %s is a built-in: choose another name", d.Name, d.Name)
	}
	seen := map[string]bool{}
	for _, p := range d.Params {
		if seen[p] {
			c.errorf(d.Pos, "def %s: parameter %s given twice", d.Name, p)
		}
		seen[p] = true
		if isBuiltinValue(p) {
			c.errorf(d.Pos, "def %s: parameter %s: it is a built-in name", d.Name, p)
		}
	}
	inDef := c.inDef
	c.inDef = true
	c.block(d.Body)
	c.inDef = inDef
}

// UnknownFunction is the error for a call of a name that is neither a
// built-in nor a procedure (procs), with the nearest of them if one is
// a plausible typo.
func UnknownFunction(callee string, procs []string) string {
	cands := append(append([]string{}, Builtins...), procs...)
	if n := nearest(callee, cands); n != "" {
		return fmt.Sprintf("unknown function %q (did you mean %q?)", callee, n)
	}
	msg := fmt.Sprintf("unknown function %q (built-ins: %s", shorten(callee, 30), strings.Join(Builtins, ", "))
	if len(procs) > 0 {
		msg += "; procedures: " + strings.Join(procs, ", ")
	}
	return msg + ")"
}
