package lang

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The parser is built on first use: building it costs more than a short
// script's whole parse, and a spawned child or `ipcsh -c` may not need it
// twice (DESIGN.md measured start-up).
var parser = sync.OnceValue(func() *participle.Parser[Program] {
	return participle.MustBuild[Program](
		participle.Lexer(lexDef{}),
		participle.ParseTypeWith(parseExpr),
		participle.UseLookahead(participle.MaxLookahead),
	)
})

// Parse parses a whole source. name is what errors call it ("race.ipc",
// "-c", "[repl 3]"). The error is an ErrorList of *Error.
func Parse(name, src string) (*Program, error) {
	return ParseAt(src, Pos{Filename: name, Line: 1, Column: 1})
}

// ParseAt parses src as if it stood at base in its file: a spawned child
// parses only its block and still reports the file's lines and columns.
func ParseAt(src string, base Pos) (*Program, error) {
	if base.Line == 0 {
		base.Line, base.Column = 1, 1
	}
	toks, err := scan(base.Filename, src, base)
	if err != nil {
		return nil, withLines(ErrorList{asError(err)}, src, base)
	}
	prog, err := parseTokens(toks)
	if err != nil {
		e := convert(err, toks)
		if x := explainFailed(toks, e); x != nil {
			e = x
		} else {
			e = refine(toks, e, src, base)
		}
		e.incomplete = e.incomplete || openAtEnd(toks, e)
		if e.incomplete && strings.HasPrefix(e.Msg, `expected "}", found end of input`) {
			// In a file, the end is far from the brace that lacks its
			// partner: say where that block starts.
			if p, ok := unclosedBrace(toks); ok {
				e.Msg += fmt.Sprintf(" (the block opened at %d:%d is not closed)", p.Line, p.Column)
			}
		}
		return nil, withLines(ErrorList{e}, src, base)
	}
	prog.Src, prog.Base = src, base
	trimEnds(prog, toks)
	if errs := check(prog, toks); len(errs) > 0 {
		return nil, withLines(errs, src, base)
	}
	return prog, nil
}

func parseTokens(toks []lexer.Token) (*Program, error) {
	pl, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, err
	}
	return parser().ParseFromLexer(pl)
}

// ParseAll parses and, unlike Parse, goes on after a syntax error to report
// every error it can (`ipcsh check`): the statement with an error is
// blanked (Recover) and the source parsed again.
func ParseAll(name, src string) (*Program, error) {
	prog, _, all := Recover(name, src)
	if len(all) > 0 {
		return nil, all
	}
	return prog, nil
}

// Recover parses src as ParseAll does and returns every error, in source
// order, with what is left of the program: when errors were found, partial
// is the program of the source with each erroneous statement blanked,
// and removed says what the blanked statements may have bound or
// defined, so that a later check of partial can leave alone what their
// absence could explain. partial is nil when no such program could be
// had: the search stopped (an error at the end of input, in the lexer,
// or one whose blanking changed nothing), or blanking the checker's
// errors brought up new ones.
func Recover(name, src string) (partial *Program, removed *Blanked, all ErrorList) {
	removed = &Blanked{Words: map[string]bool{}}
	partial, all = recoverAll(name, src, removed)
	// Each round finds the errors that the blanked statements hid, so a
	// checker's error above a later syntax error comes last: sort.
	slices.SortStableFunc(all, func(a, b *Error) int { return a.Pos.Offset - b.Pos.Offset })
	return partial, removed, all
}

// Blanked describes the statements Recover blanked.
type Blanked struct {
	// Words holds every word of the blanked text: a name one of them
	// bound, a procedure one of them defined, as written.
	Words map[string]bool
	// MayBind: a blanked statement may bind a name that its text does
	// not show (`spawn {`, `let = 1`, a mistyped statement word), so any
	// name may be bound once it is mended. MayDefine: the same of a
	// procedure (`def (a) { }`).
	MayBind, MayDefine bool
}

// Bound says whether a blanked statement may have bound name.
func (b *Blanked) Bound(name string) bool { return b != nil && (b.MayBind || b.Words[name]) }

// Defined says whether a blanked statement may have defined procedure name.
func (b *Blanked) Defined(name string) bool {
	return b != nil && (b.MayDefine || b.Words[name])
}

func recoverAll(name, src string, removed *Blanked) (*Program, ErrorList) {
	var all ErrorList
	cur := src
	for range 100 {
		prog, err := Parse(name, cur)
		if err == nil {
			return prog, all
		}
		var list ErrorList
		errors.As(err, &list)
		for _, e := range list {
			e.Line = lineAt(src, e.Pos.Offset)
			// A blanked line has a space per byte, so an error later on
			// it counted its columns in bytes: count the source's runes.
			if off := e.Pos.Offset; off >= 0 && off <= len(src) {
				start := strings.LastIndexByte(src[:off], '\n') + 1
				e.Pos.Column = utf8.RuneCountInString(src[start:off]) + 1
			}
		}
		all = append(all, list...)
		if list[0].semantic {
			// The checker found all of its errors at once, in a program
			// that parsed: blank their statements together, for what the
			// rest of the program still lets a later check find.
			next, ok := blankStmts(name, cur, list, removed)
			if !ok {
				return nil, all
			}
			if prog, err := Parse(name, next); err == nil {
				return prog, all
			}
			return nil, all
		}
		if len(list) != 1 {
			return nil, all
		}
		at := list
		if list[0].Pos.Offset >= len(cur) {
			// The input ended inside a block: blank the statement that
			// opened the outermost one, to the end, for the checker's
			// errors in what stands before it.
			p, ok := outermostOpen(name, cur)
			if !ok {
				return nil, all
			}
			at = ErrorList{{Pos: p}}
		}
		next, ok := blankStmts(name, cur, at, removed)
		if !ok || next == cur {
			return nil, all
		}
		cur = next
	}
	return nil, all
}

// blankStmts replaces with spaces the statement around each error, whole
// with its blocks and any else, from the start of the line it starts on
// to the end of the line it ends on; only the newlines stay, so that the
// lines and columns of what follows do not move, and the "}" on those
// lines that close a block opened before, so that the braces stay
// balanced. What is left is the program without those statements: it
// cannot give an error that the blanking made, where blanking only a line
// could leave `{ break }` out of its loop or an else without its if.
// A source that the lexer refuses has no statements to find: only a line
// without braces or quotes is blanked then, as it cannot unbalance them.
func blankStmts(name, cur string, errs ErrorList, removed *Blanked) (string, bool) {
	toks, err := scan(name, cur, Pos{Filename: name, Line: 1, Column: 1})
	if err != nil {
		if len(errs) != 1 {
			return "", false
		}
		start := strings.LastIndexByte(cur[:errs[0].Pos.Offset], '\n') + 1
		end := strings.IndexByte(cur[start:], '\n')
		if end < 0 {
			end = len(cur) - start
		}
		line := cur[start : start+end]
		if strings.ContainsAny(line, "{}\"") {
			return "", false
		}
		// Without its tokens, what the line binds is not known.
		removed.MayBind, removed.MayDefine = true, true
		return cur[:start] + strings.Repeat(" ", len(line)) + cur[start+end:], true
	}
	out := []byte(cur)
	for _, e := range errs {
		at := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= e.Pos.Offset })
		if at >= len(toks) {
			return "", false
		}
		first := stmtBegin(toks, at)
		// Back to the first token of its line.
		for first > 0 && !(toks[first-1].Type == tokEOL && toks[first-1].Value == "\n") {
			first--
		}
		open := braceDepth(toks[:first])
		kept := map[int]bool{}
		from := strings.LastIndexByte(cur[:toks[first].Pos.Offset], '\n') + 1
		to := len(cur)
		depth := 0
		for i := first; i < len(toks); i++ {
			t := toks[i]
			if t.Type == tokEOL && t.Value != ";" && depth == 0 && t.Pos.Offset >= e.Pos.Offset {
				to = t.Pos.Offset
				break
			}
			keep := false
			if t.Type == tokPunct && t.Value == "{" {
				depth++
			}
			if t.Type == tokPunct && t.Value == "}" {
				if depth > 0 {
					depth--
				} else if open > 0 {
					// It closes a block that stands before the statement.
					open--
					keep = true
					kept[t.Pos.Offset] = true
				}
			}
			if !keep {
				removed.note(toks, i)
			}
		}
		for i := from; i < to; i++ {
			if out[i] != '\n' && !kept[i] {
				out[i] = ' '
			}
		}
	}
	return string(out), true
}

// note records what the blanked token toks[i] may bind or define.
func (b *Blanked) note(toks []lexer.Token, i int) {
	t := toks[i]
	b.Words[t.Value] = true
	next := lexer.Token{Type: tokEOL}
	if i+1 < len(toks) {
		next = toks[i+1]
	}
	switch {
	case t.Type == tokIdent && t.Value == "def":
		b.MayDefine = b.MayDefine || next.Type != tokIdent
	case t.Type == tokIdent && bindsName(t.Value):
		// Its name, when written, follows it: it is among the words.
		b.MayBind = b.MayBind || next.Type != tokIdent
	case t.Type == tokPunct && (t.Value == "=" || t.Value == "+=" || t.Value == "-="):
		b.MayBind = b.MayBind || i == 0 || toks[i-1].Type != tokIdent
	case t.Type == tokIdent && stmtStart(toks, i) && !isStatementWord(t.Value):
		// A mistyped statement word: what it was meant to bind is
		// unknown unless a name follows, or it is a call or assignment.
		switch {
		case next.Type == tokIdent:
		case next.Type == tokPunct && slices.Contains([]string{"(", "=", "+=", "-=", ".", "["}, next.Value):
		default:
			b.MayBind = true
		}
	}
}

// bindsName says whether a statement that starts with word binds a name
// written after it.
func bindsName(word string) bool {
	if word == "let" || word == "for" || word == "spawn" {
		return true
	}
	s := Lookup(word)
	return s != nil && len(s.Params) > 0 && s.Params[0].Kind == PName
}

// outermostOpen finds the "{" of the outermost block that src leaves open.
func outermostOpen(name, src string) (Pos, bool) {
	toks, err := scan(name, src, Pos{Filename: name, Line: 1, Column: 1})
	if err != nil {
		return Pos{}, false
	}
	var open []Pos
	for _, t := range toks {
		if t.Type == tokPunct && t.Value == "{" {
			open = append(open, t.Pos)
		}
		if t.Type == tokPunct && t.Value == "}" && len(open) > 0 {
			open = open[:len(open)-1]
		}
	}
	if len(open) == 0 {
		return Pos{}, false
	}
	return open[0], true
}

// Error is a syntax error at a position.
type Error struct {
	Pos Pos
	Msg string
	// Line is the source line of Pos, for the caret display.
	Line       string
	incomplete bool
	semantic   bool
}

func newError(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Pos.Filename, e.Pos.Line, e.Pos.Column, e.Msg)
}

// Caret renders the source line with a caret under the column.
func (e *Error) Caret() string {
	if e.Line == "" {
		return ""
	}
	var pad strings.Builder
	col := 1
	for _, r := range e.Line {
		if col >= e.Pos.Column {
			break
		}
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
		col++
	}
	return "    " + strings.ReplaceAll(e.Line, "\r", "") + "\n    " + pad.String() + "^"
}

// ErrorList is every error of one parse, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// IsIncomplete reports whether err means the source ended inside an open
// block, bracket or string: the REPL then asks for another line.
func IsIncomplete(err error) bool {
	var list ErrorList
	if errors.As(err, &list) {
		return len(list) == 1 && list[0].incomplete
	}
	var e *Error
	return errors.As(err, &e) && e.incomplete
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Msg: err.Error()}
}

func withLines(list ErrorList, src string, base Pos) ErrorList {
	for _, e := range list {
		e.Line = lineAt(src, e.Pos.Offset-base.Offset)
	}
	return list
}

func lineAt(src string, off int) string {
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		return src[start:]
	}
	return src[start : off+end]
}

// convert turns participle's error into ours: "expected X, found Y".
func convert(err error, toks []lexer.Token) *Error {
	var ute *participle.UnexpectedTokenError
	if errors.As(err, &ute) {
		exp := ute.Expect
		if m := ute.Message(); strings.HasSuffix(m, ")") {
			if i := strings.Index(m, " (expected "); i >= 0 {
				exp = m[i+len(" (expected ") : len(m)-1]
			}
		}
		want := expectWords(exp)
		if ute.Unexpected.Type == tokEOL || ute.Unexpected.Type == tokEOF {
			// The statement ended where it could not: after `print 1,`
			// only an argument will do.
			want = strings.TrimSuffix(want, " or end of statement")
		}
		return &Error{Pos: ute.Unexpected.Pos, Msg: fmt.Sprintf("expected %s, found %s", want, Describe(ute.Unexpected))}
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		msg := pe.Message()
		// "unexpected token X" without an expectation: name what ends a statement.
		if strings.HasPrefix(msg, "unexpected token") {
			tok := tokenAt(toks, pe.Position())
			return &Error{Pos: pe.Position(), Msg: "expected end of statement, found " + Describe(tok)}
		}
		return &Error{Pos: pe.Position(), Msg: msg}
	}
	return &Error{Msg: err.Error()}
}

func tokenAt(toks []lexer.Token, p Pos) lexer.Token {
	for _, t := range toks {
		if t.Pos.Offset >= p.Offset {
			return t
		}
	}
	return toks[len(toks)-1]
}

// expectWords rewrites participle's grammar fragment ("<eol>", `"{"`,
// `"in" Expr ".." Expr Block`, `(If | Block)`) in a user's words.
func expectWords(exp string) string {
	// A sequence is expected from its first term.
	term := firstTerm(exp)
	if strings.HasPrefix(term, "(Option |") {
		// Arg: where an argument may stand, so may the end of the statement.
		return "an argument or end of statement"
	}
	term = strings.TrimRight(term, "?*+")
	if len(term) > 1 && term[0] == '(' && term[len(term)-1] == ')' {
		var alts []string
		for _, a := range splitTop(term[1:len(term)-1], " | ") {
			alts = append(alts, expectWords(a))
		}
		return strings.Join(alts, " or ")
	}
	switch term {
	case "", "Stmt":
		return "a statement"
	case "<eol>":
		return "end of statement"
	case "<eof>":
		return "end of input"
	case "<ident>":
		return "a name"
	case "<int>":
		return "an integer"
	case "<string>":
		return "a string"
	case "<word>", "Word":
		return "a program to run"
	case "<size>":
		return "a size"
	case "<duration>":
		return "a duration"
	case "Option":
		return "an option"
	case "Expr", "Primary":
		return "an expression"
	case "Block":
		return `"{"`
	case "If":
		return `"if"`
	case "Value":
		return "an expression or a statement with a value"
	}
	return term
}

// firstTerm returns the first top-level term of a grammar sequence:
// `"in" Expr` gives `"in"`, `(If | Block) x` gives `(If | Block)`.
func firstTerm(exp string) string {
	depth, quoted := 0, false
	for i := 0; i < len(exp); i++ {
		switch c := exp[i]; {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ' ' && depth == 0:
			return exp[:i]
		}
	}
	return exp
}

// splitTop splits exp at sep where sep is outside brackets and quotes.
func splitTop(exp, sep string) []string {
	var out []string
	for exp != "" {
		t := firstTerm(exp)
		// Extend the term until the separator: a term may be a sequence.
		i := len(t)
		for i < len(exp) && !strings.HasPrefix(exp[i:], sep) {
			j := len(firstTerm(exp[i+1:]))
			i += 1 + j
		}
		out = append(out, exp[:i])
		exp = strings.TrimPrefix(exp[i:], sep)
	}
	return out
}

// Describe names a token as an error message shows it.
func Describe(t lexer.Token) string {
	switch t.Type {
	case tokEOF:
		return "end of input"
	case tokEOL:
		switch t.Value {
		case ";":
			return `";"`
		case "":
			return "end of input"
		}
		return "end of line"
	case tokString:
		return "string " + shorten(t.Value, 30)
	case tokInt, tokSize, tokDuration:
		return shorten(t.Value, 30)
	case tokIdent:
		return fmt.Sprintf("%q", shorten(t.Value, 30))
	}
	return fmt.Sprintf("%q", shorten(t.Value, 30))
}

// openAtEnd reports whether an error at the end of the input came with a
// block or bracket still open: more input could complete it.
func openAtEnd(toks []lexer.Token, e *Error) bool {
	last := toks[len(toks)-1].Pos.Offset
	if e.Pos.Offset < last {
		return false
	}
	depth := 0
	for _, t := range toks {
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "{", "(", "[":
			depth++
		case "}", ")", "]":
			depth--
		}
	}
	return depth > 0
}

// Each statement with its own grammar gets a parser of its own, used only
// to explain an error: when `if x print 1` fails as an if statement it
// parses as a plain command, and re-parsing it as an if gives the exact
// "expected "{", found ..." message.
var stmtParsers = sync.OnceValue(func() map[string]func([]lexer.Token) error {
	opts := []participle.Option{participle.Lexer(lexDef{}), participle.ParseTypeWith(parseExpr), participle.UseLookahead(participle.MaxLookahead)}
	mk := func(parse func(*lexer.PeekingLexer) error) func([]lexer.Token) error {
		return func(toks []lexer.Token) error {
			pl, err := lexer.Upgrade(&sliceLexer{toks: toks})
			if err != nil {
				return err
			}
			return parse(pl)
		}
	}
	ifP := participle.MustBuild[If](opts...)
	forP := participle.MustBuild[For](opts...)
	whileP := participle.MustBuild[While](opts...)
	repeatP := participle.MustBuild[Repeat](opts...)
	letP := participle.MustBuild[Let](opts...)
	atomicP := participle.MustBuild[Atomic](opts...)
	spawnP := participle.MustBuild[Spawn](opts...)
	defP := participle.MustBuild[Def](opts...)
	retryP := participle.MustBuild[Retry](opts...)
	trail := participle.AllowTrailing(true)
	return map[string]func([]lexer.Token) error{
		"if":     mk(func(l *lexer.PeekingLexer) error { _, err := ifP.ParseFromLexer(l, trail); return err }),
		"for":    mk(func(l *lexer.PeekingLexer) error { _, err := forP.ParseFromLexer(l, trail); return err }),
		"while":  mk(func(l *lexer.PeekingLexer) error { _, err := whileP.ParseFromLexer(l, trail); return err }),
		"repeat": mk(func(l *lexer.PeekingLexer) error { _, err := repeatP.ParseFromLexer(l, trail); return err }),
		"let":    mk(func(l *lexer.PeekingLexer) error { _, err := letP.ParseFromLexer(l, trail); return err }),
		"atomic": mk(func(l *lexer.PeekingLexer) error { _, err := atomicP.ParseFromLexer(l, trail); return err }),
		"spawn":  mk(func(l *lexer.PeekingLexer) error { _, err := spawnP.ParseFromLexer(l, trail); return err }),
		"def":    mk(func(l *lexer.PeekingLexer) error { _, err := defP.ParseFromLexer(l, trail); return err }),
		"retry":  mk(func(l *lexer.PeekingLexer) error { _, err := retryP.ParseFromLexer(l, trail); return err }),
	}
})

// explain re-parses the statement starting at p with its own production
// and returns that production's error.
func explain(word string, p Pos, toks []lexer.Token) *Error {
	parse := stmtParsers()[word]
	if parse == nil {
		return nil
	}
	i := 0
	for i < len(toks) && toks[i].Pos.Offset < p.Offset {
		i++
	}
	if err := parse(toks[i:]); err != nil {
		return convert(err, toks[i:])
	}
	return nil
}

// explainFailed returns a better error than e when the statement holding e
// starts with a word that has its own production (`let 3 = 4`): that
// production fails at the real mistake, where the generic command shape
// that participle tried last fails later or with a vaguer message.
func explainFailed(toks []lexer.Token, e *Error) *Error {
	at := 0
	for at < len(toks)-1 && toks[at].Pos.Offset < e.Pos.Offset {
		at++
	}
	start := at
	for start > 0 {
		t := toks[start-1]
		if t.Type == tokEOL || (t.Type == tokPunct && (t.Value == "{" || t.Value == "}")) {
			break
		}
		start--
	}
	if start >= at || toks[start].Type != tokIdent {
		return nil
	}
	x := explain(toks[start].Value, toks[start].Pos, toks)
	if x == nil || x.Pos.Offset > e.Pos.Offset {
		return nil
	}
	return x
}

// refine rewords an error whose expectation, read off the grammar, does
// not fit the place. participle says "expected a statement" where one
// statement ended and another token followed without a newline or ";",
// and blames the enclosing block for a stray token inside it.
func refine(toks []lexer.Token, e *Error, src string, base Pos) *Error {
	at := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= e.Pos.Offset })
	if at >= len(toks) || toks[at].Pos.Offset != e.Pos.Offset || toks[at].Type == tokEOF {
		return e
	}
	tok := toks[at]
	reword := func(want, note string) *Error {
		return &Error{Pos: e.Pos, Msg: "expected " + want + ", found " + Describe(tok) + note, incomplete: e.incomplete}
	}
	atStart := stmtStart(toks, at)
	prev := lexer.Token{}
	if at > 0 {
		prev = toks[at-1]
	}
	switch {
	case tok.Type == tokIdent && tok.Value == "else":
		// No statement starts with else (the grammar refuses it, or a
		// failed else block would be parsed again as a command with a
		// block, twice per level of nesting).
		switch {
		case atStart:
			return &Error{Pos: e.Pos, Msg: "else without if: else goes on the line of the if's closing }"}
		case stmtHead(toks, at).Value == "if":
			return &Error{Pos: e.Pos, Msg: "else without if: the if before it already ended with an else"}
		}
		return &Error{Pos: e.Pos, Msg: "else without if"}
	case tok.Type == tokPunct && tok.Value == "}" && braceDepth(toks[:at]) == 0:
		if atStart {
			return reword("a statement", " (no block is open)")
		}
		return reword("end of statement", " (no block is open)")
	case atStart && prev.Type == tokIdent && (prev.Value == "try" || prev.Value == "quiet"):
		return reword("a statement or a block after "+prev.Value, "")
	case atStart:
		return e
	case prev.Type == tokPunct && prev.Value == ",":
		// After a comma only another argument will do.
		if strings.HasPrefix(e.Msg, "expected an argument or end of statement,") {
			return reword("an argument", "")
		}
	case tok.Type == tokPunct && (tok.Value == "=" || tok.Value == "+=" || tok.Value == "-="):
		if x := explainAssign(toks, at, src, base); x != nil {
			return x
		}
		return reword("end of statement", "")
	case strings.HasPrefix(e.Msg, "expected a statement,"):
		return reword("end of statement", "")
	case strings.HasPrefix(e.Msg, `expected "}",`) && tok.Type != tokEOL:
		return reword(`end of statement or "}"`, "")
	}
	return e
}

// stmtStart says whether toks[i] stands where a statement starts: first,
// after a newline, ";" or "{", or after a try or quiet that does.
func stmtStart(toks []lexer.Token, i int) bool {
	for {
		if i == 0 {
			return true
		}
		switch p := toks[i-1]; {
		case p.Type == tokEOL, p.Type == tokPunct && p.Value == "{":
			return true
		case p.Type == tokIdent && (p.Value == "try" || p.Value == "quiet"):
			i--
		default:
			return false
		}
	}
}

// stmtHead returns the first word of the statement that ends before
// toks[i], over its blocks and past any try or quiet.
func stmtHead(toks []lexer.Token, i int) lexer.Token {
	j := stmtBegin(toks, i)
	for j < i && toks[j].Type == tokIdent && (toks[j].Value == "try" || toks[j].Value == "quiet") {
		j++
	}
	return toks[j]
}

// stmtBegin returns where the statement that toks[i] ends or stands in
// begins: back over the blocks on its way, to a newline, ";" or the "{"
// around it.
func stmtBegin(toks []lexer.Token, i int) int {
	j, depth := i-1, 0
	for ; j >= 0; j-- {
		t := toks[j]
		if t.Type == tokEOL && depth == 0 {
			break
		}
		if t.Type == tokPunct && t.Value == "}" {
			depth++
		}
		if t.Type == tokPunct && t.Value == "{" {
			if depth == 0 {
				break
			}
			depth--
		}
	}
	return j + 1
}

// braceDepth counts the blocks that toks leave open.
func braceDepth(toks []lexer.Token) int {
	depth := 0
	for _, t := range toks {
		if t.Type == tokPunct {
			switch t.Value {
			case "{":
				depth++
			case "}":
				depth--
			}
		}
	}
	return depth
}

// unclosedBrace finds the innermost "{" that the source leaves open.
func unclosedBrace(toks []lexer.Token) (Pos, bool) {
	var open []Pos
	for _, t := range toks {
		if t.Type == tokPunct {
			switch t.Value {
			case "{":
				open = append(open, t.Pos)
			case "}":
				if len(open) > 0 {
					open = open[:len(open)-1]
				}
			}
		}
	}
	if len(open) == 0 {
		return Pos{}, false
	}
	return open[len(open)-1], true
}

// explainAssign handles `f(1) = 2`: a statement that the command shape
// took as far as the "=" and that parses whole as an assignment has a
// target that cannot be assigned to. (The checker says the same of
// `a.b(1) = 2`, which the command shape refuses at the ".".)
func explainAssign(toks []lexer.Token, at int, src string, base Pos) *Error {
	start := at
	for start > 0 && !stmtStart(toks, start) {
		start--
	}
	pl, err := lexer.Upgrade(&sliceLexer{toks: toks[start:]})
	if err != nil {
		return nil
	}
	// The assignment must be the one that failed: its target ends at
	// this "=", not at an earlier one (`x = a[x = 1`).
	a, err := assignParser().ParseFromLexer(pl, participle.AllowTrailing(true))
	if err != nil {
		return nil
	}
	next := start
	_, end := a.Target.Span()
	for next < len(toks) && toks[next].Pos.Offset < end.Offset {
		next++
	}
	if next != at {
		return nil
	}
	from, to := toks[start].Pos.Offset-base.Offset, toks[at].Pos.Offset-base.Offset
	if from < 0 || to > len(src) || from > to {
		return nil
	}
	target := strings.TrimSpace(src[from:to])
	return &Error{Pos: toks[start].Pos, Msg: fmt.Sprintf("cannot assign to %q: expected a name or a memory view", shorten(target, 30))}
}

var assignParser = sync.OnceValue(func() *participle.Parser[Assign] {
	return participle.MustBuild[Assign](participle.Lexer(lexDef{}), participle.ParseTypeWith(parseExpr), participle.UseLookahead(participle.MaxLookahead))
})
