package interp

import (
	"strings"
	"testing"
)

// TestExecWordsArgv: what the program receives is each word as written:
// single quotes kept together with their blanks and ";", a string as an
// ipcsh string, (EXPR) as str() shows it, k=v as a word. sh prints every
// argument between brackets, $0 included.
func TestExecWordsArgv(t *testing.T) {
	out, err := run(t, `pipe p
let n = 2
spawn a exec sh -c 'for w in "$0" "$@"; do printf "[%s]" "$w"; done; echo' zero 'echo hi; echo there' "q\"r" (n + 1) (n > 1) LANG=C a'b c'd stdout=p.w
close p.w
wait a
let got = read p.r all
print got
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`main: spawn a exec sh -c "for w in \"$0\" \"$@\"; do printf \"[%s]\" \"$w\"; done; echo" zero "echo hi; echo there" "q\"r" "3" "true" LANG=C "ab cd" stdout=p.w`,
		"main: [zero][echo hi; echo there][q\"r][3][true][LANG=C][ab cd]",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("transcript lacks\n%s\n:\n%s", want, out)
		}
	}
}

// TestStatementArgumentsRun: `NAME (EXPR)` is two arguments and a
// negative literal after an argument is one, in statements that run.
func TestStatementArgumentsRun(t *testing.T) {
	out, err := run(t, `let cmd = "echo from popen"
popen r (cmd) read
let got = read r all
pclose r
pipe p
write p.w ("abc")
let three = read p.r 3
expect three == "abc"
semget s key=private nsems=1 create
try sem set s[0] -1
expect err == "ERANGE"
print got
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`main: popen r "echo from popen" read`,
		`main: write p.w "abc"`,
		`main: sem set s[0] -1 -> error ERANGE`,
		"main: from popen\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}
