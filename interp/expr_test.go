package interp

import (
	"errors"
	"strings"
	"testing"
)

// LANGUAGE.md §2 Comparisons: == and != across types are false and true,
// never an error; < <= > >= need two ints or two strings.
func TestComparisonsAcrossTypes(t *testing.T) {
	cases := []struct{ src, want string }{
		{`print "a" == 1, "a" != 1, 1 == true, "1" == 1, true != "true"`, "false true false false true"},
		{`print 1 == 1, "a" == "a", true == true, 2 != 2`, "true true true false"},
		{`pipe p; print p.r == p.r, p.r == p.w, p.r == 3, p.r != "p.r"`, "true false false true"},
		{`print args == args, args == "[]"`, "true false"},
		{`print "abc" < "abd", 2 >= 3, 2 <= 2`, "true false true"},
	}
	for _, c := range cases {
		out, err := runCfg(t, c.src, Config{Quiet: true})
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := strings.TrimPrefix(strings.TrimSuffix(out, "\n"), "main: "); got != c.want {
			t.Errorf("%s: got %q want %q", c.src, got, c.want)
		}
	}
	for _, c := range []struct{ src, msg string }{
		{`print 1 < "2"`, `t.ipc:1:7: cannot compare int < string`},
		{`print true > false`, `t.ipc:1:7: cannot compare bool > bool`},
		{`pipe p; print p.r >= p.w`, `t.ipc:1:15: cannot compare fd >= fd`},
	} {
		_, err := run(t, c.src)
		var e *Error
		if !errors.As(err, &e) || e.Error() != c.msg {
			t.Errorf("%s: got %v, want %s", c.src, err, c.msg)
		}
	}
}

// A killed child's status is a string: comparing it with 0 is false, and
// a failed expect says what each side was.
func TestExpectShowsTypes(t *testing.T) {
	src := `spawn b { sleep 30s }
kill b KILL
let st = wait b
print st == 0, st == "signal SIGKILL"
try expect st == 0
print err
expect st == 0, "b exits cleanly"`
	out, err := run(t, src)
	want := `t.ipc:7:1: expect failed: b exits cleanly: st == 0 (left string "signal SIGKILL", right int 0)`
	var e *Error
	if !errors.As(err, &e) || e.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	for _, line := range []string{"main: wait b -> signal SIGKILL", "main: false true", "main: ERROR"} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("transcript lacks %q:\n%s", line, out)
		}
	}
}

// A pid field of a stat record shows as a process name; it equals both
// that name and that process's pid, prints as the name (the number under
// -v, which changes what is shown, never what a script computes: str()
// is the name either way), and int() gives the number.
func TestStatPidCompares(t *testing.T) {
	src := `msgget q key=private
spawn spock { recv q type=1; send q "done" type=2; recv q type=3 }
send q "hi" type=1
recv q type=2
let st = msgctl q stat
expect st.lspid == "spock"
expect st.lspid == spock.pid
expect "spock" == st.lspid && spock.pid == st.lspid
expect st.lspid != "main" && st.lspid != spock.pid + 1
expect st.lrpid == self
expect int(st.lspid) == spock.pid && int(st.lspid) != "spock"
print st.lspid, st.lrpid, str(st.lspid) + "!"
send q "bye" type=3
wait spock
msgctl q rmid`
	for _, verbose := range []bool{false, true} {
		out, err := runCfg(t, src, Config{Quiet: true, Verbose: verbose})
		if err != nil {
			t.Fatalf("verbose=%v: %v\n%s", verbose, err, out)
		}
		if !verbose && out != "main: spock main spock!\n" {
			t.Errorf("got %q", out)
		}
		if verbose {
			_, line, _ := strings.Cut(strings.TrimSpace(out), ": ")
			f := strings.Fields(line)
			if len(f) != 3 || strings.Trim(f[0]+f[1], "0123456789") != "" || f[2] != "spock!" {
				t.Errorf("-v shows the pids, got %q", out)
			}
		}
	}
}
