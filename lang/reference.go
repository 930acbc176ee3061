package lang

import (
	"fmt"
	"strings"
)

// Reference renders the statement table as docs/reference.md: the same
// table the parser's usage messages, the REPL's help and its completion
// read, so the four cannot disagree. A test in this package keeps the
// file equal to it.
func Reference() string {
	var b strings.Builder
	b.WriteString(`# ipcsh reference

Every statement of the language, grouped as
[the language page](language.md#statements) presents them: its syntax, its
options, whether it has a value (` + "`let x = STATEMENT`" + `), the errors its
system calls can give, and an example. The language itself — literals,
expressions, the transcript, exit codes — is described in
[language.md](language.md); [the tour](tour.md) shows the statements at work.

This file is generated from the statement table in ` + "`lang/spec.go`" + ` (the one
the parser, ` + "`help`" + ` and completion use): edit the table, then run
` + "`go test ./lang -run Reference -update`" + `.

A failed system call prints ` + "`-> error ENAME (meaning)`" + ` in the transcript
and, outside ` + "`try`" + `, stops the script with exit 1 and the reason on
stderr; after ` + "`try`" + `, ` + "`err`" + ` holds ENAME.
`)
	for _, g := range GroupOrder {
		fmt.Fprintf(&b, "\n## %s\n", g)
		for _, s := range Specs {
			if s.Group != g {
				continue
			}
			fmt.Fprintf(&b, "\n### `%s`\n\n", s.Name)
			fmt.Fprintf(&b, "```\n%s\n```\n\n%s.\n", s.Usage, capitalize(s.Summary))
			var facts []string
			if words := optionList(s); words != "" {
				facts = append(facts, "Options: "+words+".")
			}
			if len(s.Required) > 0 {
				facts = append(facts, "Required: "+codeList(s.Required, "=")+".")
			}
			if s.Value {
				facts = append(facts, "Has a value: `let x = "+s.Name+" ...`.")
			}
			if s.Errors != "" {
				facts = append(facts, "Errors: "+s.Errors+".")
			}
			for _, f := range facts {
				fmt.Fprintf(&b, "\n- %s", f)
			}
			if len(facts) > 0 {
				b.WriteString("\n")
			}
			if s.Example != "" {
				fmt.Fprintf(&b, "\nExample:\n\n```\n%s\n```\n", s.Example)
			}
		}
	}
	b.WriteString(refusals)
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// optionList names a statement's bare-word and word=expr options.
func optionList(s *Spec) string {
	var words []string
	for _, g := range s.OneOf {
		words = append(words, strings.Join(quoteAll(g, ""), " | ")+" (one of them)")
	}
	words = append(words, quoteAll(s.Flags, "")...)
	words = append(words, quoteAll(s.Opts, "=")...)
	return strings.Join(words, ", ")
}

func quoteAll(words []string, suffix string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "`" + w + suffix + "`"
	}
	return out
}

func codeList(words []string, suffix string) string {
	return strings.Join(quoteAll(words, suffix), ", ")
}
