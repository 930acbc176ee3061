package main

import (
	"os"
	"strings"
	"testing"

	"ipcsh/lang"
)

// TestHelpCommandLine: `ipcsh help NAME` answers what `help NAME` answers
// in the REPL, for statements, built-ins and topics; an unknown name is a
// misuse of the command line. `ipcsh help` alone and --help point at
// `ipcsh help` and docs/language.md, not at a file outside the repository.
func TestHelpCommandLine(t *testing.T) {
	t.Parallel()
	for _, words := range [][]string{{"spawn"}, {"sem", "p"}, {"len"}, {"tmp"}, {"transcript"}, {"errors"}, {"topics"}, {"statements"}} {
		r := ipcsh(t, opts{}, append([]string{"help"}, words...)...)
		wantCode(t, r, 0)
		var repl strings.Builder
		if !help(&repl, words) {
			t.Errorf("help %v: unknown to the REPL's help", words)
		}
		if r.stdout != repl.String() || r.stdout == "" {
			t.Errorf("ipcsh help %s printed\n%s\nthe REPL's help %s prints\n%s", strings.Join(words, " "), r.stdout, strings.Join(words, " "), repl.String())
		}
	}
	r := ipcsh(t, opts{}, "help", "spawn")
	wantContains(t, "help spawn", r.stdout, "usage: spawn NAME { ... } | spawn NAME exec PROG ARGS...")
	r = ipcsh(t, opts{}, "help", "len")
	wantContains(t, "help len", r.stdout, "len(x)", "docs/language.md#built-in-functions")

	r = ipcsh(t, opts{}, "help", "nosuch")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, `help: no statement "nosuch", nor a built-in or topic`)
	if r.stdout != "" {
		t.Errorf("help nosuch printed on stdout: %q", r.stdout)
	}

	for _, args := range [][]string{{"help"}, {"--help"}} {
		r := ipcsh(t, opts{}, args...)
		wantCode(t, r, 0)
		wantContains(t, strings.Join(args, " "), r.stdout, "ipcsh help NAME", "docs/language.md")
		if strings.Contains(r.stdout, "LANGUAGE.md") {
			t.Errorf("%v names LANGUAGE.md, which is not in the repository", args)
		}
	}
}

// TestHelpTopics: every built-in has its help, and every topic's section
// exists in docs/language.md.
func TestHelpTopics(t *testing.T) {
	doc, err := os.ReadFile("../../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := lang.Anchors(string(doc))
	for _, name := range append(append([]string{}, lang.Builtins...), lang.BuiltinValues...) {
		if findTopic(name) == nil {
			t.Errorf("help %s: no text for the built-in", name)
		}
	}
	for _, tp := range helpTopics {
		if !anchors[tp.section] {
			t.Errorf("help %s points at docs/language.md#%s, which has no such heading", tp.name, tp.section)
		}
		if lang.Lookup(tp.name) != nil {
			t.Errorf("help %s: a topic hides the statement of that name", tp.name)
		}
	}
}
