package lang

import (
	"strings"
)

// Format returns src in the canonical layout (`ipcsh fmt`): one statement
// per line, blocks indented by two spaces with `{` on the statement's
// line and `} else {` on one, single spaces between a statement's words
// as the transcript shows them (`write p.w "x"`, `mode=0600`), spaces
// around binary operators, none after unary ones or inside brackets.
// Literals stay as written (4KiB, 0x1f, "\n"), and so do comments, blank
// lines between statements (at most one), and blocks written on one line
// that still fit on one (`repeat 3 { sem p s; sem v s }`). Formatting
// twice changes nothing more. A source with a syntax error is returned
// as the error, unformatted.
func Format(name, src string) (string, error) {
	prog, err := Parse(name, src)
	if err != nil {
		return "", err
	}
	comments, err := Comments(src)
	if err != nil {
		return "", err
	}
	f := &formatter{src: src, comments: comments}
	f.stmts(prog.Stmts, 0)
	f.flushComments(len(src)+1, 0)
	return f.b.String(), nil
}

type formatter struct {
	b        strings.Builder
	src      string
	comments []Comment
	lastEnd  int // offset where the last thing printed ended, for blank lines
	started  bool
}

// maxInline is the widest a block may be to stay on its line.
const maxInline = 80

func (f *formatter) indent(depth int) { f.b.WriteString(strings.Repeat("  ", depth)) }

// blankBefore writes one empty line when the source has one or more
// between the last thing printed and offset.
func (f *formatter) blankBefore(offset int) {
	if f.started && offset <= len(f.src) && strings.Count(f.src[f.lastEnd:offset], "\n") > 1 {
		f.b.WriteByte('\n')
	}
}

// flushComments prints the comments that stand before offset, each on a
// line of its own.
func (f *formatter) flushComments(offset, depth int) {
	for len(f.comments) > 0 && f.comments[0].Pos.Offset < offset {
		c := f.comments[0]
		f.comments = f.comments[1:]
		f.blankBefore(c.Pos.Offset)
		f.indent(depth)
		f.b.WriteString(c.Text)
		f.b.WriteByte('\n')
		f.lastEnd = c.Pos.Offset + len(c.Text)
		f.started = true
	}
}

// trailing returns the comment on the same line after end, if any, and
// takes it.
func (f *formatter) trailing(end Pos) string {
	if len(f.comments) == 0 {
		return ""
	}
	c := f.comments[0]
	if c.Pos.Offset >= end.Offset && c.Pos.Line == end.Line {
		f.comments = f.comments[1:]
		return c.Text
	}
	return ""
}

// commentsWithin says whether a comment stands between two offsets: a
// block holding one cannot be put on one line.
func (f *formatter) commentsWithin(from, to int) bool {
	for _, c := range f.comments {
		if c.Pos.Offset >= from && c.Pos.Offset < to {
			return true
		}
	}
	return false
}

func (f *formatter) stmts(list []*Stmt, depth int) {
	for _, s := range list {
		f.flushComments(s.Pos.Offset, depth)
		f.blankBefore(s.Pos.Offset)
		f.indent(depth)
		f.stmt(s, depth)
		if c := f.trailing(s.EndPos); c != "" {
			f.b.WriteString("  " + c)
			f.lastEnd = s.EndPos.Offset + len(c)
		}
		f.b.WriteByte('\n')
		f.lastEnd = max(f.lastEnd, s.EndPos.Offset)
		f.started = true
	}
}

// block writes `{ ... }`: on one line when it was written on one line,
// holds no comment and fits; otherwise over several.
func (f *formatter) block(b *Block, depth int) {
	if inline, ok := f.inline(b); ok {
		f.b.WriteString(inline)
		f.lastEnd = b.EndPos.Offset
		return
	}
	f.b.WriteString("{\n")
	f.lastEnd = b.Pos.Offset + 1
	f.stmts(b.Stmts, depth+1)
	f.flushComments(b.EndPos.Offset, depth+1)
	f.indent(depth)
	f.b.WriteString("}")
	f.lastEnd = b.EndPos.Offset
}

func (f *formatter) inline(b *Block) (string, bool) {
	if len(b.Stmts) == 0 {
		return "{ }", !f.commentsWithin(b.Pos.Offset, b.EndPos.Offset)
	}
	if b.Pos.Line != b.EndPos.Line || f.commentsWithin(b.Pos.Offset, b.EndPos.Offset) {
		return "", false
	}
	parts := make([]string, len(b.Stmts))
	for i, s := range b.Stmts {
		sub := &formatter{src: f.src}
		sub.stmt(s, 0)
		text := sub.b.String()
		if strings.Contains(text, "\n") {
			return "", false
		}
		parts[i] = text
	}
	line := "{ " + strings.Join(parts, "; ") + " }"
	return line, len(line) <= maxInline
}

func (f *formatter) stmt(s *Stmt, depth int) {
	w := &f.b
	switch {
	case s.Cmd != nil:
		f.command(s.Cmd, depth)
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			w.WriteString("if " + exprText(n.Cond) + " ")
			f.block(n.Then, depth)
			if n.ElseIf != nil {
				w.WriteString(" else ")
			} else if n.Else != nil {
				w.WriteString(" else ")
				f.block(n.Else, depth)
			}
		}
	case s.For != nil:
		w.WriteString("for " + s.For.Var + " in " + exprText(s.For.From) + ".." + exprText(s.For.To) + " ")
		f.block(s.For.Body, depth)
	case s.While != nil:
		w.WriteString("while " + exprText(s.While.Cond) + " ")
		f.block(s.While.Body, depth)
	case s.Repeat != nil:
		w.WriteString("repeat " + exprText(s.Repeat.Count) + " ")
		f.block(s.Repeat.Body, depth)
	case s.Let != nil:
		w.WriteString("let " + s.Let.Name + " = " + valueText(s.Let.Value))
	case s.Assign != nil:
		w.WriteString(exprText(s.Assign.Target) + " " + s.Assign.Op + " " + valueText(s.Assign.Value))
	case s.Try != nil:
		w.WriteString("try ")
		f.wrap(s.Try, depth)
	case s.Quiet != nil:
		w.WriteString("quiet ")
		f.wrap(s.Quiet, depth)
	case s.Atomic != nil:
		w.WriteString("atomic " + exprText(s.Atomic.Target) + " " + s.Atomic.Op + " " + exprText(s.Atomic.Value))
	case s.Spawn != nil:
		f.spawn(s.Spawn, depth)
	}
}

func (f *formatter) wrap(w *Wrap, depth int) {
	if w.Block != nil {
		f.block(w.Block, depth)
		return
	}
	f.stmt(w.Stmt, depth)
}

func (f *formatter) command(c *Command, depth int) {
	f.b.WriteString(c.Verb)
	f.b.WriteString(argsText(c.Args))
	if c.Block != nil {
		f.b.WriteByte(' ')
		f.block(c.Block, depth)
		f.b.WriteString(argsText(c.After))
	}
}

func (f *formatter) spawn(s *Spawn, depth int) {
	f.b.WriteString("spawn " + s.Name + " ")
	if s.Body != nil {
		f.block(s.Body, depth)
		return
	}
	f.b.WriteString("exec")
	for _, w := range s.Exec {
		f.b.WriteByte(' ')
		switch {
		case w.Raw != nil:
			f.b.WriteString(*w.Raw)
		case w.Str != nil:
			f.b.WriteString(*w.Str)
		default:
			f.b.WriteString("(" + exprText(w.Expr) + ")")
		}
	}
	for _, o := range s.Opts {
		f.b.WriteString(" " + o.Name + "=" + exprText(o.Value))
	}
}

func argsText(args []*Arg) string {
	var b strings.Builder
	for _, a := range args {
		if a.Comma {
			b.WriteString(", ")
		} else {
			b.WriteByte(' ')
		}
		switch {
		case a.Opt != nil:
			b.WriteString(a.Opt.Name + "=" + exprText(a.Opt.Value))
		default:
			b.WriteString(exprText(a.Expr))
			if a.Pair != nil {
				b.WriteString(":" + exprText(a.Pair))
			}
		}
	}
	return b.String()
}

func valueText(v *Value) string {
	return exprText(v.Head) + argsText(v.Args)
}

// exprText writes an expression as the canonical layout has it.
func exprText(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Ident:
		b.WriteString(e.Name)
	case *Literal:
		b.WriteString(e.Raw)
	case *ParenExpr:
		b.WriteString("(")
		writeExpr(b, e.X)
		b.WriteString(")")
	case *UnaryExpr:
		b.WriteString(e.Op)
		writeExpr(b, e.X)
	case *BinaryExpr:
		writeExpr(b, e.X)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.Y)
	case *DotExpr:
		writeExpr(b, e.X)
		b.WriteString("." + e.Name)
	case *IndexExpr:
		writeExpr(b, e.X)
		b.WriteString("[")
		writeExpr(b, e.Index)
		b.WriteString("]")
	case *SliceExpr:
		writeExpr(b, e.X)
		b.WriteString("[")
		writeExpr(b, e.Lo)
		b.WriteString(":")
		writeExpr(b, e.Hi)
		b.WriteString("]")
	case *CallExpr:
		writeExpr(b, e.Fn)
		b.WriteString("(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a)
		}
		b.WriteString(")")
	}
}
