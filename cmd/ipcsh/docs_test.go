package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"ipcsh/lang"
)

// TestLanguageDocExamples: every ```ipc block of docs/language.md parses,
// and one followed at once by a plain ``` block prints exactly that when
// it runs: the page shows what ipcsh does, not what it once did.
func TestLanguageDocExamples(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```ipc\n(.*?)```\n(?:\n```\n(.*?)```\n)?")
	found := block.FindAllStringSubmatch(string(doc), -1)
	if len(found) < 4 {
		t.Fatalf("docs/language.md has %d ipc examples; the pattern is wrong", len(found))
	}
	for _, m := range found {
		src, want := m[1], m[2]
		if _, err := lang.Parse("example.ipc", src); err != nil {
			t.Errorf("an example of docs/language.md does not parse: %v\n%s", err, src)
			continue
		}
		if want == "" {
			continue
		}
		r := ipcsh(t, opts{}, writeScript(t, "example.ipc", src))
		wantCode(t, r, 0)
		if r.stdout != want {
			t.Errorf("docs/language.md shows\n%s\nbut the example prints\n%s\n(the example:\n%s)", want, r.stdout, strings.TrimSpace(src))
		}
	}
}
