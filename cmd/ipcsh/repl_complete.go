package main

// Tab completion. What it offers comes from lang's statement table (the
// one the parser's usage messages and `help` read) and from the session's
// bindings, so completion, help and the parser agree on every statement.

import (
	"os"
	"sort"
	"strings"

	"ipcsh/interp"
	"ipcsh/lang"
)

// completer is the readline.AutoCompleter of the REPL.
type completer struct {
	// bindings lists the session's names. readline asks for completions
	// from inside ReadLine, when no entry runs, so it may read them.
	bindings func() []interp.Binding
}

// Do returns what may be inserted at pos: each candidate without the
// part already typed, and the length of that part in runes.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	typed, full := c.complete(string(line[:pos]))
	var out [][]rune
	for _, f := range full {
		out = append(out, []rune(strings.TrimPrefix(f, typed)))
	}
	return out, len([]rune(typed))
}

// complete returns the word being typed at the end of text and the
// candidates for it, each of which starts with that word.
func (c *completer) complete(text string) (typed string, full []string) {
	st, ok := scanStatement(text)
	if !ok {
		return "", nil
	}
	if st.inString {
		if st.takesPath() {
			return c.paths(st.cur)
		}
		return "", nil
	}
	typed = st.cur
	var cands []string
	switch {
	case st.assignedFrom && len(st.words) == 0:
		cands = append(append(valueKeywords(), c.names(nil)...), c.callables(true)...)
	case len(st.words) == 0:
		// Or a variable being assigned: `n += 1`.
		// Or a procedure called as a statement: `worker(1)`.
		cands = append(append(keywords(), c.names([]string{"int", "string", "bool"})...), c.callables(false)...)
	case st.words[0] == "help":
		switch {
		case len(st.words) == 1:
			cands = keywords()
		case len(st.words) == 2 && st.words[1] == "sem":
			cands = semSubs()
		}
	case st.words[0] == "sem" && len(st.words) == 1:
		cands = semSubs()
	default:
		cands = c.arguments(st)
	}
	// Functions are offered once a letter is typed: `read p.r <Tab>`
	// lists the words that are the statement's, not every built-in.
	if identSuffix(typed) == "" {
		kept := cands[:0:0]
		for _, cand := range cands {
			if !strings.HasSuffix(cand, "(") {
				kept = append(kept, cand)
			}
		}
		cands = kept
	}
	// Names are completed from the identifier at the end of the word:
	// `print len(p<Tab>` completes `p`.
	typed, cands = narrow(typed, cands)
	return typed, cands
}

// narrow keeps the candidates that extend typed. A candidate that is a
// name completes the identifier that ends typed (after an operator or
// parenthesis); the others complete the whole word.
func narrow(typed string, cands []string) (string, []string) {
	ident := identSuffix(typed)
	seen := map[string]bool{}
	var whole, names []string
	for _, cand := range cands {
		if seen[cand] {
			continue
		}
		seen[cand] = true
		switch {
		case strings.HasPrefix(cand, typed):
			whole = append(whole, cand)
		case ident != typed && strings.HasPrefix(cand, ident) && isName(cand):
			names = append(names, cand)
		}
	}
	if len(whole) == 0 && len(names) > 0 {
		// Inside an expression a space after the name is rarely wanted.
		for i, n := range names {
			names[i] = strings.TrimSuffix(n, " ")
		}
		return ident, names
	}
	return typed, whole
}

// identSuffix is the name at the end of s: `p.r` in `len(p.r`.
func identSuffix(s string) string {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if c == '.' || c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' {
			i--
			continue
		}
		break
	}
	return s[i:]
}

func isName(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, " "), "(")
	return s != "" && identSuffix(s) == s
}

// statement is the statement the cursor is in, as far as it is typed.
type statement struct {
	words []string // the complete words, after try/quiet and `let x =`
	cur   string   // the word being typed ("" after a space); in a string, its text so far
	// assignedFrom: the statement is the value of `let x =` or `x =`,
	// which wants a statement that gives a value, or an expression.
	assignedFrom bool
	inString     bool // the cursor is inside a string literal
}

// scanStatement finds the statement being typed at the end of text:
// after the last `;`, `{` or `}` outside strings. It fails in a comment.
func scanStatement(text string) (statement, bool) {
	var st statement
	var word strings.Builder
	wordStart := -1 // where the string being typed starts in word
	endWord := func() {
		if word.Len() > 0 {
			st.words = append(st.words, word.String())
			word.Reset()
		}
	}
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			word.WriteByte(c)
			if c == '\\' && i+1 < len(text) {
				i++
				word.WriteByte(text[i])
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			wordStart = word.Len()
			word.WriteByte(c)
		case c == '#':
			return st, false
		case c == ';' || c == '{' || c == '}':
			st.words, st.assignedFrom = nil, false
			word.Reset()
		case c == ' ' || c == '\t':
			endWord()
		default:
			word.WriteByte(c)
		}
	}
	st.cur = word.String()
	if inString {
		st.inString = true
		st.cur = st.cur[wordStart+1:]
	}
	st.words = stripPrefixes(st.words, &st.assignedFrom)
	return st, true
}

// stripPrefixes drops what stands before the statement proper: `try`,
// `quiet`, `else`, and the `let x =` or `x =` whose value it gives.
func stripPrefixes(words []string, assigned *bool) []string {
	for len(words) > 0 {
		switch {
		case words[0] == "try" || words[0] == "quiet" || words[0] == "else":
			words = words[1:]
		case words[0] == "let" && len(words) >= 3 && words[2] == "=":
			words, *assigned = words[3:], true
		case len(words) >= 2 && (words[1] == "=" || words[1] == "+=") && isIdent(words[0]):
			words, *assigned = words[2:], true
		default:
			return words
		}
	}
	return words
}

// spec returns the statement's entry in lang's table, with the words
// that are its arguments.
func (st statement) spec() (*lang.Spec, []string) {
	if len(st.words) == 0 {
		return nil, nil
	}
	if st.words[0] == "sem" && len(st.words) >= 2 {
		return lang.Lookup("sem " + st.words[1]), st.words[2:]
	}
	return lang.Lookup(st.words[0]), st.words[1:]
}

func (st statement) takesPath() bool {
	spec, _ := st.spec()
	if spec == nil {
		return false
	}
	for _, p := range spec.Params {
		if p.Name == "PATH" {
			return true
		}
	}
	return false
}

// arguments offers what may stand at the cursor of a statement: a name
// of the right kind for the next positional argument, then, once the
// required ones are there, the options not given yet.
func (c *completer) arguments(st statement) []string {
	spec, args := st.spec()
	if spec == nil {
		return nil
	}
	if spec.Name == "spawn" {
		return c.spawnArguments(args, st.cur)
	}
	if name, _, ok := strings.Cut(st.cur, "="); ok {
		if name == "key" && hasWord(spec.Opts, "key") {
			return []string{"key=private "}
		}
		return nil
	}
	given := map[string]bool{}
	npos := 0
	for _, a := range args {
		if name, _, ok := strings.Cut(a, "="); ok && name != "" {
			given[name] = true
			continue
		}
		if isOptionWord(spec, a) {
			given[a] = true
			continue
		}
		if npos < len(spec.Params) {
			given[spec.Params[npos].Name] = true // `read p.r 10` takes no `all`
		}
		npos++
	}
	if len(spec.Params) == 0 {
		if opts := optionWords(spec, given); len(opts) > 0 {
			return opts // `ipcs all`
		}
		// Statements with their own grammar (if, while, let...) take
		// expressions: any name may stand there.
		return append(c.names(nil), c.callables(true)...)
	}
	var cands []string
	if npos < len(spec.Params) || spec.Params[len(spec.Params)-1].Variadic {
		p := spec.Params[min(npos, len(spec.Params)-1)]
		if !excluded(spec, p.Name, given) { // `read p.r all` takes no N
			cands = append(cands, c.forParam(spec, p)...)
		}
	}
	required := 0
	for _, p := range spec.Params {
		if !p.Optional && !p.Variadic {
			required++
		}
	}
	if npos >= required {
		cands = append(cands, optionWords(spec, given)...)
	}
	return cands
}

func isOptionWord(spec *lang.Spec, w string) bool {
	if hasWord(spec.Flags, w) {
		return true
	}
	for _, g := range spec.OneOf {
		if hasWord(g, w) {
			return true
		}
	}
	return false
}

// excluded says whether word may not stand with the words given: they
// share a group of which only one may appear.
func excluded(spec *lang.Spec, word string, given map[string]bool) bool {
	for _, g := range spec.Exclusive {
		if !hasWord(g, word) {
			continue
		}
		for _, w := range g {
			if w != word && given[w] {
				return true
			}
		}
	}
	return false
}

// optionWords lists a statement's options not given yet: bare words, and
// `name=` for the others. Of a group that allows one word, none is
// offered once one is there.
func optionWords(spec *lang.Spec, given map[string]bool) []string {
	taken := func(group []string) bool {
		for _, w := range group {
			if given[w] {
				return true
			}
		}
		return false
	}
	var out []string
	for _, g := range spec.OneOf {
		if !taken(g) {
			for _, w := range g {
				out = append(out, w+" ")
			}
		}
	}
	for _, f := range spec.Flags {
		if given[f] {
			continue
		}
		if !excluded(spec, f, given) {
			out = append(out, f+" ")
		}
	}
	for _, o := range spec.Opts {
		// id= stands instead of key= and what goes with it (msgget).
		byID := spec.NotByID != nil && (o == "id" && (given["key"] || given["create"]) || given["id"] && hasWord(spec.NotByID, o))
		if !given[o] && !byID {
			out = append(out, o+"=")
		}
	}
	if spec.NotByID != nil && given["id"] {
		kept := out[:0]
		for _, w := range out {
			if !hasWord(spec.NotByID, strings.TrimSpace(w)) {
				kept = append(kept, w)
			}
		}
		out = kept
	}
	return out
}

// signals are the names `kill NAME SIGNAL` is most often given.
var signals = []string{"TERM ", "KILL ", "INT ", "HUP ", "QUIT ", "USR1 ", "USR2 ", "STOP ", "CONT "}

// forParam offers names for one positional parameter: the handles of
// the kind the statement works on.
func (c *completer) forParam(spec *lang.Spec, p lang.Param) []string {
	switch p.Kind {
	case lang.PName, lang.PPair:
		return nil // a new name, or I:DELTA: nothing to offer
	case lang.PSignal:
		return signals
	}
	switch p.Name {
	case "FD":
		return c.names([]string{"fd", "pipe"})
	case "Q":
		return c.names([]string{"queue"})
	case "S":
		return c.names([]string{"semaphore set"})
	case "SEG":
		return c.names([]string{"segment"})
	case "PATH":
		return c.names([]string{"string"})
	case "NAME":
		switch spec.Name {
		case "wait", "kill":
			return c.names([]string{"process", "family"})
		case "detach":
			return c.names([]string{"attachment"})
		case "msync", "munmap":
			return c.names([]string{"mapping"})
		case "pclose":
			return c.names([]string{"fd"})
		case "ipcrm":
			return c.names([]string{"queue", "segment", "semaphore set"})
		}
	}
	return append(c.names(valueKinds), c.callables(true)...)
}

// callables are what an expression may call, each with its "(": the
// script's procedures, and (withBuiltins) the built-in functions.
func (c *completer) callables(withBuiltins bool) []string {
	var out []string
	if withBuiltins {
		for _, b := range lang.Builtins {
			out = append(out, b+"(")
		}
	}
	if c.bindings != nil {
		for _, b := range c.bindings() {
			if b.Kind == "procedure" {
				out = append(out, b.Name+"(")
			}
		}
	}
	return out
}

// valueKinds are the kinds of names an expression argument (a count, a
// text to write) is usually given: values, not handles.
var valueKinds = []string{"int", "string", "bool", "message", "record", "list"}

// spawnArguments: `spawn NAME { ... }` or `spawn NAME exec PROG ARGS...
// [stdin=FD] [stdout=FD] [stderr=FD]`.
func (c *completer) spawnArguments(args []string, cur string) []string {
	switch {
	case len(args) == 1:
		return []string{"exec "}
	case len(args) >= 3 && args[1] == "exec":
		if name, _, ok := strings.Cut(cur, "="); ok && (name == "stdin" || name == "stdout" || name == "stderr") {
			var out []string
			for _, n := range c.names([]string{"fd", "pipe"}) {
				out = append(out, name+"="+n)
			}
			return out
		}
		return []string{"stdin=", "stdout=", "stderr="}
	}
	return nil
}

// names lists the session's names of the given kinds (any kind when
// kinds is nil), each followed by a space. A pipe stands for its ends
// where an fd is wanted.
func (c *completer) names(kinds []string) []string {
	if c.bindings == nil {
		return nil
	}
	var out []string
	for _, b := range c.bindings() {
		if kinds != nil && !hasWord(kinds, b.Kind) || b.Kind == "procedure" {
			continue
		}
		if b.Kind == "pipe" && hasWord(kinds, "fd") {
			out = append(out, b.Name+".r ", b.Name+".w ")
			continue
		}
		out = append(out, b.Name+" ")
	}
	sort.Strings(out)
	return out
}

// keywords are the words that start a statement, and `help`.
func keywords() []string {
	var out []string
	for _, k := range append(lang.Keywords(), "help") {
		out = append(out, k+" ")
	}
	sort.Strings(out)
	return out
}

func semSubs() []string {
	var out []string
	for _, s := range lang.SemSubs {
		out = append(out, s+" ")
	}
	return out
}

// valueKeywords start the statements that give a value (`let n = read`).
func valueKeywords() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range lang.Specs {
		w, _, _ := strings.Cut(s.Name, " ")
		if s.Value && !seen[w] {
			seen[w] = true
			out = append(out, w+" ")
		}
	}
	sort.Strings(out)
	return out
}

// paths completes a file name inside a string literal: typed is the
// string's text so far. A directory ends in "/", ready for more; a file
// closes the string.
func (c *completer) paths(typed string) (string, []string) {
	if strings.ContainsRune(typed, '\\') {
		return typed, nil // escapes: what is typed is not the file name
	}
	dir, base := "", typed
	if i := strings.LastIndexByte(typed, '/'); i >= 0 {
		dir, base = typed[:i+1], typed[i+1:]
	}
	list := dir
	if list == "" {
		list = "."
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return base, nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if strings.ContainsAny(name, "\"\\") || strings.IndexFunc(name, func(r rune) bool { return r < ' ' }) >= 0 {
			continue // it would need escapes in the string
		}
		if isDir(dir+name, e) {
			out = append(out, name+"/")
		} else {
			out = append(out, name+`" `)
		}
	}
	sort.Strings(out)
	return base, out
}

// isDir follows a symbolic link, as a path through it would.
func isDir(path string, e os.DirEntry) bool {
	if e.Type()&os.ModeSymlink != 0 {
		fi, err := os.Stat(path)
		return err == nil && fi.IsDir()
	}
	return e.IsDir()
}

func hasWord(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
