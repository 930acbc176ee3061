package lang

import (
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Format returns src in the canonical layout (`ipcsh fmt`). Like gofmt it
// normalises spacing and indentation and keeps the author's structure:
//
//   - blocks are indented by two spaces, `{` on the line of its statement
//     and `} else {` on one;
//   - a statement's words are separated by single spaces (`mode=0600`
//     and `name(a, b)` stay tight), binary operators have a space on each
//     side, unary ones and brackets none;
//   - statements written on one line (`close f1; close f2`) stay on one
//     line, and so do blocks written on one line (`repeat 3 { sem p s;
//     sem v s }`) unless the block is wider than maxInline;
//   - comments stay where they are; the trailing comments of a run of
//     consecutive lines at the same indentation are aligned in one
//     column, as gofmt aligns them;
//   - blank lines stay, a run of them as one;
//   - literals stay as written (4KiB, 0x1f, "\n").
//
// Formatting twice changes nothing more, and the result parses to the same
// program (FuzzFormat). A source with a syntax error is returned as the
// error, unformatted.
//
// The layout is generic over statement shapes: the formatter prints a
// statement's own tokens and lays out the nodes it finds in its grammar
// fields (blocks, nested statements, expressions, arguments, options and
// exec words), so a statement added to the grammar is formatted without a
// change here.
func Format(name, src string) (string, error) {
	prog, err := Parse(name, src)
	if err != nil {
		return "", err
	}
	// The same tokens Parse saw, and the comments it skipped.
	s := &scanner{src: src, line: 1, col: 1, file: name, keepComments: true}
	if err := s.run(); err != nil {
		return "", err
	}
	f := &formatter{src: src, toks: s.toks, comments: s.comments}
	f.stmts(prog.Stmts, 0, false)
	f.flushComments(len(src)+1, 0)
	f.endLine()
	return render(f.lines), nil
}

// maxInline is the widest a block written on one line may be and stay on
// one line (gofmt keeps a one-line function body up to about this size).
const maxInline = 100

// commentGap is the least space between code and its trailing comment.
const commentGap = 2

type formatter struct {
	src      string
	toks     []lexer.Token
	comments []Comment

	lines []outLine
	// The line being written.
	open    bool
	cur     strings.Builder
	depth   int
	blank   bool
	comment string
	// The piece written last on the current line, for spacing: its token
	// when it is a bare token, and where its source ends.
	prevTok string
	prevEnd int

	// The last token or comment consumed from the source: where it ends,
	// and its line. Blank lines and `;`-joined statements are judged
	// from there.
	lastOff  int
	lastLine int

	// inline: writing a block on one line (no line breaks, statements
	// joined by "; ").
	inline bool
}

type outLine struct {
	depth   int
	code    string // a whole-line comment is code here
	comment string // a trailing comment
	blank   bool   // an empty line stands before this one
}

// render writes the lines, aligning the trailing comments of each run of
// consecutive lines that have one and the same indentation.
func render(lines []outLine) string {
	var b strings.Builder
	width := func(l outLine) int { return 2*l.depth + utf8.RuneCountInString(l.code) }
	for i := 0; i < len(lines); {
		j, col := i+1, 0
		if lines[i].comment != "" {
			col = width(lines[i])
			for j < len(lines) && lines[j].comment != "" && lines[j].depth == lines[i].depth && !lines[j].blank {
				col = max(col, width(lines[j]))
				j++
			}
		}
		for _, l := range lines[i:j] {
			if l.blank {
				b.WriteByte('\n')
			}
			b.WriteString(strings.Repeat("  ", l.depth))
			b.WriteString(l.code)
			if l.comment != "" {
				b.WriteString(strings.Repeat(" ", col-width(l)+commentGap))
				b.WriteString(l.comment)
			}
			b.WriteByte('\n')
		}
		i = j
	}
	return b.String()
}

func (f *formatter) endLine() {
	if !f.open {
		return
	}
	f.lines = append(f.lines, outLine{depth: f.depth, code: f.cur.String(), comment: f.comment, blank: f.blank})
	f.open = false
	f.cur.Reset()
	f.comment = ""
}

// newLine ends the current line and starts one at depth for what starts at
// offset off, after an empty line when the source has one there.
func (f *formatter) newLine(depth, off int) {
	f.endLine()
	f.open, f.depth, f.prevTok = true, depth, ""
	f.blank = len(f.lines) > 0 && f.lastOff <= off && hasBlankLine(f.src[f.lastOff:off])
}

// hasBlankLine says whether text, which runs from the end of one thing to
// the start of the next, holds a whole line of white space. A line of
// empty statements (";;") is not one: it goes, and leaves nothing.
func hasBlankLine(text string) bool {
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines)-1; i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			return true
		}
	}
	return false
}

// consumed records that the source up to the end of t has been written.
func (f *formatter) consumed(t lexer.Token) {
	if t.Type == tokEOL || t.Type == tokEOF {
		return
	}
	if end := t.Pos.Offset + len(t.Value); end >= f.lastOff {
		f.lastOff, f.lastLine = end, t.Pos.Line
	}
}

// put writes one piece of a statement: a bare token (tok is its text) or
// a laid-out node (tok is ""), which stands at [start, end) in the source.
func (f *formatter) put(text, tok string, start, end int) {
	if f.cur.Len() > 0 && f.spaceBefore(tok, start) {
		f.cur.WriteByte(' ')
	}
	f.cur.WriteString(text)
	f.prevTok, f.prevEnd = tok, end
}

// spaceBefore says whether a space separates the piece about to be written
// from the one before it. A bracket that the author glued to the word
// before stays glued (`def f(a, b)`, `spawn w[i]`).
func (f *formatter) spaceBefore(tok string, start int) bool {
	switch tok {
	case ",", ";", ")", "]", ":", ".", "..":
		return false
	case "(", "[":
		if f.prevEnd == start {
			return false
		}
	}
	switch f.prevTok {
	case "(", "[", ".", "..":
		return false
	}
	return true
}

// flushComments writes the comments that stand before offset: one on the
// line of the last thing written is that line's trailing comment; the
// others stand on lines of their own, at depth.
func (f *formatter) flushComments(offset, depth int) {
	for len(f.comments) > 0 && f.comments[0].Pos.Offset < offset {
		c := f.comments[0]
		f.comments = f.comments[1:]
		if f.open && f.cur.Len() > 0 && f.comment == "" && c.Pos.Line == f.lastLine {
			f.comment = c.Text
		} else {
			f.newLine(depth, c.Pos.Offset)
			f.cur.WriteString(c.Text)
		}
		f.lastOff, f.lastLine = c.Pos.Offset+len(c.Text), c.Pos.Line
	}
}

// tokens returns the tokens that start in [from, to).
func (f *formatter) tokens(from, to int) []lexer.Token {
	i := sort.Search(len(f.toks), func(i int) bool { return f.toks[i].Pos.Offset >= from })
	j := sort.Search(len(f.toks), func(i int) bool { return f.toks[i].Pos.Offset >= to })
	if j < i {
		j = i
	}
	return f.toks[i:j]
}

// stmts writes a list of statements at depth. A statement that starts on
// the line where the one before it ended stays on that line, after "; ",
// unless split (a one-line block too wide to stay one).
func (f *formatter) stmts(list []*Stmt, depth int, split bool) {
	for i, s := range list {
		f.flushComments(s.Pos.Offset, depth)
		switch {
		case f.inline && i > 0, !f.inline && i > 0 && !split && f.open && s.Pos.Line == f.lastLine:
			f.put(";", ";", s.Pos.Offset, s.Pos.Offset)
		case f.inline:
		default:
			f.newLine(depth, s.Pos.Offset)
		}
		f.stmt(s, depth)
	}
}

// stmt writes one statement: its tokens, with the nodes found in its
// grammar fields (leaves) laid out in their place.
func (f *formatter) stmt(s *Stmt, depth int) {
	toks := f.tokens(s.Pos.Offset, s.EndPos.Offset)
	leaves := leavesOf(reflect.ValueOf(s).Elem())
	for i := 0; i < len(toks); {
		t := toks[i]
		start := t.Pos.Offset
		end := start + len(t.Value)
		switch n := leaves[start].(type) {
		case nil:
			if t.Type != tokEOL && t.Type != tokEOF {
				f.put(t.Value, t.Value, start, end)
			}
		case *Block:
			f.block(n, depth)
			end = n.EndPos.Offset
		case *Stmt:
			f.stmt(n, depth)
			end = n.EndPos.Offset
		default:
			if a, ok := n.(*Arg); ok && a.Comma {
				f.put(",", ",", start, start+1)
			}
			var text string
			text, end = f.leaf(n, toks[i:])
			f.put(text, "", start, end)
		}
		for ; i < len(toks) && (toks[i].Pos.Offset < end || toks[i].Pos.Offset == start); i++ {
			f.consumed(toks[i])
		}
	}
}

// block writes `{ ... }`: on one line when it was written on one line,
// holds no comment and is at most maxInline wide; otherwise over several.
func (f *formatter) block(b *Block, depth int) {
	toks := f.tokens(b.Pos.Offset, b.EndPos.Offset)
	if len(toks) == 0 {
		return
	}
	lbrace, rbrace := toks[0], toks[len(toks)-1]
	end := rbrace.Pos.Offset + len(rbrace.Value)
	oneLine := lbrace.Pos.Line == rbrace.Pos.Line
	hasComment := len(f.comments) > 0 && f.comments[0].Pos.Offset < end
	if f.inline || (oneLine || len(b.Stmts) == 0) && !hasComment {
		sub := &formatter{src: f.src, toks: f.toks, inline: true}
		sub.put("{", "{", lbrace.Pos.Offset, lbrace.Pos.Offset+1)
		sub.stmts(b.Stmts, 0, false)
		sub.put("}", "}", rbrace.Pos.Offset, end)
		if text := sub.cur.String(); f.inline || utf8.RuneCountInString(text) <= maxInline {
			f.put(text, "", lbrace.Pos.Offset, end)
			for _, t := range toks {
				f.consumed(t)
			}
			return
		}
	}
	f.put("{", "{", lbrace.Pos.Offset, lbrace.Pos.Offset+1)
	f.consumed(lbrace)
	f.stmts(b.Stmts, depth+1, oneLine)
	f.flushComments(rbrace.Pos.Offset, depth+1)
	f.newLine(depth, rbrace.Pos.Offset)
	f.put("}", "}", rbrace.Pos.Offset, end)
	f.consumed(rbrace)
}

// leaf lays out a node that is not a block or a statement, and returns
// where its text ends in the source; toks starts at its first token.
func (f *formatter) leaf(n any, toks []lexer.Token) (string, int) {
	switch n := n.(type) {
	case Expr:
		_, end := n.Span()
		return f.exprText(n), end.Offset
	case *Arg:
		var b strings.Builder // its comma is the caller's
		switch {
		case n.Opt != nil:
			b.WriteString(n.Opt.Name + "=" + f.exprText(n.Opt.Value))
		default:
			b.WriteString(f.exprText(n.Expr))
			if n.Pair != nil {
				b.WriteString(":" + f.exprText(n.Pair))
			}
		}
		return b.String(), n.EndPos.Offset
	case *Option:
		_, end := n.Value.Span()
		return n.Name + "=" + f.exprText(n.Value), end.Offset
	case *Word:
		switch {
		case n.Raw != nil:
			return *n.Raw, n.Pos.Offset + len(*n.Raw)
		case n.Str != nil:
			return *n.Str, n.Pos.Offset + len(*n.Str)
		}
		// `(EXPR)`: the word ends with the ")" after the expression.
		_, end := n.Expr.Span()
		for _, t := range toks {
			if t.Pos.Offset >= end.Offset && t.Value == ")" {
				return "(" + f.exprText(n.Expr) + ")", t.Pos.Offset + 1
			}
		}
		return "(" + f.exprText(n.Expr) + ")", end.Offset
	}
	return "", 0
}

// leavesOf finds, by their first byte, the nodes of a statement the
// formatter lays out itself: blocks, nested statements, expressions,
// arguments, options and exec words. It looks through every grammar field
// (not the ones the checker fills in, tagged `parser:""`), so that a new
// statement's nodes are found without naming its type.
func leavesOf(v reflect.Value) map[int]any {
	leaves := map[int]any{}
	add := func(start Pos, n any) {
		if _, ok := leaves[start.Offset]; !ok {
			leaves[start.Offset] = n
		}
	}
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch n := v.Interface().(type) {
			case Expr:
				start, _ := n.Span()
				add(start, n)
				return
			case *Block:
				add(n.Pos, n)
				return
			case *Stmt:
				add(n.Pos, n)
				return
			case *Arg:
				add(n.Pos, n)
				return
			case *Option:
				add(n.Pos, n)
				return
			case *Word:
				add(n.Pos, n)
				return
			}
			visit(v.Elem())
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[Pos]() {
				return
			}
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				sf := t.Field(i)
				if tag, ok := sf.Tag.Lookup("parser"); !sf.IsExported() || ok && tag == "" {
					continue
				}
				visit(v.Field(i))
			}
		}
	}
	visit(v)
	return leaves
}

// exprText writes an expression as the canonical layout has it.
func (f *formatter) exprText(e Expr) string {
	var b strings.Builder
	f.writeExpr(&b, e)
	return b.String()
}

func (f *formatter) writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case nil:
	case *Ident:
		b.WriteString(e.Name)
	case *Literal:
		b.WriteString(e.Raw)
	case *ParenExpr:
		b.WriteString("(")
		f.writeExpr(b, e.X)
		b.WriteString(")")
	case *UnaryExpr:
		b.WriteString(e.Op)
		f.writeExpr(b, e.X)
	case *BinaryExpr:
		f.writeExpr(b, e.X)
		b.WriteString(" " + e.Op + " ")
		f.writeExpr(b, e.Y)
	case *DotExpr:
		f.writeExpr(b, e.X)
		b.WriteString("." + e.Name)
	case *IndexExpr:
		f.writeExpr(b, e.X)
		b.WriteString("[")
		f.writeExpr(b, e.Index)
		b.WriteString("]")
	case *SliceExpr:
		f.writeExpr(b, e.X)
		b.WriteString("[")
		f.writeExpr(b, e.Lo)
		b.WriteString(":")
		f.writeExpr(b, e.Hi)
		b.WriteString("]")
	case *CallExpr:
		f.writeExpr(b, e.Fn)
		b.WriteString("(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			f.writeExpr(b, a)
		}
		b.WriteString(")")
	default:
		// A node this switch does not know yet: as written.
		start, end := e.Span()
		b.WriteString(f.src[start.Offset:end.Offset])
	}
}
