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

// TestCheckReportsAllOfThem: one check reports every error that stops a
// run, in source order: the syntax errors, also after a line with braces,
// and the compilation's errors, also in a script with syntax errors, in
// what is left of it; and none that a blanked statement would explain.
func TestCheckReportsAllOfThem(t *testing.T) {
	t.Parallel()
	const noQ = "send: expected Q, found end of statement (usage: send Q EXPR [type=1] [nowait])"
	const builtins = "built-ins: len, str, int, hex, ftok, pack, unpack, sizeof, format, ord, chr, find, trim, getpid, getppid"
	for _, tt := range []struct{ name, src, want string }{
		{"syntax after braces", "repeat { }\nprint 2 +\nsend\n", `
1:8: expected an expression, found "{"
2:10: expected an expression, found end of line
3:5: ` + noQ},
		{"if and spawn", "if 1 == {\n  print 1\n} else {\n  print 2\n}\nspawn {\n  print 3\n}\nsend\n", `
1:9: expected an expression, found "{"
6:7: expected a name, found "{"
9:5: ` + noQ},
		// An exec word error no longer hides the compilation's errors.
		{"checker and compilation", "def f(a) { print a }\nf(1, 2)\nspawn w[1] { g() }\nspawn x exec ls tmp\n", `
2:1: f takes 1 argument(s) (a), found 2
3:14: unknown function "g" (` + builtins + `; procedures: f)
4:17: spawn x exec: tmp is the built-in tmp: write (tmp) for its value or "tmp" for the word`},
		// The run reports these in the order it finds them; check sorts.
		{"sorted", "print zz\nlet tmp = 3\ndef f(a) { }\ndef f(b) { }\n", `
1:7: undefined: zz
2:1: cannot bind tmp: it is a built-in name
4:1: def f: f is already defined at 3:1`},
		// p, q and g are bound or defined by statements in error: what
		// is said of them could be wrong, so nothing is. f and zz are
		// wrong whatever those statements become.
		{"nothing on what was blanked", "pipe p junk\nwrite p \"x\"\nprint q\nrepeat {\n  let q = 1\n}\nprint f(1)\ndef g(a) { print a + }\nprint g(1, 2)\nprint zz\n", `
1:8: pipe: unknown option "junk" (valid: nonblock)
4:8: expected an expression, found "{"
7:7: unknown function "f" (` + builtins + `)
8:22: expected an expression, found "}"
10:7: undefined: zz`},
		// A spawn without its name could be meant to bind any name: no
		// name's error can be told from the missing one's. A print
		// binds nothing: the name after it is still undefined.
		{"a name left out", "spawn {\n  print 1\n}\nwait child\nprint zz\n", `
1:7: expected a name, found "{"`},
		{"a statement that binds nothing", "print 1 + {\n}\nwait child\n", `
1:11: expected an expression, found "{"
3:6: undefined: child`},
		// The break stays in its loop: only its if was blanked.
		{"nested blocks", "while 1 {\n  if 1 == {\n    break\n  }\n  print yy\n  continue\n}\n", `
2:11: expected an expression, found "{"
5:9: undefined: yy`},
		{"brace in a string", "print \"{\" +\nprint nope\n", `
1:12: expected an expression, found end of line
2:7: undefined: nope`},
		{"unclosed block at the end", "print nope\nwhile 1 {\n  print 1\n", `
1:7: undefined: nope
4:1: expected "}", found end of input (the block opened at 2:9 is not closed)`},
	} {
		p := writeScript(t, "t.ipc", tt.src)
		r := ipcsh(t, opts{}, "check", p)
		wantCode(t, r, 2)
		var got []string
		for _, l := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
			if !strings.HasPrefix(l, "    ") {
				got = append(got, strings.TrimPrefix(l, p+":"))
			}
		}
		if want := strings.TrimPrefix(tt.want, "\n"); strings.Join(got, "\n") != want {
			t.Errorf("%s: check of\n%s\n got:\n%s\nwant:\n%s", tt.name, tt.src, r.stderr, want)
		}
	}
}
