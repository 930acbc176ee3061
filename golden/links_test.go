package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ipcsh/lang"
)

// TestDocLinks: every relative link in every Markdown file of the
// repository leads to a file of the repository, and a link with #anchor
// to a heading of the Markdown file it names. A reader who clones the
// repository needs nothing outside it.
func TestDocLinks(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	docs := markdownFiles(t, root)
	if len(docs) == 0 {
		t.Fatal("no Markdown files found")
	}
	// [text](target) and [text]: target; images too.
	link := regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)|(?m)^\s*\[[^\]]+\]:\s*(\S+)`)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		b, _ := os.ReadFile(path)
		anchors[path] = lang.Anchors(string(b))
		return anchors[path]
	}
	checked := 0
	for _, doc := range docs {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(stripCode(string(b)), -1) {
			target := m[1] + m[2]
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file, anchor, _ := strings.Cut(target, "#")
			path := filepath.Join(root, doc)
			if file != "" {
				path = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
			}
			rel, err := filepath.Rel(root, path)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Errorf("%s: the link %s leads out of the repository", doc, target)
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: the link %s leads to no file (%s)", doc, target, rel)
				continue
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !anchorsOf(path)[anchor] {
				t.Errorf("%s: the link %s names no heading of %s", doc, target, rel)
			}
		}
	}
	if checked == 0 {
		t.Error("no relative links found: the pattern is wrong")
	}
}

// markdownFiles lists the tracked .md files, relative to root; without
// git, every .md file under root.
func markdownFiles(t *testing.T, root string) []string {
	out, err := exec.Command("git", "-C", root, "ls-files", "--", "*.md").Output()
	if err == nil {
		return strings.Fields(string(out))
	}
	var files []string
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
		return nil
	})
	return files
}

// stripCode blanks fenced code blocks and inline code, where brackets
// and parentheses are code, not links.
func stripCode(md string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			b.WriteString("\n")
			continue
		}
		if fenced {
			b.WriteString("\n")
			continue
		}
		b.WriteString(inlineCode.ReplaceAllString(line, "``"))
	}
	return b.String()
}

var inlineCode = regexp.MustCompile("`[^`\n]*`")
