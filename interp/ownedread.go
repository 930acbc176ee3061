package interp

import (
	"unsafe"

	"ipcsh/lang"
)

// Reads into a buffer of their own.
//
// A value is immutable, so `let b = read p.r 65536` normally copies what
// read(2) put in the process's buffer into a new string: for a bulk
// transfer that copy, its allocation and the garbage collector's work are
// most of ipcsh's time beyond the system call (BENCHMARKS.md). A read may
// instead return a string over a buffer of its own statement, which the
// statement's next run overwrites, when nothing can still see the old
// value by then. That holds when the read assigns a variable whose every
// other use in all the code the process can run (the program and every
// procedure) reads it without keeping it: `len(b)`, `b == X`, `b != X`,
// or a new assignment to b. Any other use — print, passing it on, slicing,
// a spawned block, another variable — keeps the copy. Reads inside a
// procedure always copy: a REPL entry could call the procedure again after
// a later entry kept the value. A view read, `b = a[0:4096]` from shared
// memory, follows the same rule (ownedSlice).

// keptNames returns the names used somewhere in roots in a way that may
// keep the value: every use but those above.
func keptNames(roots []lang.Node) map[string]bool {
	kept := map[string]bool{}
	var visit func(n lang.Node) bool
	walkValue := func(v *lang.Value) {
		if v.Head != nil {
			lang.Walk(v.Head, visit)
		}
		for _, a := range v.Args {
			for _, e := range []lang.Expr{a.Expr, a.Pair} {
				if e != nil {
					lang.Walk(e, visit)
				}
			}
			if a.Opt != nil && a.Opt.Value != nil {
				lang.Walk(a.Opt.Value, visit)
			}
		}
	}
	visit = func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.Ident:
			kept[n.Name] = true
		case *lang.CallExpr:
			if fn, ok := lang.IdentOf(n.Fn); ok && fn == "len" && len(n.Args) == 1 {
				if _, ok := lang.IdentOf(n.Args[0]); ok {
					return false
				}
			}
		case *lang.BinaryExpr:
			if n.Op == "==" || n.Op == "!=" {
				for _, side := range []lang.Expr{n.X, n.Y} {
					if _, ok := lang.IdentOf(side); !ok {
						lang.Walk(side, visit)
					}
				}
				return false
			}
		case *lang.Stmt:
			if n.Assign != nil {
				if _, ok := lang.IdentOf(n.Assign.Target); ok && n.Assign.Op == "=" {
					walkValue(n.Assign.Value)
					return false
				}
			}
		}
		return true
	}
	for _, r := range roots {
		lang.Walk(r, visit)
	}
	return kept
}

// ownsReadBuffer says whether `NAME = read ...` compiled now may read into
// a buffer of its own (see above).
func (c *compiler) ownsReadBuffer(name string, val *lang.Value, op string) bool {
	if c.proc != nil || op != "=" || val.Cmd == nil || val.Cmd.Verb != "read" {
		return false
	}
	if len(val.Cmd.Flags) > 0 { // all, line: built up, not one read(2)
		return false
	}
	return !c.keeps(name)
}

// keeps says whether some code of the process may keep name's value.
func (c *compiler) keeps(name string) bool {
	if c.kept == nil {
		roots := []lang.Node{c.top}
		for _, pd := range c.syms.procs {
			if pd.def != nil {
				roots = append(roots, pd.def.Body)
			}
		}
		c.kept = keptNames(roots)
	}
	return c.kept[name]
}

// ownedSlice compiles `NAME = X[lo:hi]` where nothing keeps NAME's value
// (the same rule as a read's): from an attachment or a mapping, the bytes
// are copied into a buffer of the statement's own (memSlice) rather than
// into a new string each time. It returns nil where the rule does not
// hold.
func (c *compiler) ownedSlice(slot int, val *lang.Value, op string) exprFn {
	e, ok := val.Head.(*lang.SliceExpr)
	if !ok || c.proc != nil || op != "=" || slot < 0 || slot >= len(c.syms.names) || c.keeps(c.nameOf(slot)) {
		return nil // an undefined name has no slot: its error is reported already
	}
	base, lo, hi := c.sliceParts(e)
	pos := e.Lbrack
	var buf []byte
	return func(p *Proc) (Value, error) {
		v, err := base(p)
		if err != nil {
			return v, err
		}
		return slice(p, pos, v, lo, hi, &buf) // a string's slice copies nothing
	}
}

// siteRead is one read(2) into the statement's own buffer; the value is a
// string over it, valid until the statement runs again.
func (r reader) siteRead(c *command, want int) (string, error) {
	if cap(c.siteBuf) < want {
		c.siteBuf = make([]byte, want)
	}
	buf := c.siteBuf[:want]
	got, err := r.read(buf)
	if err != nil || got == 0 {
		return "", err
	}
	return unsafe.String(&buf[0], got), nil
}
