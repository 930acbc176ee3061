package interp

import (
	"strings"
	"testing"
)

func TestMmapSharedThroughAFile(t *testing.T) {
	out, err := run(t, `let path = tmp + "/map"
mmap m path size=4KiB create
m.u32[0] = 7
spawn child { m.u32[0] += 1; m[4:8] = "abcd" }
wait child
expect m.u32[0] == 8
msync m
munmap m
open f path read
let b = read f 8
expect b[4:8] == "abcd"
try print m[0:1]
mmap ro path size=4KiB rdonly
try ro[0:1] = "x"
mmap pv path size=4KiB private
pv[0:4] = "PRIV"
mmap again path size=4KiB
expect again[4:8] == "abcd"
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{`main: mmap m "$TMP/map" size=4096 create -> 4096 bytes`, `main: munmap m`, "m was unmapped at t.ipc:8:1"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}
