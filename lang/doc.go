// Package lang owns the ipcsh language's text: the lexer, the participle
// grammar, the AST with a position on every node, the statement table
// (spec.go) and syntax errors as "file:line:col: expected X, found Y".
//
// It imports nothing else of ipcsh and must not evaluate anything: the AST
// is plain data that package interp walks. It must not print, exit or touch
// the operating system. The statement table is the single source for the
// checker's usage messages and, later, for help and completion.
package lang
