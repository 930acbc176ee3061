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

// Expressions and command arguments are parsed by hand (expr.go) and end
// exactly where their last token does: only the nodes participle built
// need trimming.
func (t endTrimmer) stmt(s *Stmt) {
	t.pos(&s.EndPos)
	switch {
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			t.block(n.Then)
			t.block(n.Else)
		}
	case s.For != nil:
		t.block(s.For.Body)
	case s.While != nil:
		t.block(s.While.Body)
	case s.Repeat != nil:
		t.block(s.Repeat.Body)
	case s.Let != nil:
		t.pos(&s.Let.Value.EndPos)
	case s.Try != nil:
		t.wrap(s.Try)
	case s.Quiet != nil:
		t.wrap(s.Quiet)
	case s.Spawn != nil:
		t.pos(&s.Spawn.EndPos)
		t.block(s.Spawn.Body)
	case s.Assign != nil:
		t.pos(&s.Assign.Value.EndPos)
	case s.Cmd != nil:
		t.pos(&s.Cmd.EndPos)
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
