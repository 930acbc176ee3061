package lang

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types. The lexer is written by hand rather than with participle's
// regex lexer: it is several times faster (DESIGN.md measured the regex
// lexer at ~45% of parse time), it can enforce word boundaries on numbers
// (`0x12G4` is one bad token, not two good ones), and it can switch to
// shell-word mode for the arguments of `spawn NAME exec`.
const (
	tokEOF lexer.TokenType = lexer.EOF - iota
	tokEOL
	tokIdent
	tokInt
	tokSize
	tokDuration
	tokString
	tokWord
	tokPunct
	// Operators get types of their own so that the grammar takes one with
	// a single token match: a set of literals is a disjunction, and
	// participle allocates a branch for every alternative it tries, at
	// every operand of every expression.
	tokCmpOp // == != < <= > >=
	tokAddOp // + -
	tokMulOp // * / %
)

var symbols = map[string]lexer.TokenType{
	"EOF":      tokEOF,
	"EOL":      tokEOL,
	"Ident":    tokIdent,
	"Int":      tokInt,
	"Size":     tokSize,
	"Duration": tokDuration,
	"String":   tokString,
	"Word":     tokWord,
	"Punct":    tokPunct,
	"CmpOp":    tokCmpOp,
	"AddOp":    tokAddOp,
	"MulOp":    tokMulOp,
}

// tokenNames names token types the way a user reads them in an error.
var tokenNames = map[lexer.TokenType]string{
	tokEOF:      "end of input",
	tokEOL:      "end of statement",
	tokIdent:    "name",
	tokInt:      "integer",
	tokSize:     "size",
	tokDuration: "duration",
	tokString:   "string",
	tokWord:     "word",
}

// lexDef implements participle's lexer.Definition over our scanner.
type lexDef struct{}

func (lexDef) Symbols() map[string]lexer.TokenType { return symbols }

func (lexDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return lexDef{}.LexString(filename, string(b))
}

func (lexDef) LexString(filename string, src string) (lexer.Lexer, error) {
	toks, err := scan(filename, src, lexer.Position{Filename: filename, Line: 1, Column: 1})
	if err != nil {
		return nil, err
	}
	return &sliceLexer{toks: toks}, nil
}

type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

// scanner turns source text into tokens. Columns count runes, as editors do.
type scanner struct {
	src  string
	off  int
	line int
	col  int
	// base shifts positions when a block is parsed on its own (a spawned
	// child, a REPL line): offsets and lines stay those of the whole file.
	baseOff int
	file    string
	toks    []lexer.Token
	// depth of brackets opened inside exec-word mode by "(": while > 0 the
	// scanner lexes an ordinary expression.
	parenDepth int
	words      bool

	// keepComments: collect comments (for the formatter), which the
	// grammar never sees.
	keepComments bool
	comments     []Comment

	// err is a limit exceeded inside emit; run stops on it.
	err error
	// lineToks counts the tokens of the current line (maxLineTokens).
	lineToks int
	// depth bounds how deep the parser will recurse (maxDepth): the open
	// brackets and blocks, each weighing 1 plus the prefixes that stand
	// before it, plus the prefixes still open now. Statement prefixes
	// (try, quiet, else) last to the end of the statement; unary operators
	// to their operand.
	depth    int
	open     []opening
	stmtPre  int
	unaryPre int
}

type opening struct{ weight, stmtPre int }

// Limits on what one source may ask of the parser. participle recurses once
// per nesting level and a few hundred thousand levels overflow the stack,
// which is a fatal error, not a panic; and it parses about 100k tokens a
// second, so a pasted 10 MB line of statements would hang the REPL for a
// minute. No hand-written script comes near either limit.
const (
	maxDepth      = 1000
	maxLineTokens = 10000
)

func scan(filename, src string, start lexer.Position) ([]lexer.Token, error) {
	s := &scanner{src: src, line: start.Line, col: start.Column, baseOff: start.Offset, file: filename}
	// About one token per three bytes in dense code; capped, since a file
	// that is one long string would otherwise reserve 20 times its size.
	s.toks = make([]lexer.Token, 0, min(len(src)/3+2, 1<<14))
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.toks, nil
}

func (s *scanner) pos() lexer.Position {
	return lexer.Position{Filename: s.file, Offset: s.baseOff + s.off, Line: s.line, Column: s.col}
}

func (s *scanner) emit(t lexer.TokenType, val string, p lexer.Position) {
	s.limit(t, val, p)
	s.toks = append(s.toks, lexer.Token{Type: t, Value: val, Pos: p})
}

// limit enforces maxLineTokens and maxDepth on the token about to be
// emitted; it records the first violation in s.err.
func (s *scanner) limit(t lexer.TokenType, val string, p lexer.Position) {
	switch {
	case t == tokEOL && val == "\n":
		s.lineToks = 0
	case val == "": // the end of input is not the user's token
	case s.lineToks >= maxLineTokens:
		if s.err == nil {
			s.err = s.errorf(p, "line too long: more than %d tokens (split it over several lines)", maxLineTokens)
		}
	default:
		s.lineToks++
	}
	what := ""
	switch {
	case t == tokEOL:
		s.stmtPre, s.unaryPre = 0, 0
	case t == tokPunct && (val == "{" || val == "(" || val == "["):
		w := 1 + s.stmtPre + s.unaryPre
		s.open = append(s.open, opening{w, s.stmtPre})
		s.depth += w
		s.stmtPre, s.unaryPre = 0, 0
		what = "brackets"
		if val == "{" {
			what = "blocks"
		}
	case t == tokPunct && (val == "}" || val == ")" || val == "]"):
		if n := len(s.open); n > 0 {
			s.depth -= s.open[n-1].weight
			s.stmtPre = s.open[n-1].stmtPre
			s.open = s.open[:n-1]
		}
		s.unaryPre = 0
	case t == tokIdent && (val == "try" || val == "quiet" || val == "else"):
		s.stmtPre++
		what = "statements"
	case (t == tokPunct && val == "!") || (t == tokAddOp && !s.afterOperand()):
		s.unaryPre++
		what = "operators"
	default:
		s.unaryPre = 0
	}
	if what != "" && s.depth+s.stmtPre+s.unaryPre > maxDepth && s.err == nil {
		s.err = s.errorf(p, "%s nested deeper than %d", what, maxDepth)
	}
}

// afterOperand says whether the last token ends an operand, so that a
// following + - is binary rather than a unary prefix. (`print -1` counts
// as binary: one level short, which the limit can afford.)
func (s *scanner) afterOperand() bool {
	if len(s.toks) == 0 {
		return false
	}
	switch last := s.toks[len(s.toks)-1]; last.Type {
	case tokIdent, tokInt, tokSize, tokDuration, tokString, tokWord:
		return true
	case tokPunct:
		return last.Value == ")" || last.Value == "]"
	}
	return false
}

// advance moves over n bytes that contain no newline.
func (s *scanner) advance(n int) {
	seg := s.src[s.off : s.off+n]
	s.off += n
	if isASCII(seg) {
		s.col += n
	} else {
		s.col += utf8.RuneCountInString(seg)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (s *scanner) errorf(p lexer.Position, format string, args ...any) error {
	return newError(p, format, args...)
}

var twoCharPunct = [...]string{"==", "!=", "<=", ">=", "&&", "||", "+=", "-=", ".."}

func (s *scanner) run() error {
	for s.off < len(s.src) {
		if s.err != nil {
			return s.err
		}
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			s.advance(1)
		case c == '\n':
			s.emit(tokEOL, "\n", s.pos())
			s.off++
			s.line++
			s.col = 1
			s.words = false
			s.parenDepth = 0
		case c == '#':
			end := strings.IndexByte(s.src[s.off:], '\n')
			if end < 0 {
				end = len(s.src) - s.off
			}
			if s.keepComments {
				s.comments = append(s.comments, Comment{Pos: s.pos(), Text: s.src[s.off : s.off+end]})
			}
			s.advance(end)
		case c == ';':
			s.emit(tokEOL, ";", s.pos())
			s.advance(1)
			s.words = false
			s.parenDepth = 0
		case c == '"':
			if err := s.str(); err != nil {
				return err
			}
		case s.words && s.parenDepth == 0 && c != '(' && c != ')' && c != '{' && c != '}':
			// ")" is left to punct: word() would stop before it without
			// consuming anything, and the scanner would loop for ever.
			if err := s.word(); err != nil {
				return err
			}
		case isLetter(c):
			s.ident()
		case isDigit(c):
			if err := s.number(); err != nil {
				return err
			}
		default:
			if err := s.punct(c); err != nil {
				return err
			}
		}
	}
	if s.err != nil {
		return s.err
	}
	p := s.pos()
	// Every input ends with an end of statement, so the grammar can require
	// one after each statement without a special case for the last line.
	s.emit(tokEOL, "", p)
	s.emit(tokEOF, "", p)
	return nil
}

func isLetter(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWordChar(c byte) bool {
	return isLetter(c) || isDigit(c)
}

func (s *scanner) ident() {
	p := s.pos()
	i := s.off + 1
	for i < len(s.src) && isWordChar(s.src[i]) {
		i++
	}
	val := s.src[s.off:i]
	s.advance(i - s.off)
	s.emit(tokIdent, val, p)
	// `spawn NAME exec` switches the rest of the line to shell words, so
	// `spawn ls exec ls -l /tmp` means what it says. The check looks only at
	// the three tokens, which cannot otherwise appear side by side.
	if val == "exec" {
		n := len(s.toks)
		if n >= 3 && s.toks[n-2].Type == tokIdent && s.toks[n-3].Type == tokIdent && s.toks[n-3].Value == "spawn" {
			s.words = true
		} else if j := s.familyStart(n - 2); j >= 2 && s.toks[j-1].Type == tokIdent && s.toks[j-2].Type == tokIdent && s.toks[j-2].Value == "spawn" {
			s.words = true // `spawn NAME[EXPR] exec`: a member of a family
		}
	}
}

// familyStart returns the index of the "[" that the "]" at i closes, or -1.
func (s *scanner) familyStart(i int) int {
	if i < 0 || s.toks[i].Type != tokPunct || s.toks[i].Value != "]" {
		return -1
	}
	depth := 0
	for j := i; j >= 0; j-- {
		if t := s.toks[j]; t.Type == tokPunct {
			switch t.Value {
			case "]":
				depth++
			case "[":
				if depth--; depth == 0 {
					return j
				}
			}
		} else if t.Type == tokEOL {
			return -1
		}
	}
	return -1
}

// number scans an integer with an optional unit. The unit decides the token:
// a size (4KiB) or a duration (10ms). Anything glued on after that is an
// error, not a second token.
func (s *scanner) number() error {
	p := s.pos()
	i := s.off
	for i < len(s.src) && (isWordChar(s.src[i])) {
		i++
	}
	text := s.src[s.off:i]
	s.advance(i - s.off)
	_, unit, err := splitNumber(text)
	if err != nil {
		return s.errorf(p, "malformed number %q: %s", shorten(text, 30), err)
	}
	typ := tokInt
	switch {
	case unit == "":
	case sizeUnits[unit] != 0:
		typ = tokSize
	case durationUnits[unit] != 0:
		typ = tokDuration
	default:
		return s.errorf(p, "malformed number %q: unknown unit %q (sizes: B KiB MiB GiB; durations: ns us ms s m h)", shorten(text, 30), shorten(unit, 30))
	}
	if typ != tokInt {
		// The digits fit, but 99999999999h does not: say so now, not when
		// the statement runs.
		if _, err := ParseUnit(text); err != nil {
			return s.errorf(p, "malformed number %q: %s", shorten(text, 30), err)
		}
	}
	s.emit(typ, text, p)
	return nil
}

func (s *scanner) str() error {
	p := s.pos()
	i := s.off + 1
	for i < len(s.src) {
		switch s.src[i] {
		case '\\':
			i += 2
			continue
		case '"':
			raw := s.src[s.off : i+1]
			if _, err := Unquote(raw); err != nil {
				return s.errorf(p, "bad string %s: %s", shorten(raw, 40), err)
			}
			s.advance(i + 1 - s.off)
			s.emit(tokString, raw, p)
			return nil
		case '\n':
			// Strings do not span lines; the REPL asks for more only for
			// open blocks, and a script gets a clear error here.
			return &Error{Pos: p, Msg: "unterminated string", incomplete: false}
		}
		i++
	}
	return &Error{Pos: p, Msg: "unterminated string", incomplete: true}
}

func (s *scanner) word() error {
	p := s.pos()
	i := s.off
	for i < len(s.src) {
		c := s.src[i]
		// The blanks are run's: a form feed ends a word as a space does.
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n' || c == ';' || c == '"' || c == '{' || c == '}' || c == '(' || c == ')' {
			break
		}
		if c == '#' && i == s.off {
			break
		}
		// Single quotes keep everything up to the next one, as in sh:
		// blanks, ";", '"', "#" and brackets. The token keeps the quotes
		// (the formatter writes it back as it was); WordText drops them.
		if c == '\'' {
			end := strings.IndexAny(s.src[i+1:], "'\n")
			if end < 0 || s.src[i+1+end] == '\n' {
				at := s.pos()
				at.Offset += i - s.off
				at.Column += utf8.RuneCountInString(s.src[s.off:i])
				// Not incomplete even at the end of the input: a quote
				// cannot span lines, so the REPL must not ask for more.
				return &Error{Pos: at, Msg: "unterminated quote: a word in ' ' ends on its line"}
			}
			i += end + 2
			continue
		}
		// stdin=, stdout=, stderr= take an expression: leave word mode so
		// `stdout=p.w` lexes as NAME = EXPR.
		if c == '=' && i > s.off {
			if name := s.src[s.off:i]; name == "stdin" || name == "stdout" || name == "stderr" {
				s.advance(i - s.off)
				s.emit(tokIdent, name, p)
				s.emit(tokPunct, "=", s.pos())
				s.advance(1)
				s.words = false
				return nil
			}
		}
		i++
	}
	s.advance(i - s.off)
	s.emit(tokWord, s.src[p.Offset-s.baseOff:s.off], p)
	return nil
}

func (s *scanner) punct(c byte) error {
	p := s.pos()
	if s.off+1 < len(s.src) {
		two := s.src[s.off : s.off+2]
		for _, t := range twoCharPunct {
			if two == t {
				s.advance(2)
				s.emit(punctType(t), t, p)
				return nil
			}
		}
	}
	switch c {
	case '+', '-', '*', '/', '%', '!', '<', '>', '=', '.', ',', '[', ']', '{', '}', ':':
	case '(':
		if s.words {
			s.parenDepth++
		}
	case ')':
		if s.parenDepth > 0 {
			s.parenDepth--
		}
	default:
		r, _ := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError {
			return s.errorf(p, "unexpected byte 0x%02x", c)
		}
		return s.errorf(p, "unexpected character %q", r)
	}
	val := s.src[s.off : s.off+1]
	s.emit(punctType(val), val, p)
	s.advance(1)
	return nil
}

// punctType gives an operator its token type (see tokCmpOp).
func punctType(val string) lexer.TokenType {
	switch val {
	case "==", "!=", "<", "<=", ">", ">=":
		return tokCmpOp
	case "+", "-":
		return tokAddOp
	case "*", "/", "%":
		return tokMulOp
	}
	return tokPunct
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut at a rune boundary, so a message never holds half a character.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// A Comment is `# ...` to the end of its line, with its position.
type Comment struct {
	Pos  Pos
	Text string // from the '#', without the newline
}

// Comments returns the comments of src, in order.
func Comments(src string) ([]Comment, error) {
	s := &scanner{src: src, line: 1, col: 1, keepComments: true}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.comments, nil
}
