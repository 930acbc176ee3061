package lang

// Node is what Walk visits: a program, a block, a statement or an
// expression. Every node knows where its text starts and ends.
type Node interface {
	Span() (start, end Pos)
}

func (p *Program) Span() (Pos, Pos) { return p.Pos, p.EndPos }
func (b *Block) Span() (Pos, Pos)   { return b.Pos, b.EndPos }
func (s *Stmt) Span() (Pos, Pos)    { return s.Pos, s.EndPos }

// Walk calls f for n and then, if f returns true, walks n's children in
// source order: a program's or block's statements; a statement's
// expressions and blocks (and the statement of `try`/`quiet`); an
// expression's operands. It is the one traversal of the tree, as in
// starlark-go's syntax package: the checker's expression checks, the
// trimming of participle's ends and the interpreter's binding of names
// all use it. A nil n is nothing to walk.
func Walk(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *Program:
		walkStmts(n.Stmts, f)
	case *Block:
		walkStmts(n.Stmts, f)
	case *Stmt:
		walkStmt(n, f)
	case *ParenExpr:
		Walk(n.X, f)
	case *UnaryExpr:
		Walk(n.X, f)
	case *BinaryExpr:
		Walk(n.X, f)
		Walk(n.Y, f)
	case *DotExpr:
		Walk(n.X, f)
	case *IndexExpr:
		Walk(n.X, f)
		walkExpr(n.Index, f)
	case *SliceExpr:
		Walk(n.X, f)
		walkExpr(n.Lo, f)
		walkExpr(n.Hi, f)
	case *CallExpr:
		Walk(n.Fn, f)
		for _, a := range n.Args {
			Walk(a, f)
		}
	}
}

// The helpers below keep a nil pointer from reaching Walk as a non-nil
// interface.

func walkExpr(e Expr, f func(Node) bool) {
	if e != nil {
		Walk(e, f)
	}
}

func walkBlock(b *Block, f func(Node) bool) {
	if b != nil {
		Walk(b, f)
	}
}

func walkStmts(list []*Stmt, f func(Node) bool) {
	for _, s := range list {
		Walk(s, f)
	}
}

func walkStmt(s *Stmt, f func(Node) bool) {
	switch {
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			walkExpr(n.Cond, f)
			walkBlock(n.Then, f)
			walkBlock(n.Else, f)
		}
	case s.For != nil:
		walkExpr(s.For.From, f)
		walkExpr(s.For.To, f)
		walkBlock(s.For.Body, f)
	case s.While != nil:
		walkExpr(s.While.Cond, f)
		walkBlock(s.While.Body, f)
	case s.Repeat != nil:
		walkExpr(s.Repeat.Count, f)
		walkBlock(s.Repeat.Body, f)
	case s.Let != nil:
		walkValue(s.Let.Value, f)
	case s.Try != nil:
		walkWrap(s.Try, f)
	case s.Quiet != nil:
		walkWrap(s.Quiet, f)
	case s.Atomic != nil:
		walkExpr(s.Atomic.Target, f)
		walkExpr(s.Atomic.Value, f)
	case s.Spawn != nil:
		walkExpr(s.Spawn.Index, f)
		walkBlock(s.Spawn.Body, f)
		for _, w := range s.Spawn.Exec {
			walkExpr(w.Expr, f)
		}
		for _, o := range s.Spawn.Opts {
			walkExpr(o.Value, f)
		}
	case s.Def != nil:
		walkBlock(s.Def.Body, f)
	case s.Retry != nil:
		walkExpr(s.Retry.For, f)
		walkWrap(s.Retry.Body, f)
	case s.Call != nil:
		Walk(s.Call.Call, f)
	case s.Assign != nil:
		walkExpr(s.Assign.Target, f)
		walkValue(s.Assign.Value, f)
	case s.Cmd != nil:
		walkArgs(s.Cmd.Args, f)
		walkBlock(s.Cmd.Block, f)
		walkArgs(s.Cmd.After, f)
	}
}

func walkWrap(w *Wrap, f func(Node) bool) {
	walkBlock(w.Block, f)
	if w.Stmt != nil {
		Walk(w.Stmt, f)
	}
}

func walkValue(v *Value, f func(Node) bool) {
	walkExpr(v.Head, f)
	walkArgs(v.Args, f)
}

func walkArgs(list []*Arg, f func(Node) bool) {
	for _, a := range list {
		if a.Opt != nil {
			walkExpr(a.Opt.Value, f)
		}
		walkExpr(a.Expr, f)
		walkExpr(a.Pair, f)
	}
}

// IdentOf returns the name when e is a bare identifier.
func IdentOf(e Expr) (string, bool) {
	if id, ok := e.(*Ident); ok {
		return id.Name, true
	}
	return "", false
}

// ViewBase returns the name a view starts from when e is a name followed
// by fields and indexes only (`a.i64[0]`, `a[0:5]`, `m.text`): something
// a value can be stored into.
func ViewBase(e Expr) (*Ident, bool) {
	for steps := 0; ; steps++ {
		switch x := e.(type) {
		case *DotExpr:
			e = x.X
		case *IndexExpr:
			e = x.X
		case *SliceExpr:
			e = x.X
		case *Ident:
			return x, steps > 0
		default:
			return nil, false
		}
	}
}

// IsView reports whether e is a view (ViewBase).
func IsView(e Expr) bool {
	_, ok := ViewBase(e)
	return ok
}
