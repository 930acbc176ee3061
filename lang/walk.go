package lang

// Walk calls f for e and then, if f returns true, walks e's children in
// source order: the one traversal of expressions that every pass uses
// (the checker here, the compiler in interp). A nil e is nothing to walk.
func Walk(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch e := e.(type) {
	case *ParenExpr:
		Walk(e.X, f)
	case *UnaryExpr:
		Walk(e.X, f)
	case *BinaryExpr:
		Walk(e.X, f)
		Walk(e.Y, f)
	case *DotExpr:
		Walk(e.X, f)
	case *IndexExpr:
		Walk(e.X, f)
		Walk(e.Index, f)
	case *SliceExpr:
		Walk(e.X, f)
		Walk(e.Lo, f)
		Walk(e.Hi, f)
	case *CallExpr:
		Walk(e.Fn, f)
		for _, a := range e.Args {
			Walk(a, f)
		}
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
