package interp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Under a long TMPDIR the transcript still shows the run's directory as
// $TMP: a string is shortened after the directory is replaced, not
// before, or the cut would fall inside the directory's name and a golden
// file's lines would depend on where TMPDIR is.
func TestLongTmpdirShowsAsTmp(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("a-long-temporary-directory-", 3))
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	out, err := run(t, `mkfifo tmp + "/fifo"
spawn cat exec cat (tmp + "/fifo")
open w tmp + "/fifo" write
write w "x"
close w
wait cat
pipe p
spawn ls exec ls (tmp) stdout=p.w
close p.w
read p.r 100
wait ls
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		`main: spawn cat exec cat "$TMP/fifo"`,
		`main: open w "$TMP/fifo" write`,
		`main: spawn ls exec ls "$TMP" stdout=p.w`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript has no line %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, long) || strings.Contains(out, "…") {
		t.Errorf("a path was shown whole or cut:\n%s", out)
	}
}
