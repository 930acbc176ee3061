package interp

import (
	"strings"
	"testing"
)

// A pipe to itself: the transcript lines of LANGUAGE.md §4, with EOF and
// ESPIPE.
func TestPipeTranscript(t *testing.T) {
	src := `pipe p
write p.w "hello\n"
let x = read p.r
close p.w
read p.r
try seek p.r 0
print err
close p.r
`
	out, err := run(t, src)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: pipe p`,
		`main: write p.w "hello\n"`,
		`main: read p.r -> "hello\n"`,
		`main: close p.w`,
		`main: read p.r -> EOF`,
		`main: seek p.r 0 -> error ESPIPE (illegal seek)`,
		`main: ESPIPE`,
		`main: close p.r`,
	)
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestReadModes(t *testing.T) {
	src := `pipe p
write p.w "one\ntwo\nthree"
let a = read p.r line
let b = read p.r 2
close p.w
let c = read p.r all
print a, b, c
`
	out, err := runCfg(t, src, Config{Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := lines("main: one", "main:  tw o", "main: three"); out != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestEPIPEAndEAGAIN(t *testing.T) {
	out, err := run(t, `pipe p
close p.r
try write p.w "x"
print err
pipe q nonblock
let s = "x"
repeat 16 { s = s + s }
let total = 0
quiet {
	while true {
		try n = write q.w s
		if err != "" { break }
		total += n
	}
}
let size = pipesize q.w
expect total == size
print err
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`main: write p.w "x" -> error EPIPE (broken pipe)`,
		"main: EPIPE",
		`-> error EAGAIN (resource temporarily unavailable)`,
		"main: EAGAIN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}
