package lang

import "testing"

func TestAnchors(t *testing.T) {
	md := "# ipcsh reference\n## Variables and control\n### `sem p`\n```\n# not a heading\n```\n## Errors, exit codes\n## Errors, exit codes\n#nospace\n"
	got := Anchors(md)
	for _, want := range []string{"ipcsh-reference", "variables-and-control", "sem-p", "errors-exit-codes", "errors-exit-codes-1"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("anchors %v, want 5", got)
	}
}
