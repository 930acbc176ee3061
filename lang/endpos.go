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
// Expressions and command arguments are parsed by hand (expr.go) and end
// exactly where their last token does: only the nodes participle built
// need trimming.
func trimEnds(prog *Program, toks []lexer.Token) {
	t := endTrimmer{toks: toks}
	walkStmts(prog.Stmts, func(n Node) bool {
		switch n := n.(type) {
		case *Block:
			t.pos(&n.EndPos)
		case *Stmt:
			t.pos(&n.EndPos)
			switch {
			case n.Let != nil:
				t.pos(&n.Let.Value.EndPos)
			case n.Assign != nil:
				t.pos(&n.Assign.Value.EndPos)
			case n.Spawn != nil:
				t.pos(&n.Spawn.EndPos)
			case n.Cmd != nil:
				t.pos(&n.Cmd.EndPos)
			}
		default:
			return false
		}
		return true
	})
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
