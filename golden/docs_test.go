package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tour (docs/tour.md) shows each example's script and its transcript.
// Both are copied from scripts/examples by this test, never by hand, so
// the doc cannot drift: the test fails when a section differs from the
// files, and `go test ./golden -run Docs -update` rewrites the sections.
//
// A section is written in the doc as
//
//	<!-- example NAME -->
//	...generated...
//	<!-- /example -->

var exampleSection = regexp.MustCompile(`(?s)<!-- example ([A-Za-z0-9_-]+) -->\n.*?<!-- /example -->`)

const tourPath = "../docs/tour.md"

func TestDocsTourMatchesExamples(t *testing.T) {
	doc, err := os.ReadFile(tourPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var errs []string
	out := exampleSection.ReplaceAllStringFunc(string(doc), func(sec string) string {
		name := exampleSection.FindStringSubmatch(sec)[1]
		seen[name] = true
		want, err := renderExample(name)
		if err != nil {
			errs = append(errs, err.Error())
			return sec
		}
		if sec != want {
			errs = append(errs, fmt.Sprintf("docs/tour.md: the section of %s differs from scripts/examples/%s.ipc and .golden", name, name))
		}
		return want
	})
	// Every example is in the tour.
	scripts, _ := filepath.Glob("../scripts/examples/*.ipc")
	for _, s := range scripts {
		name := strings.TrimSuffix(filepath.Base(s), ".ipc")
		if !seen[name] {
			errs = append(errs, fmt.Sprintf("docs/tour.md has no section for %s (add <!-- example %s --><!-- /example --> and run go test ./golden -run Docs -update)", name, name))
		}
	}
	if *update && out != string(doc) {
		if err := os.WriteFile(tourPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", tourPath)
		return
	}
	for _, e := range errs {
		t.Error(e)
	}
	if len(errs) > 0 {
		t.Log("go test ./golden -run Docs -update rewrites the sections from the files; review with git diff")
	}
}

// renderExample is a section of the tour: the script without its opening
// comment (the tour tells that in prose), the transcript of its golden
// file, its exit status and stderr when they are not a plain success, and
// the command that draws it.
func renderExample(name string) (string, error) {
	src, err := os.ReadFile(filepath.Join("..", "scripts", "examples", name+".ipc"))
	if err != nil {
		return "", err
	}
	g, err := os.ReadFile(filepath.Join("..", "scripts", "examples", name+".golden"))
	if err != nil {
		return "", err
	}
	res, err := Parse(string(g))
	if err != nil {
		return "", fmt.Errorf("%s.golden: %v", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- example %s -->\n", name)
	fmt.Fprintf(&b, "[`scripts/examples/%s.ipc`](../scripts/examples/%s.ipc):\n\n", name, name)
	b.WriteString("```\n" + scriptBody(string(src)) + "```\n\n")
	fmt.Fprintf(&b, "`ipcsh scripts/examples/%s.ipc` prints:\n\n", name)
	b.WriteString("```\n" + res.Stdout + "```\n")
	if res.Exit != 0 || res.Stderr != "" {
		fmt.Fprintf(&b, "\nand ends with exit status %d", res.Exit)
		if res.Stderr != "" {
			b.WriteString(", stderr:\n\n```\n" + res.Stderr + "```\n")
		} else {
			b.WriteString(".\n")
		}
	}
	fmt.Fprintf(&b, "\nAs a picture: `ipcsh --diagram %s.html scripts/examples/%s.ipc`, then open %s.html.\n", name, name, name)
	b.WriteString("<!-- /example -->")
	return b.String(), nil
}

// scriptBody drops the comment block a script opens with, and the blank
// lines after it.
func scriptBody(src string) string {
	lines := strings.SplitAfter(src, "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
		i++
	}
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	body := strings.Join(lines[i:], "")
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return body
}
