package lang

import (
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Expressions are parsed by hand, by precedence climbing: the statements
// keep their grammar in struct tags, and participle calls parseExpr
// (registered with ParseTypeWith, parse.go) wherever an Expr stands.
// Measured, participle spent most of a parse in the eight precedence
// levels of every operand — a reflective descent with a branch per
// alternative tried — and an operand is now one node.

// parseExpr parses an expression for participle. It consumes nothing and
// answers participle.NextMatch when no expression starts here, so that
// optional and alternative expressions work.
func parseExpr(lex *lexer.PeekingLexer) (Expr, error) {
	if !startsOperand(lex.Peek()) {
		return nil, participle.NextMatch
	}
	p := exprParser{lex: lex}
	return p.expr()
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

// Binary precedence, loosest first (LANGUAGE.md §2). Comparisons do not
// chain: `a < b < c` stops after `a < b`, and the statement finds `<`.
const (
	precOr = 1 + iota
	precAnd
	precCmp
	precAdd
	precMul
)

// binaryPrec is the precedence of t as a binary operator, 0 if it is none.
func binaryPrec(t *lexer.Token) int {
	switch t.Type {
	case tokCmpOp:
		return precCmp
	case tokAddOp:
		return precAdd
	case tokMulOp:
		return precMul
	case tokPunct:
		switch t.Value {
		case "||":
			return precOr
		case "&&":
			return precAnd
		}
	}
	return 0
}

func (p *exprParser) expr() (Expr, error) { return p.binary(precOr) }

// binary parses operands joined by operators of precedence prec or
// tighter, grouping to the left.
func (p *exprParser) binary(prec int) (Expr, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	// top is the precedence of x's operator, 0 for an operand. Only an
	// operand or arithmetic may stand left of a comparison: after `a < b`,
	// and after `a || b < c` (whose `<` the right side took), a further
	// comparison ends the expression.
	for top := 0; ; {
		op := binaryPrec(p.peek())
		if op < prec || op == precCmp && top != 0 && top <= precCmp || op == precAdd && p.startsArg() {
			return x, nil
		}
		t := p.next()
		if !startsOperand(p.peek()) {
			return nil, p.unexpected("Expr")
		}
		// The right side binds tighter: one level up.
		y, err := p.binary(op + 1)
		if err != nil {
			return nil, err
		}
		start, _ := x.Span()
		_, end := y.Span()
		x, top = &BinaryExpr{span: span{start, end}, X: x, OpPos: t.Pos, Op: t.Value, Y: y}, op
	}
}

func (p *exprParser) unary() (Expr, error) {
	if t := p.peek(); t.Type == tokAddOp || t.Type == tokPunct && t.Value == "!" {
		p.next()
		if !startsOperand(p.peek()) {
			return nil, p.unexpected("Expr")
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		_, end := x.Span()
		return &UnaryExpr{span: span{t.Pos, end}, Op: t.Value, X: x}, nil
	}
	return p.postfix()
}

// postfix parses an operand and its `.field`, `[i]`, `[lo:hi]`, `(args)`.
func (p *exprParser) postfix() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		start, _ := x.Span()
		at := p.peek().Pos
		switch {
		case p.punct("."):
			p.next()
			if p.peek().Type != tokIdent {
				return nil, p.unexpected("<ident>")
			}
			x = &DotExpr{X: x, Dot: at, Name: p.next().Value}
		case p.punct("["):
			p.next()
			if x, err = p.index(x, at); err != nil {
				return nil, err
			}
			if !p.punct("]") {
				return nil, p.unexpected(`"]"`)
			}
			p.next()
		case p.punct("(") && !p.startsArg():
			p.next()
			call := &CallExpr{Fn: x, Lparen: at}
			if call.Args, err = p.args(); err != nil {
				return nil, err
			}
			if !p.punct(")") {
				return nil, p.unexpected(`")"`)
			}
			p.next()
			x = call
		default:
			return x, nil
		}
		setSpan(x, start, p.end())
	}
}

// setSpan gives a postfix node its extent once its last token is read.
func setSpan(x Expr, start, end Pos) {
	var s *span
	switch x := x.(type) {
	case *DotExpr:
		s = &x.span
	case *IndexExpr:
		s = &x.span
	case *SliceExpr:
		s = &x.span
	case *CallExpr:
		s = &x.span
	}
	s.Pos, s.EndPos = start, end
}

// sub parses an optional nested expression (inside [ ] or ( )), nil if
// none starts here.
func (p *exprParser) sub() (Expr, error) {
	if !startsOperand(p.peek()) {
		return nil, nil
	}
	return p.expr()
}

// index parses what stands between [ and ]: an index or a slice.
func (p *exprParser) index(x Expr, lbrack Pos) (Expr, error) {
	lo, err := p.sub()
	if err != nil {
		return nil, err
	}
	if !p.punct(":") {
		return &IndexExpr{X: x, Lbrack: lbrack, Index: lo}, nil
	}
	p.next()
	hi, err := p.sub()
	if err != nil {
		return nil, err
	}
	return &SliceExpr{X: x, Lbrack: lbrack, Lo: lo, Hi: hi}, nil
}

func (p *exprParser) args() ([]Expr, error) {
	first, err := p.sub()
	if err != nil || first == nil {
		return nil, err
	}
	list := []Expr{first}
	for p.punct(",") {
		p.next()
		if !startsOperand(p.peek()) {
			return nil, p.unexpected("Expr")
		}
		a, err := p.sub()
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, nil
}

var literalKinds = map[lexer.TokenType]LitKind{tokInt: LitInt, tokString: LitString, tokSize: LitSize, tokDuration: LitDuration}

func (p *exprParser) primary() (Expr, error) {
	t := p.peek()
	switch t.Type {
	case tokIdent:
		p.next()
		if t.Value == "true" || t.Value == "false" {
			return &Literal{span: span{t.Pos, p.end()}, Kind: LitBool, Raw: t.Value}, nil
		}
		return &Ident{span: span{t.Pos, p.end()}, Name: t.Value}, nil
	case tokInt, tokString, tokSize, tokDuration:
		p.next()
		return &Literal{span: span{t.Pos, p.end()}, Kind: literalKinds[t.Type], Raw: t.Value}, nil
	case tokPunct:
		if t.Value != "(" {
			return nil, p.unexpected("Primary")
		}
		p.next()
		if !startsOperand(p.peek()) {
			return nil, p.unexpected("Expr")
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.punct(")") {
			return nil, p.unexpected(`")"`)
		}
		p.next()
		return &ParenExpr{span: span{t.Pos, p.end()}, X: x}, nil
	}
	return nil, p.unexpected("Primary")
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
		var err error
		if opt.Value, err = p.expr(); err != nil {
			return err
		}
		a.Opt = opt
	case startsOperand(t):
		var err error
		if a.Expr, err = p.expr(); err != nil {
			return err
		}
		if p.punct(":") {
			p.next()
			if !startsOperand(p.peek()) {
				return p.unexpected("Expr")
			}
			if a.Pair, err = p.expr(); err != nil {
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

// Parse implements participle.Parseable for a call standing as a
// statement: a name that starts no statement, then "(".
func (s *CallStmt) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Type != tokIdent || isStatementWord(t.Value) {
		return participle.NextMatch
	}
	p := exprParser{lex: lex}
	if !p.secondIs("(") {
		return participle.NextMatch
	}
	x, err := p.postfix()
	if err != nil {
		return err
	}
	call, ok := x.(*CallExpr)
	if !ok {
		// `f(1)[0]` or `f(1).x`: a value nobody uses.
		start, _ := x.Span()
		return &Error{Pos: start, Msg: "a call standing as a statement is NAME(ARGS...); its value is not used"}
	}
	s.Pos, s.EndPos, s.Call = call.Pos, call.EndPos, call
	return nil
}

// isStatementWord says whether a name starts a statement: such a name
// followed by "(" is that statement (`print(x)`), not a call.
func isStatementWord(name string) bool {
	_, own := grammarWords[name]
	return own || name == "sem" || name == "else" || Lookup(name) != nil
}
