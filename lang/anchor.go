package lang

import (
	"strconv"
	"strings"
	"unicode"
)

// HeadingAnchor is the anchor GitHub gives a Markdown heading, so that
// links into docs/reference.md and docs/language.md (written by hand, or
// by help) can be checked: lower case, letters, digits, "-" and "_" kept,
// blanks made "-", everything else dropped. A heading that repeats an
// earlier one gets "-1", "-2"... on GitHub; Anchors numbers them too.
func HeadingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Anchors returns the anchors of every heading of a Markdown text,
// skipping fenced code blocks, where a "#" line is a comment.
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		a := HeadingAnchor(text)
		if n := seen[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}
