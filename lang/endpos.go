package lang

import (
	"sort"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// participle sets a node's EndPos to the position of the token after the
// node, so the blanks and the comment before that token were part of the
// node: `expect a == 2   # why` had the text "a == 2   # why", and a
// spawned block followed by a comment lost its closing brace when the
// interpreter cut the block's text at EndPos-1. trimEnds moves every
// EndPos back to the end of the node's last token, so that
// src[Pos.Offset:EndPos.Offset] is exactly the node's text.
type endTrimmer struct {
	toks []lexer.Token
}

// trimEnds leaves the program's own EndPos at the end of the input: a
// program is its whole source, blank lines and comments included.
func trimEnds(prog *Program, toks []lexer.Token) {
	t := endTrimmer{toks: toks}
	t.stmts(prog.Stmts)
}

// pos moves p from the start of the next token to the end of the token
// before it. Only a newline token spans lines.
func (t endTrimmer) pos(p *Pos) {
	k := sort.Search(len(t.toks), func(i int) bool { return t.toks[i].Pos.Offset >= p.Offset })
	if k == 0 || k == len(t.toks) {
		return
	}
	prev := t.toks[k-1]
	end := prev.Pos.Offset + len(prev.Value)
	if end >= p.Offset {
		return
	}
	if prev.Value == "\n" {
		*p = Pos{Filename: prev.Pos.Filename, Offset: end, Line: prev.Pos.Line + 1, Column: 1}
		return
	}
	*p = Pos{Filename: prev.Pos.Filename, Offset: end, Line: prev.Pos.Line, Column: prev.Pos.Column + utf8.RuneCountInString(prev.Value)}
}

func (t endTrimmer) stmts(list []*Stmt) {
	for _, s := range list {
		t.stmt(s)
	}
}

func (t endTrimmer) block(b *Block) {
	if b != nil {
		t.pos(&b.EndPos)
		t.stmts(b.Stmts)
	}
}

func (t endTrimmer) stmt(s *Stmt) {
	t.pos(&s.EndPos)
	switch {
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			t.expr(n.Cond)
			t.block(n.Then)
			t.block(n.Else)
		}
	case s.For != nil:
		t.expr(s.For.From)
		t.expr(s.For.To)
		t.block(s.For.Body)
	case s.While != nil:
		t.expr(s.While.Cond)
		t.block(s.While.Body)
	case s.Repeat != nil:
		t.expr(s.Repeat.Count)
		t.block(s.Repeat.Body)
	case s.Let != nil:
		t.value(s.Let.Value)
	case s.Try != nil:
		t.wrap(s.Try)
	case s.Quiet != nil:
		t.wrap(s.Quiet)
	case s.Atomic != nil:
		t.expr(s.Atomic.Target)
		t.expr(s.Atomic.Value)
	case s.Spawn != nil:
		t.pos(&s.Spawn.EndPos)
		t.block(s.Spawn.Body)
		for _, w := range s.Spawn.Exec {
			t.expr(w.Expr)
		}
		for _, o := range s.Spawn.Opts {
			t.expr(o.Value)
		}
	case s.Assign != nil:
		t.expr(s.Assign.Target)
		t.value(s.Assign.Value)
	case s.Cmd != nil:
		t.pos(&s.Cmd.EndPos)
		t.args(s.Cmd.Args)
		t.block(s.Cmd.Block)
	}
}

func (t endTrimmer) wrap(w *Wrap) {
	if w.Block != nil {
		t.block(w.Block)
	} else {
		t.stmt(w.Stmt)
	}
}

func (t endTrimmer) value(v *Value) {
	t.pos(&v.EndPos)
	t.expr(v.Head)
	t.args(v.Args)
}

func (t endTrimmer) args(list []*Arg) {
	for _, a := range list {
		t.pos(&a.EndPos)
		if a.Opt != nil {
			t.expr(a.Opt.Value)
		}
		t.expr(a.Expr)
		t.expr(a.Pair)
	}
}

func (t endTrimmer) expr(e *Expr) {
	if e == nil {
		return
	}
	t.pos(&e.EndPos)
	WalkExpr(e, func(pf *Postfix) {
		t.pos(&pf.Primary.EndPos)
		if pf.Primary.Paren != nil {
			t.expr(pf.Primary.Paren)
		}
		for _, op := range pf.Ops {
			t.pos(&op.EndPos)
			// WalkExpr visits the operands inside [ ] and ( ), but not
			// the expressions that hold them.
			switch {
			case op.Index != nil:
				t.exprEnd(op.Index.Lo)
				t.exprEnd(op.Index.Hi)
			case op.Call != nil:
				for _, a := range op.Call.Args {
					t.exprEnd(a)
				}
			}
		}
	})
}

func (t endTrimmer) exprEnd(e *Expr) {
	if e != nil {
		t.pos(&e.EndPos)
	}
}
