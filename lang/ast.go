package lang

import "github.com/alecthomas/participle/v2/lexer"

// Pos is a position in a source: file, byte offset, line and column
// (columns count runes from 1).
type Pos = lexer.Position

// The AST is plain data: the grammar is in the struct tags, and nothing here
// evaluates anything (the interpreter walks these nodes, DESIGN.md).
//
// Control flow has its own nodes, so a misplaced brace gets participle's
// exact "expected" message. Everything else is one generic Command shape,
// checked against the statement table (spec.go) after parsing: that gives
// usage messages in our words and keeps keywords unreserved outside the
// statement head.
//
// participle backtracks, so two rules keep parsing linear: no word that
// starts a production of its own (if, else, try, ...) may start a Command
// or an Assign, or a failed block would be parsed again as a command's
// block, once more per level of nesting (TestNoBacktrackingBlowUp); and
// that a newline or ";" separates statements is checked after parsing
// (check.go), not by a lookahead whose failure participle would blame on
// the statement before.
//
// Speed (BenchmarkParse10kLines): participle allocates a branch for every
// alternative it tries and a struct for every production it enters, so
// the most common statements are tried first (Command before Assign), an
// argument list stops without entering an expression at the end of the
// statement, and operators have token types of their own (lexer.go).

// Program is a whole script, a REPL entry, or a spawned block's body.
type Program struct {
	Pos    Pos
	EndPos Pos
	Stmts  []*Stmt `parser:"EOL* ( @@ EOL* )*"`
	// Src is the text the program was parsed from; Base is the position of
	// its first byte (a spawned block keeps the positions of its file).
	Src  string `parser:""`
	Base Pos    `parser:""`
}

// Block is `{ ... }`.
type Block struct {
	Pos    Pos
	EndPos Pos
	Stmts  []*Stmt `parser:"'{' EOL* ( @@ EOL* )* '}'"`
}

// Stmt is one statement; exactly one field is set. Command comes before
// Assign, which it refuses when "=", "+=", "-=", "." or "[" follows its
// first word: one expression parse fewer for every command.
type Stmt struct {
	Pos    Pos
	EndPos Pos

	// Commands first: most statements are commands, and participle pays
	// for every alternative it tries before the one that matches. A
	// command refuses the words that start the other statements. A call
	// comes before it, as it looks at two tokens only (CallStmt).
	Call   *CallStmt `parser:"  @@"`
	Cmd    *Command  `parser:"| @@"`
	If     *If       `parser:"| @@"`
	For    *For      `parser:"| @@"`
	While  *While    `parser:"| @@"`
	Repeat *Repeat   `parser:"| @@"`
	Let    *Let      `parser:"| @@"`
	Try    *Wrap     `parser:"| \"try\" @@"`
	Quiet  *Wrap     `parser:"| \"quiet\" @@"`
	Atomic *Atomic   `parser:"| @@"`
	Spawn  *Spawn    `parser:"| @@"`
	Def    *Def      `parser:"| @@"`
	Retry  *Retry    `parser:"| @@"`
	Assign *Assign   `parser:"| @@"`
}

// Def is `def NAME(P1, P2, ...) { ... }`, a procedure; the statement's
// Pos and EndPos span its whole text, which a spawned child parses again.
type Def struct {
	Pos    Pos
	Name   string   `parser:"\"def\" @Ident '('"`
	Params []string `parser:"( @Ident ( ',' @Ident )* )? ')'"`
	Body   *Block   `parser:"@@"`
}

// Retry is `retry DUR STATEMENT` or `retry DUR { ... }`.
type Retry struct {
	Pos  Pos
	For  Expr  `parser:"\"retry\" @@"`
	Body *Wrap `parser:"@@"`
}

// CallStmt is `NAME(ARGS...)` standing as a statement: a procedure call
// whose value, if any, is not used. It is a participle.Parseable (expr.go)
// that answers only where a name that is not a statement's is followed by
// "(", so every other statement pays one look at two tokens.
type CallStmt struct {
	Pos    Pos
	EndPos Pos
	Call   *CallExpr
}

// If is `if EXPR { } else if EXPR { } else { }`.
type If struct {
	Pos    Pos
	Cond   Expr   `parser:"\"if\" @@"`
	Then   *Block `parser:"@@"`
	ElseIf *If    `parser:"( \"else\" ( @@"`
	Else   *Block `parser:"| @@ ) )?"`
}

// For is `for NAME in A..B { }`, both ends inclusive.
type For struct {
	Pos  Pos
	Var  string `parser:"\"for\" @Ident"`
	From Expr   `parser:"\"in\" @@ '..'"`
	To   Expr   `parser:"@@"`
	Body *Block `parser:"@@"`
}

// While is `while EXPR { }`.
type While struct {
	Pos  Pos
	Cond Expr   `parser:"\"while\" @@"`
	Body *Block `parser:"@@"`
}

// Repeat is `repeat EXPR { }`.
type Repeat struct {
	Pos   Pos
	Count Expr   `parser:"\"repeat\" @@"`
	Body  *Block `parser:"@@"`
}

// Let is `let NAME = VALUE`.
type Let struct {
	Pos   Pos
	Name  string `parser:"\"let\" @Ident '='"`
	Value *Value `parser:"@@"`
}

// Wrap is the operand of `try` and `quiet`: a block or one statement.
type Wrap struct {
	Pos   Pos
	Block *Block `parser:"  @@"`
	Stmt  *Stmt  `parser:"| @@"`
}

// Atomic is `atomic VIEW += EXPR`, a real atomic add on shared memory.
type Atomic struct {
	Pos    Pos
	Target Expr   `parser:"\"atomic\" @@"`
	Op     string `parser:"@'+='"`
	Value  Expr   `parser:"@@"`
}

// Spawn is `spawn NAME { }` or `spawn NAME exec PROG ARGS... [stdin=FD]...`;
// with Index, `spawn NAME[EXPR] ...` starts a member of the family NAME.
type Spawn struct {
	Pos    Pos
	EndPos Pos
	Name   string    `parser:"\"spawn\" @Ident"`
	Index  Expr      `parser:"( '[' @@ ']' )?"`
	Body   *Block    `parser:"( @@"`
	Exec   []*Word   `parser:"| \"exec\" @@+"`
	Opts   []*Option `parser:"  @@* )"`
}

// Word is one argument of `exec`: a shell word taken literally, a string,
// or a parenthesised expression.
type Word struct {
	Pos  Pos
	Raw  *string `parser:"  @Word"`
	Str  *string `parser:"| @String"`
	Expr Expr    `parser:"| '(' @@ ')'"`
}

// Assign is `TARGET = VALUE`, `TARGET += EXPR` or `TARGET -= EXPR`; the
// target is a name or a memory view, so it starts with a name.
type Assign struct {
	Pos    Pos
	Target Expr   `parser:"(?! \"if\" | \"for\" | \"while\" | \"repeat\" | \"let\" | \"try\" | \"quiet\" | \"atomic\" | \"spawn\" | \"else\" | \"def\" | \"retry\" ) (?= Ident) @@"`
	Op     string `parser:"@( '=' | '+=' | '-=' )"`
	Value  *Value `parser:"@@"`
}

// Value is the right-hand side of `let` and `=`: an expression, or a
// statement that yields a value (`let m = recv q`). Which one is decided in
// check.go: a head that names a value statement makes it a command.
type Value struct {
	Pos    Pos
	EndPos Pos
	Head   Expr     `parser:"@@"`
	Args   []*Arg   `parser:"@@*"`
	Cmd    *Command `parser:""`
}

// Command is every other statement: `VERB ARGS... OPTIONS... [{ }]`.
type Command struct {
	Pos    Pos
	EndPos Pos
	Verb   string `parser:"(?! \"if\" | \"for\" | \"while\" | \"repeat\" | \"let\" | \"try\" | \"quiet\" | \"atomic\" | \"spawn\" | \"else\" | \"def\" | \"retry\" ) @Ident (?! '=' | '+=' | '-=' | '.' | '[' )"`
	Args   []*Arg `parser:"@@*"`
	Block  *Block `parser:"@@?"`
	// After are the options after a block (`trap USR1 { } restart`).
	After []*Arg `parser:"@@*"`

	// Filled in by check.go from Args and the statement table.
	Spec   *Spec              `parser:""`
	Sub    string             `parser:""` // sem p|v|..., msgctl stat|rmid|set
	Params []*Arg             `parser:""` // positional arguments, in order
	Flags  map[string]Pos     `parser:""` // bare-word options present
	Opts   map[string]*Option `parser:""` // word=expr options
}

// Arg is one argument of a command: `name=expr`, `expr`, `expr:expr` (the
// I:DELTA pairs of `sem op`), optionally after a comma (print, expect). It
// is a participle.Parseable, parsed by hand (expr.go).
type Arg struct {
	Pos    Pos
	EndPos Pos
	Comma  bool
	Opt    *Option
	Expr   Expr
	Pair   Expr
}

// Option is `name=expr`: participle parses it after `spawn ... exec`, the
// hand-written Arg elsewhere.
type Option struct {
	Pos   Pos
	Name  string `parser:"@Ident '='"`
	Value Expr   `parser:"@@"`
}

// Expressions (LANGUAGE.md §2) are a tree, as in starlark-go's syntax
// package: one Expr interface, a node type per shape, and Walk (walk.go)
// for every pass that looks at them all. They have no grammar tags:
// participle calls parseExpr (expr.go) wherever an Expr field stands.
// Precedence lives in the parser; the tree only records what it decided
// (`a + b * c` is Binary(a, +, Binary(b, *, c))), and ParenExpr keeps the
// parentheses the author wrote, for positions and for `ipcsh fmt`.
//
// Every node knows where it starts and ends: src[Pos.Offset:EndPos.Offset]
// is exactly its text. A node also keeps the position its errors point at
// where that is not its start (the operator of `a + b`, the "[" of an
// index), so that messages point where they always did.

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// span is the extent every node has.
type span struct {
	Pos    Pos
	EndPos Pos
}

func (s *span) Span() (Pos, Pos) { return s.Pos, s.EndPos }
func (*span) exprNode()          {}

// Ident is a name.
type Ident struct {
	span
	Name string
}

// LitKind says which literal a Literal is.
type LitKind uint8

const (
	LitInt      LitKind = iota // 42, 0x1f, 0600
	LitString                  // "text", as written with its quotes
	LitSize                    // 4KiB
	LitDuration                // 500us
	LitBool                    // true, false
)

// Literal is a constant as written: Raw is its text, so that `ipcsh fmt`
// keeps 0x1f and 4KiB; lang's ParseInt, ParseUnit and Unquote give values.
type Literal struct {
	span
	Kind LitKind
	Raw  string
}

// ParenExpr is `(X)`.
type ParenExpr struct {
	span
	X Expr
}

// UnaryExpr is `-X`, `+X` or `!X`; Pos is the operator's.
type UnaryExpr struct {
	span
	Op string
	X  Expr
}

// BinaryExpr is `X Op Y`: || && == != < <= > >= + - * / %.
type BinaryExpr struct {
	span
	X     Expr
	OpPos Pos
	Op    string
	Y     Expr
}

// DotExpr is `X.Name`; Dot is the position of the ".".
type DotExpr struct {
	span
	X    Expr
	Dot  Pos
	Name string
}

// IndexExpr is `X[Index]`. Index is nil for `a[]`, which the checker
// refuses (its "]" is at EndPos less one).
type IndexExpr struct {
	span
	X      Expr
	Lbrack Pos
	Index  Expr
}

// SliceExpr is `X[Lo:Hi]`, either end optional.
type SliceExpr struct {
	span
	X      Expr
	Lbrack Pos
	Lo, Hi Expr
}

// CallExpr is `Fn(Args...)`.
type CallExpr struct {
	span
	Fn     Expr
	Lparen Pos
	Args   []Expr
}
