package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ipcsh/golden"
)

// TestCheckAgreesWithRun: `ipcsh check` fails on a script exactly when a
// run of it stops before its first statement (exit 2), and says the same.
// What a run does is taken from the script's golden file, which the golden
// and `ipcsh test` suites hold to real runs; a script without one (the
// benchmarks, the timeline's) is run here, with a small first argument.
func TestCheckAgreesWithRun(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	var scripts []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".ipc") {
			scripts = append(scripts, path)
		}
		return nil
	})
	if err != nil || len(scripts) < 20 {
		t.Fatalf("found %d scripts (%v)", len(scripts), err)
	}
	for _, path := range scripts {
		dir, name := filepath.Split(path)
		var run result
		if b, err := os.ReadFile(strings.TrimSuffix(path, ".ipc") + ".golden"); err == nil {
			if g, err := golden.Parse(string(b)); err == nil {
				run = result{stderr: g.Stderr, code: g.Exit}
			} else {
				run = ipcsh(t, opts{dir: dir}, "-q", name, "1")
			}
		} else {
			run = ipcsh(t, opts{dir: dir}, "-q", name, "1")
		}
		chk := ipcsh(t, opts{dir: dir}, "check", name)
		switch {
		case run.code == 2 && (chk.code != 2 || chk.stderr != run.stderr):
			t.Errorf("%s: the run refuses it:\n%s\nbut check exits %d:\n%s", path, run.stderr, chk.code, chk.stderr)
		case run.code != 2 && chk.code != 0:
			t.Errorf("%s: the run starts (exit %d) but check refuses it:\n%s", path, run.code, chk.stderr)
		}
	}
}
