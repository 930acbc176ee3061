package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tour (docs/tour.md) and the README show scripts and their
// transcripts. Both are copied from the script and its golden file by this
// test, never by hand, so the docs cannot drift: the test fails when a
// section differs from the files, and `go test ./golden -run Docs -update`
// rewrites the sections.
//
// A section is written in a doc as (the path from the repository's root,
// without .ipc)
//
//	<!-- example scripts/examples/02-pipe-to-itself -->
//	...generated...
//	<!-- /example -->

var exampleSection = regexp.MustCompile(`(?s)<!-- example ([A-Za-z0-9_./-]+) -->\n.*?<!-- /example -->`)

func TestDocsMatchExamples(t *testing.T) {
	// Every example is in the tour.
	seen := checkDoc(t, "docs/tour.md")
	scripts, _ := filepath.Glob("../scripts/examples/*.ipc")
	for _, s := range scripts {
		name := "scripts/examples/" + strings.TrimSuffix(filepath.Base(s), ".ipc")
		if !seen[name] {
			t.Errorf("docs/tour.md has no section for %s (add <!-- example %s --> and <!-- /example -->, then go test ./golden -run Docs -update)", name, name)
		}
	}
	checkDoc(t, "README.md")
}

// checkDoc checks (or with -update rewrites) the example sections of a doc
// given by its path from the repository's root, and returns their names.
func checkDoc(t *testing.T, doc string) map[string]bool {
	t.Helper()
	path := filepath.Join("..", doc)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var errs []string
	out := exampleSection.ReplaceAllStringFunc(string(text), func(sec string) string {
		name := exampleSection.FindStringSubmatch(sec)[1]
		seen[name] = true
		want, err := renderExample(filepath.Dir(doc), name)
		if err != nil {
			errs = append(errs, err.Error())
			return sec
		}
		if sec != want {
			errs = append(errs, fmt.Sprintf("%s: the section of %s differs from %s.ipc and .golden", doc, name, name))
		}
		return want
	})
	if *update && out != string(text) {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", doc)
		return seen
	}
	for _, e := range errs {
		t.Error(e)
	}
	if len(errs) > 0 {
		t.Log("go test ./golden -run Docs -update rewrites the sections from the files; review with git diff")
	}
	return seen
}

// renderExample is a section of the tour: the script without its opening
// comment (the tour tells that in prose), the transcript of its golden
// file, its exit status and stderr when they are not a plain success, and
// the command that draws it.
func renderExample(docDir, name string) (string, error) {
	src, err := os.ReadFile(filepath.Join("..", name+".ipc"))
	if err != nil {
		return "", err
	}
	g, err := os.ReadFile(filepath.Join("..", name+".golden"))
	if err != nil {
		return "", err
	}
	res, err := Parse(string(g))
	if err != nil {
		return "", fmt.Errorf("%s.golden: %v", name, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- example %s -->\n", name)
	link, err := filepath.Rel(docDir, name+".ipc")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "[`%s.ipc`](%s):\n\n", name, link)
	b.WriteString("```\n" + scriptBody(string(src)) + "```\n\n")
	// The section shows the command a reader types and what it prints:
	// a script whose golden test sets the stall time (`# stall:`) is run
	// with that --stall, and the files named in its stderr are the paths
	// the command gave (the golden run names the file alone). A script
	// that names files relative to its directory (`# runs in its
	// directory:`) is shown run there, as its golden test runs it.
	script := name + ".ipc"
	inDir := ScriptRunsInDir(string(src))
	if inDir {
		script = filepath.Base(script)
	}
	command := "ipcsh " + script
	stall, hasStall := ScriptStall(string(src))
	if hasStall {
		command = fmt.Sprintf("ipcsh --stall %s %s", stall, script)
	}
	if inDir {
		command = fmt.Sprintf("cd %s && %s", filepath.Dir(name), command)
	}
	fmt.Fprintf(&b, "`%s` prints:\n\n", command)
	b.WriteString("```\n" + res.Stdout + "```\n")
	if res.Exit != 0 || res.Stderr != "" {
		fmt.Fprintf(&b, "\nand ends with exit status %d", res.Exit)
		if res.Stderr != "" {
			stderr := res.Stderr
			if !inDir {
				stderr = regexp.MustCompile(`(?m)(^|\s)`+regexp.QuoteMeta(filepath.Base(name))+`\.ipc:`).ReplaceAllString(stderr, "${1}"+name+".ipc:")
			}
			b.WriteString(", stderr:\n\n```\n" + stderr + "```\n")
		} else {
			b.WriteString(".\n")
		}
	}
	if hasStall {
		fmt.Fprintf(&b, "\nThe script's `# stall: %s` line gives its golden test that stall time; `ipcsh %s` without `--stall` waits the default 5s before the same report, which then says 5s.\n", stall, script)
	}
	base := filepath.Base(name)
	svg, err := filepath.Rel(docDir, filepath.Join("docs", "diagrams", base+".svg"))
	if err != nil {
		return "", err
	}
	if err := checkDiagram(filepath.Join("..", "docs", "diagrams", base+".svg"), res.Stdout); err != nil {
		return "", err
	}
	draw := "ipcsh --diagram out.html " + script
	if inDir {
		draw = fmt.Sprintf("cd %s && %s", filepath.Dir(name), draw)
	}
	fmt.Fprintf(&b, "\nAs a picture: [%s.svg](%s), the sequence diagram of one run (`make diagrams` draws them again; `%s` draws yours).\n", base, svg, draw)
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

// checkDiagram checks that a doc's picture exists and is a sequence
// diagram of the run: an SVG with a lifeline for every process of the
// golden transcript. (A picture cannot be compared byte for byte: the
// interleaving of independent processes changes from run to run.)
func checkDiagram(path, transcript string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%v (make diagrams draws it)", err)
	}
	svg := string(b)
	if !strings.Contains(svg, "<svg") {
		return fmt.Errorf("%s is not an SVG", path)
	}
	for _, p := range Processes(transcript) {
		if !strings.Contains(svg, ">"+p+"<") {
			return fmt.Errorf("%s has no lifeline for process %s (make diagrams draws it again)", path, p)
		}
	}
	return nil
}
