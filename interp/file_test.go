package interp

import "testing"

func TestFifoRules(t *testing.T) {
	out, err := run(t, `let f = tmp + "/fifo"
mkfifo f mode=0600
stat f
try open w f write nonblock
print err
open r f read nonblock
open w f write nonblock
write w "via fifo"
let got = read r
print got
unlink f
try stat f
`)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: mkfifo "$TMP/fifo" mode=0600`,
		`main: stat "$TMP/fifo" -> type=fifo mode=0600`,
		`main: open w "$TMP/fifo" write nonblock`,
		`main: open w "$TMP/fifo" write nonblock -> error ENXIO (no such device or address)`,
		`main: ENXIO`,
		`main: open r "$TMP/fifo" read nonblock`,
		`main: open w "$TMP/fifo" write nonblock`,
		`main: write w "via fifo"`,
		`main: read r -> "via fifo"`,
		`main: via fifo`,
		`main: unlink "$TMP/fifo"`,
		`main: stat "$TMP/fifo" -> error ENOENT (no such file or directory)`,
	)
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestFileOpenSeek(t *testing.T) {
	out, err := runCfg(t, `let f = tmp + "/data"
open a f write create trunc mode=0600
write a "0123456789"
close a
open b f rdwr
let at = seek b 4
let three = read b 3
open c f write append
write c "AB"
seek b 0
let rest = read b all
print at
print three
print rest
`, Config{Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := lines("main: 4", "main: 456", "main: 0123456789AB"); out != want {
		t.Errorf("got %q want %q", out, want)
	}
}
