// Package lang owns the ipcsh language's text: the lexer, the participle
// grammar of statements, the hand-written expression parser and its tree
// (ast.go: one Expr interface, a node type per form, a position on each),
// the one Walk every pass uses (walk.go), the static checks that need no
// values (check.go, words.go), the formatter behind `ipcsh fmt`
// (format.go), and syntax errors as "file:line:col: expected X, found Y".
// The statement table (spec.go) is the single source of the usage
// messages, the REPL's help and completion, and docs/reference.md.
//
// It imports nothing else of ipcsh and must not evaluate anything: the AST
// is plain data that package interp walks. It must not print, exit or touch
// the operating system.
package lang
