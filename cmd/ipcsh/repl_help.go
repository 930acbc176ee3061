package main

// `help` and `help STATEMENT` in the REPL, written from lang's statement
// table: the table the parser's usage messages and completion read too.

import (
	"fmt"
	"io"
	"strings"

	"ipcsh/lang"
)

// help writes the list of statements (no words), what one statement
// takes (`help msgget`, `help sem p`; `help sem` shows every sem), or a
// built-in or a topic (`help len`, `help transcript`, `help topics`). The
// REPL and `ipcsh help TOPIC` both answer with it; it reports whether it
// knew the name.
func help(w io.Writer, words []string) bool {
	if len(words) == 0 {
		helpAll(w)
		return true
	}
	name := strings.Join(words, " ")
	var specs []*lang.Spec
	for _, s := range lang.Specs {
		if s.Name == name || strings.HasPrefix(s.Name, name+" ") {
			specs = append(specs, s)
		}
	}
	switch {
	case len(specs) > 0:
	case name == "statements":
		helpAll(w)
		return true
	case name == "topics":
		helpTopicList(w)
		return true
	case findTopic(name) != nil:
		t := findTopic(name)
		fmt.Fprint(w, t.text)
		fmt.Fprintf(w, "More: docs/language.md#%s\n", t.section)
		return true
	default:
		fmt.Fprintf(w, "help: no statement %q, nor a built-in or topic of that name; help statements and help topics list them\n", name)
		return false
	}
	for i, s := range specs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		helpOne(w, s)
	}
	return true
}

// helpCmd is `ipcsh help [NAME...]`: the usage alone, or the REPL's
// answer to `help NAME`; a name help does not know is a misuse (exit 2).
func helpCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	var b strings.Builder
	if !help(&b, args) {
		fmt.Fprint(stderr, b.String())
		return exitSyntax
	}
	fmt.Fprint(stdout, b.String())
	return exitOK
}

// helpTopicList lists what help explains besides statements.
func helpTopicList(w io.Writer) {
	fmt.Fprintln(w, "help NAME explains a statement (help statements lists them), or one of:")
	for _, t := range helpTopics {
		fmt.Fprintf(w, "  %-12s %s\n", t.name, t.summary)
	}
	fmt.Fprintln(w, "The whole language: docs/language.md.")
}

// helpAll lists the statements, grouped and ordered as LANGUAGE.md
// presents them, each with its one-line summary.
func helpAll(w io.Writer) {
	width := 0
	for _, s := range lang.Specs {
		width = max(width, len(s.Name))
	}
	for i, g := range lang.GroupOrder {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, g)
		for _, s := range lang.Specs {
			if s.Group == g {
				fmt.Fprintf(w, "  %-*s  %s\n", width, s.Name, s.Summary)
			}
		}
	}
	fmt.Fprint(w, `
help STATEMENT shows its syntax and options (help open, help sem p).
help topics lists the rest: built-ins (help len), help transcript, help errors...
timeline draws the session's last events, one column per process.
Tab completes statements, options and names; Up and Ctrl-R search the history.
Ctrl-C stops the statement that is blocked, or clears the line.
Ctrl-D or exit [N] ends the session: children are waited for, SysV objects removed.
`)
}

// helpOne shows a statement's syntax, meaning and options.
func helpOne(w io.Writer, s *lang.Spec) {
	fmt.Fprintf(w, "usage: %s\n", s.Usage)
	fmt.Fprintf(w, "  %s\n", s.Summary)
	var opts []string
	for _, g := range s.OneOf {
		if len(g) == 1 {
			opts = append(opts, g[0]+" (required)")
		} else {
			opts = append(opts, strings.Join(g, "|")+" (one of them)")
		}
	}
	opts = append(opts, s.Flags...)
	for _, o := range s.Opts {
		if hasWord(s.Required, o) {
			opts = append(opts, o+"= (required)")
		} else {
			opts = append(opts, o+"=")
		}
	}
	if len(opts) > 0 {
		fmt.Fprintf(w, "  options: %s\n", strings.Join(opts, ", "))
	}
	if s.Value {
		fmt.Fprintf(w, "  gives a value: let x = %s ...\n", s.Name)
	}
	if s.Errors != "" {
		fmt.Fprintf(w, "  errors: %s\n", s.Errors)
	}
	if s.Example != "" {
		fmt.Fprintf(w, "  example: %s\n", s.Example)
	}
	fmt.Fprintf(w, "  (%s)\n", s.Group)
}
