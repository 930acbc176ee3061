package interp

import (
	"strings"
	"testing"
)

// TestSharedMemoryAcrossProcesses: a child inherits an attachment (made
// again at the same address), a mutex semaphore makes increments exact,
// and rmid keeps the segment until the last detach.
func TestSharedMemoryAcrossProcesses(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `shmget seg key=private size=4KiB create
attach a seg
semget mutex key=private init=1 create
spawn c1 { quiet repeat 500 { sem p mutex; a.i64[0] += 1; sem v mutex } }
spawn c2 { quiet repeat 500 { sem p mutex; a.i64[0] += 1; sem v mutex } }
spawn c3 { quiet repeat 500 { atomic a.i64[1] += 2 } }
wait
expect a.i64[0] == 1000
expect a.i64[1] == 1000
a[100:105] = "hello"
spawn reader { expect a[100:105] == "hello"; a[100:] = "HE" }
wait reader
expect a[100:105] == "HEllo"
shmctl seg rmid
shmctl seg stat
detach a
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "main: shmctl seg stat -> key=private mode=0600 size=4096 nattch=1 cpid=main lpid=reader status=removed\n") {
		t.Errorf("transcript:\n%s", out)
	}
	noNewObjects(t, before)
}

// TestRdonlyWriteIsAnErrorNotACrash: the interpreter lives on after a
// write through a rdonly attachment, in main and in a child.
func TestRdonlyWriteIsAnErrorNotACrash(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `shmget seg key=private size=64
attach w seg
attach r seg rdonly
w[0:2] = "ok"
try r[0:2] = "no"
expect err == "EACCES"
try r.i32[0] += 1
try atomic r.i64[0] += 1
spawn child { try r[0:1] = "x"; print "child lives, err", err }
wait child
print r[0:2]
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"child: child lives, err EACCES", "main: ok", `main: r.i32[0] += 1 -> error EACCES`} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	noNewObjects(t, before)
}
