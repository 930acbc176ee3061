package golden

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ipcsh/timeline"
)

// TestDiagramsCurrent: the picture the tour links for each example
// (docs/diagrams, drawn by `make diagrams`) is that of the example as it
// is now: a fresh run draws the same lifelines and the same arrows. Not
// the same bytes: times, and the order of independent processes' rows,
// change from run to run; which statement enables which does not. Each
// committed picture is also laid out with no label over a bar or another
// label, and the deadlock example's shows its blocked calls, the
// deadlock and the report's chains of waits.
func TestDiagramsCurrent(t *testing.T) {
	scripts, _ := filepath.Glob("../scripts/examples/*.ipc")
	scripts = append(scripts, "testdata/readme-ping.ipc")
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".ipc")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			committed := filepath.Join("..", "docs", "diagrams", name+".svg")
			old, err := os.ReadFile(committed)
			if err != nil {
				t.Fatalf("%v (make diagrams draws it)", err)
			}
			want, err := timeline.ReadSVG(old)
			if err != nil {
				t.Fatalf("%s: %v", committed, err)
			}
			if err := timeline.CheckSVGLayout(old); err != nil {
				t.Errorf("%s: %v", committed, err)
			}
			got := freshDiagram(t, script)
			if strings.Join(got.Lanes, ", ") != strings.Join(want.Lanes, ", ") {
				t.Errorf("%s has the lifelines\n  %s\na run now draws\n  %s\n(make diagrams draws it again)",
					committed, strings.Join(want.Lanes, ", "), strings.Join(got.Lanes, ", "))
			}
			if d := setDiff(want.Arrows, got.Arrows); d != "" {
				t.Errorf("%s differs from a run now in its arrows (make diagrams draws it again):\n%s", committed, d)
			}
			if got.Deadlock != want.Deadlock || got.OpenBars != want.OpenBars {
				t.Errorf("%s: deadlock %v with %d open bars; a run now: %v with %d", committed, want.Deadlock, want.OpenBars, got.Deadlock, got.OpenBars)
			}
			if name == "30-deadlock-report" && (!want.Deadlock || want.OpenBars != 3) {
				t.Errorf("%s does not show the deadlock: marked %v, %d blocked calls drawn, want 3", committed, want.Deadlock, want.OpenBars)
			}
			if name == "30-deadlock-report" && !strings.Contains(string(old), ">why: main waits for its child left to end<") {
				t.Errorf("%s does not show the report's chain of waits under the deadlock", committed)
			}
		})
	}
}

// freshDiagram draws the script's diagram as `make diagrams` does: run in
// its directory, with the stall time the Makefile gives.
func freshDiagram(t *testing.T, script string) timeline.SVGStructure {
	t.Helper()
	out := filepath.Join(t.TempDir(), "d.svg")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ipcsh, "--stall", "300ms", "--diagram", out, filepath.Base(script))
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("%s: %v\n%s", script, err, b)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := timeline.ReadSVG(data)
	if err != nil {
		t.Fatalf("a fresh diagram of %s: %v", script, err)
	}
	return st
}

// setDiff lists what one sorted list has and the other lacks.
func setDiff(want, got []string) string {
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, x := range want {
		if !g[x] {
			b.WriteString("  only in the committed picture: " + x + "\n")
		}
	}
	for _, x := range got {
		if !w[x] {
			b.WriteString("  only in a run now:             " + x + "\n")
		}
	}
	return b.String()
}
