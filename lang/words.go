package lang

import (
	"fmt"
	"strings"
)

// The words after `spawn NAME exec` follow sh where sh and ipcsh agree: a
// bare word is literal and 'single quotes' keep everything inside. Where
// they would disagree — a bare word that is also the name of an ipcsh
// value, which sh would never expand and an ipcsh reader might expect to —
// the checker refuses the word and asks for (dir) or "dir".

// WordText is the argument a bare exec word passes: its text with the
// single quotes removed, as sh removes them (`a'b c'd` is `ab cd`).
func WordText(raw string) string {
	if !strings.Contains(raw, "'") {
		return raw
	}
	var b strings.Builder
	quoted := false
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\'' {
			quoted = !quoted
			continue
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// WordQuoted says whether a bare exec word holds single quotes: then it
// passes exactly what the author quoted, and the transcript shows it
// quoted, since its text may hold blanks.
func WordQuoted(raw string) bool { return strings.Contains(raw, "'") }

// BuiltinValues are the names every program can read without binding them.
var BuiltinValues = []string{"args", "self", "tmp", "err"}

// wordName returns the name an unquoted exec word would read if it were
// an expression: the whole word when it is a name, or the name before a
// `.field` or `[index]` that follows it directly (`args[0]`, `m.text`).
// Other shapes (`-q`, `/tmp`, `a-b`, `x=1`) read no name.
func wordName(raw string) (string, bool) {
	if raw == "" || !isLetter(raw[0]) {
		return "", false
	}
	i := 1
	for i < len(raw) && isWordChar(raw[i]) {
		i++
	}
	switch rest := raw[i:]; {
	case rest == "":
	case rest[0] == '[':
	case rest[0] == '.' && len(rest) > 1 && isLetter(rest[1]):
	default:
		return "", false
	}
	return raw[:i], true
}

// ExecWordName returns the name an unquoted exec word would read as an
// expression (wordName), and false for a quoted word or another shape.
func ExecWordName(raw string) (string, bool) {
	if WordQuoted(raw) {
		return "", false
	}
	return wordName(raw)
}

// ExecWordMessage is the error for an exec word that reads like a value:
// what names a value, and the two ways to say which was meant.
func ExecWordMessage(spawn, word, name string, builtin bool) string {
	what := "the variable " + name
	if builtin {
		what = "the built-in " + name
	}
	lead := word + " is " + what
	if word != name {
		lead = word + " reads " + what
	}
	return fmt.Sprintf("spawn %s exec: %s: write (%s) for its value or %q for the word", spawn, lead, word, word)
}

// valueNames collects every name the program binds to a value: by let,
// by =, +=, -= or by for. Handles, processes and statement names are not
// among them: `spawn ls exec ls` and `exec cat p` stay words.
func valueNames(stmts []*Stmt, into map[string]bool) {
	for _, s := range stmts {
		valueNamesStmt(s, into)
	}
}

func valueNamesBlock(b *Block, into map[string]bool) {
	if b != nil {
		valueNames(b.Stmts, into)
	}
}

func valueNamesStmt(s *Stmt, into map[string]bool) {
	switch {
	case s.If != nil:
		for n := s.If; n != nil; n = n.ElseIf {
			valueNamesBlock(n.Then, into)
			valueNamesBlock(n.Else, into)
		}
	case s.For != nil:
		into[s.For.Var] = true
		valueNamesBlock(s.For.Body, into)
	case s.While != nil:
		valueNamesBlock(s.While.Body, into)
	case s.Repeat != nil:
		valueNamesBlock(s.Repeat.Body, into)
	case s.Let != nil:
		into[s.Let.Name] = true
	case s.Assign != nil:
		if name, ok := IdentOf(s.Assign.Target); ok {
			into[name] = true
		}
	case s.Try != nil:
		valueNamesWrap(s.Try, into)
	case s.Quiet != nil:
		valueNamesWrap(s.Quiet, into)
	case s.Spawn != nil:
		valueNamesBlock(s.Spawn.Body, into)
	case s.Def != nil:
		// A procedure's parameters hold values in its body (LANGUAGE.md
		// §3 counts them among the names an exec word must not read as).
		for _, p := range s.Def.Params {
			into[p] = true
		}
		valueNamesBlock(s.Def.Body, into)
	case s.Retry != nil:
		valueNamesWrap(s.Retry.Body, into)
	case s.Cmd != nil:
		valueNamesBlock(s.Cmd.Block, into)
	}
}

func valueNamesWrap(w *Wrap, into map[string]bool) {
	if w.Block != nil {
		valueNamesBlock(w.Block, into)
	} else if w.Stmt != nil {
		valueNamesStmt(w.Stmt, into)
	}
}

// execWords refuses the bare exec words that read like a value: the
// program binds that name, or it is a built-in value. The run would pass
// the word's text, the author may have meant the value; only the author
// knows, so the script does not run until the word says which.
func (c *checker) execWords(s *Spawn) {
	for _, w := range s.Exec {
		if w.Raw == nil {
			continue
		}
		name, ok := ExecWordName(*w.Raw)
		if !ok {
			continue
		}
		builtin := isBuiltinValue(name)
		if !builtin {
			if c.vars == nil {
				c.vars = map[string]bool{}
				valueNames(c.prog.Stmts, c.vars)
			}
			if !c.vars[name] {
				continue
			}
		}
		c.errorf(w.Pos, "%s", ExecWordMessage(s.Name, *w.Raw, name, builtin))
	}
}

func isBuiltinValue(name string) bool {
	for _, b := range BuiltinValues {
		if b == name {
			return true
		}
	}
	return false
}
