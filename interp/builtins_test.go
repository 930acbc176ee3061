package interp

import (
	"strings"
	"testing"
)

// The built-ins of pack.go, format.go and strfuncs.go are callable from a
// script, in main and in a spawned child (their values cross bit for bit).
func TestVarBuiltinsInScripts(t *testing.T) {
	out, err := run(t, `let s = pack("a:i32 b:i64 name:s8", 1, -2, "hi")
expect len(s) == 24 && sizeof("i32 i64") == 16
let r = unpack("a:i32 b:i64 name:s8", s)
expect r.a == 1 && r.b == -2 && r.name == "hi"
expect format("%05d|%-4s|%x", 42, "ab", "AB") == "00042|ab  |4142"
expect find("hello", "l") == 2 && trim("  x ") == "x" && int(" 42 ") == 42
expect ord(chr(200)) == 200 && getpid() > 0 && getppid() > 0
spawn c {
	let back = unpack("a:i32 b:i64 name:s8", s)
	expect back.b == -2 && back.name == "hi"
	expect getppid() != getpid()
}
wait c
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "main: wait c -> 0") {
		t.Errorf("the child failed:\n%s", out)
	}
	for _, bad := range []struct{ src, want string }{
		{`print pack()`, "pack takes at least 1 argument(s), found 0"},
		{`print ord("a", "b")`, "ord takes 1 argument(s), found 2"},
		{`print unpack("i32", "ab")`, "unpack"},
	} {
		out, err := run(t, bad.src)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: got %v (%s), want an error with %q", bad.src, err, out, bad.want)
		}
	}
}
