package interp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ipcsh/lang"
)

// TestCheckPartialMakesNoErrors: in every script of the repository that
// compiles, one statement with a block is broken in its head, one at a
// time: a stray "+" before its "{", or, for a statement that binds a name,
// that name left out (`spawn {`). check must then report that syntax
// error and nothing else: the blanking of the broken statement
// (lang.Recover) and the compilation of what is left (CheckPartial) must
// not blame anything else for its absence (a break out of its loop, an
// else without its if, a name it bound, a procedure it defined, a spawn
// of the same name).
func TestCheckPartialMakesNoErrors(t *testing.T) {
	var files []string
	for _, dir := range []string{"../scripts/examples", "../golden/testdata", "testdata"} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.ipc"))
		files = append(files, m...)
	}
	mutated := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		prog, err := lang.Parse(f, src)
		if err != nil || Check(prog) != nil {
			continue // a script that shows an error
		}
		lines := strings.SplitAfter(src, "\n")
		for i, l := range lines {
			body := strings.TrimSpace(l)
			if !strings.HasSuffix(body, "{") || strings.HasPrefix(body, "}") || strings.HasPrefix(body, "#") {
				continue
			}
			indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
			heads := map[string]string{"stray +": body[:len(body)-1] + "+ {"}
			if w := strings.Fields(body); len(w) > 2 && (w[0] == "spawn" || w[0] == "def" || w[0] == "for") {
				heads["no name"] = w[0] + " " + strings.TrimLeft(strings.Join(w[1:], " "), "abcdefghijklmnopqrstuvwxyz_0123456789")
			}
			for how, head := range heads {
				broken := append(append(append([]string{}, lines[:i]...), indent+head+"\n"), lines[i+1:]...)
				partial, removed, errs := lang.Recover(f, strings.Join(broken, ""))
				if len(errs) != 1 || errs[0].Pos.Line != i+1 {
					t.Errorf("%s: line %d broken as %q: want one error on it, got %v", f, i+1, head, errs)
					continue
				}
				if partial == nil {
					t.Errorf("%s: line %d broken as %q: no partial program", f, i+1, head)
					continue
				}
				if err := CheckPartial(partial, removed); err != nil {
					t.Errorf("%s: line %d broken as %q: the compilation of the rest says\n%v", f, i+1, head, err)
				}
				mutated[how]++
			}
		}
	}
	if mutated["stray +"] < 20 || mutated["no name"] < 10 {
		t.Fatalf("only %v statements broken: the scripts were not found", mutated)
	}
}
