package lang

import "github.com/alecthomas/participle/v2/lexer"

// In a statement's arguments a blank separates arguments where an
// expression would otherwise run on: `popen r (cmd) read` is three
// arguments, not a call of r; `sem set s[0] -1` is two, not a subtraction.
// Inside brackets, and with no blank, the expression rules stand:
// `print f(1)`, `print (a -1)`, `print a - 1`, `print a-1`.

// track counts the brackets opened inside the argument being parsed.
func (p *exprParser) track(punct string) {
	switch punct {
	case "(", "[":
		p.nest++
	case ")", "]":
		p.nest--
	}
}

// startsArg says whether the next token begins a new statement argument
// rather than continuing the current one: a "(" or a negative literal
// (`-1`, `-4KiB`, `-10ms`), after a blank, outside brackets.
func (p *exprParser) startsArg() bool {
	if !p.arg || p.nest != 0 || p.last == nil {
		return false
	}
	t := p.peek()
	if !blankBetween(p.last, t) {
		return false
	}
	switch {
	case t.Type == tokPunct && t.Value == "(":
		return true
	case t.Type == tokAddOp && t.Value == "-":
		cp := p.lex.MakeCheckpoint()
		p.lex.Next()
		n := *p.lex.Peek()
		p.lex.LoadCheckpoint(cp)
		return (n.Type == tokInt || n.Type == tokSize || n.Type == tokDuration) && !blankBetween(t, &n)
	}
	return false
}

// blankBetween says whether source text stands between two tokens.
func blankBetween(a, b *lexer.Token) bool {
	return a.Pos.Offset+len(a.Value) < b.Pos.Offset
}
