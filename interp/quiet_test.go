package interp

import (
	"bytes"
	"strings"
	"testing"
)

// -q drops the transcript lines of calls and nothing else: every print
// and every error of every process, and every event of a trace, stay.
func TestQuietFlagKeepsPrintsErrorsAndTrace(t *testing.T) {
	var trace bytes.Buffer
	out, err := runCfg(t, `spawn c { print "a"; print "b" }
wait c
spawn loop { for i in 1..50 { print "line", i } }
pipe p
spawn failing { try seek p.r 0 }
try seek p.r 0
print "end"
`, Config{Quiet: true, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"c: a\nc: b\n", "loop: line 50\n", "main: seek p.r 0 -> error ESPIPE (illegal seek)\n", "failing: seek p.r 0 -> error ESPIPE (illegal seek)\n", "main: end\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("-q lost %q:\n%s", want, out)
		}
	}
	if got := len(linesOf(out, "loop")); got != 50 {
		t.Errorf("-q kept %d of the loop's 50 lines:\n%s", got, out)
	}
	for _, hidden := range []string{"main: spawn c", "c: exit 0", "main: wait c", "main: pipe p"} {
		if strings.Contains(out, hidden) {
			t.Errorf("-q showed the transcript line %q:\n%s", hidden, out)
		}
	}
	// The trace has what the transcript hid.
	for _, want := range []string{`"stmt":"spawn c"`, `"stmt":"wait c"`, `"stmt":"exit 0"`, `"text":"b"`} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("-q trace lacks %s:\n%s", want, trace.String())
		}
	}
}

// A child whose last statements only print, with nothing after them that
// publishes (no exit line under quiet), still gets its lines out.
func TestChildLastLinesUnderQuiet(t *testing.T) {
	for i := 0; i < 2; i++ {
		out, err := run(t, `spawn c { quiet { print "last" } }
wait c
`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "c: last\n") {
			t.Fatalf("run %d lost the child's last line:\n%s", i, out)
		}
	}
}
