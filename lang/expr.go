package lang

import (
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Expressions are parsed by hand, through participle's Parseable interface:
// the statements keep their grammar in struct tags, and participle calls
// Expr.Parse wherever an expression may stand. Measured, participle spent
// most of a parse in the eight precedence levels of every operand — a
// reflective descent with a branch per alternative tried, and hundreds of
// allocations per statement — and the parser's build at start-up grew with
// them. Here one operand is one pass of precedence climbing and one
// allocation for its chain of nodes; the AST is the same as the tags
// described, so nothing that reads it changes.

// Parse implements participle.Parseable. It consumes nothing and answers
// participle.NextMatch when no expression starts here, so that optional
// and alternative expressions work as before.
func (e *Expr) Parse(lex *lexer.PeekingLexer) error {
	if !startsOperand(lex.Peek()) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	return p.expr(e)
}

type exprParser struct {
	lex  *lexer.PeekingLexer
	last *lexer.Token // the last token consumed, for EndPos
	// arg: parsing a statement argument, where blanks separate arguments
	// (stmtarg.go); nest counts the brackets open inside it.
	arg  bool
	nest int
}

// startsOperand says whether t can begin an expression.
func startsOperand(t *lexer.Token) bool {
	switch t.Type {
	case tokIdent, tokInt, tokString, tokSize, tokDuration, tokAddOp:
		return true
	case tokPunct:
		return t.Value == "(" || t.Value == "!"
	}
	return false
}

func (p *exprParser) peek() *lexer.Token { return p.lex.Peek() }

func (p *exprParser) next() *lexer.Token {
	t := p.lex.Next()
	p.last = t
	if t.Type == tokPunct {
		p.track(t.Value)
	}
	return t
}

// end is the position just after the last token consumed.
func (p *exprParser) end() Pos {
	t := p.last
	return Pos{Filename: t.Pos.Filename, Offset: t.Pos.Offset + len(t.Value), Line: t.Pos.Line, Column: t.Pos.Column + utf8.RuneCountInString(t.Value)}
}

// unexpected is the error participle would give, so that messages are
// converted to the user's words in one place (parse.go).
func (p *exprParser) unexpected(expect string) error {
	return &participle.UnexpectedTokenError{Unexpected: *p.peek(), Expect: expect}
}

func (p *exprParser) punct(v string) bool {
	t := p.peek()
	return t.Type == tokPunct && t.Value == v
}

// chain is the nodes of one operand, from And down to Primary, allocated
// together: an operand is one allocation, not seven. newChain links them;
// each parse function below finds its first child linked already.
type chain struct {
	and  And
	cmp  Cmp
	sum  Sum
	term Term
	un   Unary
	pf   Postfix
	pr   Primary
}

func newChain() *chain {
	ch := new(chain)
	ch.and.Left, ch.cmp.Left, ch.sum.Left, ch.term.Left = &ch.cmp, &ch.sum, &ch.term, &ch.un
	ch.un.Postfix, ch.pf.Primary = &ch.pf, &ch.pr
	return ch
}

func (p *exprParser) expr(e *Expr) error {
	e.Pos = p.peek().Pos
	e.Left = &newChain().and
	if err := p.and(e.Left); err != nil {
		return err
	}
	for p.punct("||") {
		op := &OrOp{Op: p.next().Value, Right: &newChain().and}
		if err := p.operandAfter(); err != nil {
			return err
		}
		if err := p.and(op.Right); err != nil {
			return err
		}
		e.Rest = append(e.Rest, op)
	}
	e.EndPos = p.end()
	return nil
}

// operandAfter checks that an operand follows a binary operator.
func (p *exprParser) operandAfter() error {
	if !startsOperand(p.peek()) {
		return p.unexpected("Expr")
	}
	return nil
}

func (p *exprParser) and(a *And) error {
	a.Pos = p.peek().Pos
	if err := p.cmp(a.Left); err != nil {
		return err
	}
	for p.punct("&&") {
		op := &AndOp{Op: p.next().Value, Right: &newChain().cmp}
		if err := p.operandAfter(); err != nil {
			return err
		}
		if err := p.cmp(op.Right); err != nil {
			return err
		}
		a.Rest = append(a.Rest, op)
	}
	return nil
}

func (p *exprParser) cmp(c *Cmp) error {
	c.Pos = p.peek().Pos
	if err := p.sum(c.Left); err != nil {
		return err
	}
	if p.peek().Type == tokCmpOp {
		c.Op = p.next().Value
		if err := p.operandAfter(); err != nil {
			return err
		}
		c.Right = &newChain().sum
		return p.sum(c.Right)
	}
	return nil
}

func (p *exprParser) sum(s *Sum) error {
	s.Pos = p.peek().Pos
	if err := p.term(s.Left); err != nil {
		return err
	}
	for p.peek().Type == tokAddOp && !p.startsArg() {
		op := &SumOp{Pos: p.peek().Pos, Op: p.next().Value, Right: &newChain().term}
		if err := p.operandAfter(); err != nil {
			return err
		}
		if err := p.term(op.Right); err != nil {
			return err
		}
		s.Rest = append(s.Rest, op)
	}
	return nil
}

func (p *exprParser) term(t *Term) error {
	t.Pos = p.peek().Pos
	if err := p.unary(t.Left); err != nil {
		return err
	}
	for p.peek().Type == tokMulOp {
		op := &TermOp{Pos: p.peek().Pos, Op: p.next().Value, Right: &newChain().un}
		if err := p.operandAfter(); err != nil {
			return err
		}
		if err := p.unary(op.Right); err != nil {
			return err
		}
		t.Rest = append(t.Rest, op)
	}
	return nil
}

func (p *exprParser) unary(u *Unary) error {
	u.Pos = p.peek().Pos
	if t := p.peek(); t.Type == tokAddOp || t.Type == tokPunct && t.Value == "!" {
		u.Op = p.next().Value
		if err := p.operandAfter(); err != nil {
			return err
		}
		u.Postfix = nil // a prefix operator has an operand instead
		u.Operand = &newChain().un
		return p.unary(u.Operand)
	}
	return p.postfix(u.Postfix)
}

func (p *exprParser) postfix(pf *Postfix) error {
	pf.Pos = p.peek().Pos
	if err := p.primary(pf.Primary); err != nil {
		return err
	}
	for {
		op := &PostOp{Pos: p.peek().Pos}
		switch {
		case p.punct("."):
			p.next()
			if p.peek().Type != tokIdent {
				return p.unexpected("<ident>")
			}
			name := p.next().Value
			op.Field = &name
		case p.punct("["):
			p.next()
			op.Index = new(Index)
			if err := p.index(op.Index); err != nil {
				return err
			}
			if !p.punct("]") {
				return p.unexpected(`"]"`)
			}
			p.next()
		case p.punct("(") && !p.startsArg():
			p.next()
			op.Call = new(Call)
			if err := p.call(op.Call); err != nil {
				return err
			}
			if !p.punct(")") {
				return p.unexpected(`")"`)
			}
			p.next()
		default:
			return nil
		}
		op.EndPos = p.end()
		pf.Ops = append(pf.Ops, op)
	}
}

// sub parses an optional nested expression (inside [ ] or ( )), nil if
// none starts here.
func (p *exprParser) sub() (*Expr, error) {
	if !startsOperand(p.peek()) {
		return nil, nil
	}
	e := new(Expr)
	if err := p.expr(e); err != nil {
		return nil, err
	}
	return e, nil
}

func (p *exprParser) index(ix *Index) error {
	var err error
	if ix.Lo, err = p.sub(); err != nil {
		return err
	}
	if p.punct(":") {
		p.next()
		ix.Slice = true
		if ix.Hi, err = p.sub(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) call(c *Call) error {
	first, err := p.sub()
	if err != nil || first == nil {
		return err
	}
	c.Args = append(c.Args, first)
	for p.punct(",") {
		p.next()
		if !startsOperand(p.peek()) {
			return p.unexpected("Expr")
		}
		a, err := p.sub()
		if err != nil {
			return err
		}
		c.Args = append(c.Args, a)
	}
	return nil
}

func (p *exprParser) primary(pr *Primary) error {
	t := p.peek()
	pr.Pos = t.Pos
	switch t.Type {
	case tokIdent:
		v := p.next().Value
		if v == "true" || v == "false" {
			pr.Bool = &v
		} else {
			pr.Ident = &v
		}
	case tokInt:
		v := p.next().Value
		pr.Int = &v
	case tokString:
		v := p.next().Value
		pr.Str = &v
	case tokSize:
		v := p.next().Value
		pr.Size = &v
	case tokDuration:
		v := p.next().Value
		pr.Duration = &v
	case tokPunct:
		if t.Value != "(" {
			return p.unexpected("Primary")
		}
		p.next()
		pr.Paren = new(Expr)
		if !startsOperand(p.peek()) {
			return p.unexpected("Expr")
		}
		if err := p.expr(pr.Paren); err != nil {
			return err
		}
		if !p.punct(")") {
			return p.unexpected(`")"`)
		}
		p.next()
	default:
		return p.unexpected("Primary")
	}
	pr.EndPos = p.end()
	return nil
}

// Parse implements participle.Parseable for one argument of a command:
// `name=expr`, `expr`, `expr:expr`, optionally after a comma. Arguments
// are most of a script's tokens, so they are parsed by hand too.
func (a *Arg) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type == tokEOL || t.Type == tokEOF || t.Type == tokPunct && (t.Value == "{" || t.Value == "}") {
		return participle.NextMatch
	}
	p := exprParser{lex: lex, arg: true}
	a.Pos = t.Pos
	if t.Type == tokPunct && t.Value == "," {
		p.next()
		a.Comma = true
		t = lex.Peek()
	}
	switch {
	case t.Type == tokIdent && p.secondIs("="):
		opt := &Option{Pos: t.Pos, Name: p.next().Value}
		p.next() // "="
		if !startsOperand(p.peek()) {
			return p.unexpected("Expr")
		}
		opt.Value = new(Expr)
		if err := p.expr(opt.Value); err != nil {
			return err
		}
		a.Opt = opt
	case startsOperand(t):
		a.Expr = new(Expr)
		if err := p.expr(a.Expr); err != nil {
			return err
		}
		if p.punct(":") {
			p.next()
			if !startsOperand(p.peek()) {
				return p.unexpected("Expr")
			}
			a.Pair = new(Expr)
			if err := p.expr(a.Pair); err != nil {
				return err
			}
		}
	case a.Comma:
		return p.unexpected("(Option | Expr)")
	default:
		return participle.NextMatch
	}
	a.EndPos = p.end()
	return nil
}

// secondIs says whether the token after the next one is the punctuation v.
func (p *exprParser) secondIs(v string) bool {
	cp := p.lex.MakeCheckpoint()
	p.lex.Next()
	t := p.lex.Peek()
	p.lex.LoadCheckpoint(cp)
	return t.Value == v && (t.Type == tokPunct || t.Type == tokCmpOp)
}
