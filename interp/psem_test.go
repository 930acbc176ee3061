package interp

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPosixNamedSemaphore(t *testing.T) {
	s := pxName("s1")
	defer posixGone(t, kPsem, s)
	out, err := run(t, `semopen s args[0] create init=0
spawn child { sleep 50ms; sem v s }
sem p s
sem get s
try sem p s nowait
expect err == "EAGAIN"
try sem p s timeout=20ms
expect err == "ETIMEDOUT"
sem v s
semunlink args[0]
spawn late { sem p s; print "late took it after semunlink" }
wait
`, s)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		fmt.Sprintf(`main: semopen s %q create init=0 -> created`, s),
		`main: spawn child`,
		`child: sleep 50ms`,
		`child: sem v s`,
		`main: sem p s`,
		`main: sem get s -> 0`,
		`main: sem p s nowait -> error EAGAIN (resource temporarily unavailable)`,
		`main: sem p s timeout=20ms -> error ETIMEDOUT (connection timed out)`,
		`main: sem v s`,
		fmt.Sprintf(`main: semunlink %q`, s),
		`main: spawn late`,
		`late: sem p s`,
		`late: late took it after semunlink`,
	)
	// child's exit and the wait lines may interleave with main's: compare
	// the lines that synchronisation orders, in their order.
	if got := withoutLines(out, "child: exit 0", "late: exit 0", "main: wait child -> 0", "main: wait late -> 0"); got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
}

// withoutLines drops the given lines from a transcript.
func withoutLines(out string, drop ...string) string {
	skip := map[string]bool{}
	for _, d := range drop {
		skip[d] = true
	}
	var keep []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !skip[l] {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n") + "\n"
}

// TestPosixUnnamedSemaphore: seminit in a SysV attachment and in a shared
// mapping, inherited by a child; views that break a rule are refused,
// each saying which rule.
func TestPosixUnnamedSemaphore(t *testing.T) {
	out, err := run(t, `shmget seg key=private size=4KiB create
attach a seg
seminit s a[64:96] init=0
spawn child { a[0:2] = "hi"; sem v s }
sem p s
print a[0:2]
wait child
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "main: seminit s a[64:96] init=0\n") || !strings.Contains(out, "main: sem p s\nmain: hi\n") {
		t.Errorf("transcript:\n%s", out)
	}
	for _, tc := range []struct{ src, msg string }{
		{"seminit s a[60:92]", "a[60:92] starts 4 bytes past an 8-byte boundary: a sem_t is 8-byte aligned"},
		{"seminit s a[64:100]", "a[64:100] is 36 bytes: a sem_t is 32"},
		{"seminit s a[4090:4122]", "out of range"},
		{"seminit s a", "VIEW is 32 bytes of an attachment or shared mapping"},
		{"mmap m tmp + \"/f\" size=4KiB create private\nseminit s m[0:32]", "m is a private mapping"},
		{"attach r seg rdonly\nseminit s r[0:32] init=1", "r is attached rdonly"},
	} {
		_, err := run(t, "shmget seg key=private size=4KiB create\nattach a seg\n"+tc.src)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Error(), tc.msg) {
			t.Errorf("%s: %v, want an error saying %q", tc.src, err, tc.msg)
		}
	}
}

// psemPeer builds testdata/psem_peer.c, which uses glibc's semaphores.
func psemPeer(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	bin := filepath.Join(t.TempDir(), "psem_peer")
	if out, err := exec.Command(cc, "-O2", "-pthread", "-o", bin, "testdata/psem_peer.c").CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	return bin
}

// TestPosixSemaphoreGlibcNamed: a C program's sem_post wakes the script's
// sem p, and the script's sem v wakes the C program's sem_timedwait, on
// semaphores made by semopen and opened by glibc's sem_open.
func TestPosixSemaphoreGlibcNamed(t *testing.T) {
	peer := psemPeer(t)
	a, b := pxName("ca"), pxName("cb")
	defer posixGone(t, kPsem, a, b)
	out, err := run(t, `semopen a args[1] create init=0
semopen b args[2] create init=0
pipe p
spawn c exec (args[0]) named (args[1]) (args[2]) stdout=p.w
close p.w
sem p a
sleep 150ms
sem v b
let said = read p.r line
expect said == "c: woken, value 0\n"
wait c
`, peer, a, b)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"main: sem p a\n", "main: sem v b\n", "main: wait c -> 0\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

// TestPosixSemaphoreGlibcUnnamed: sem_init(s, 1, 0) by a C program in a
// shm_open'd object that the script made and mapped; the script uses
// those sem_t (seminit without init=) and both sides wake each other.
func TestPosixSemaphoreGlibcUnnamed(t *testing.T) {
	peer := psemPeer(t)
	m := pxName("cm")
	defer posixGone(t, kPshm, m)
	out, err := run(t, `shmopen f args[1] create size=4KiB
mmap m f size=4KiB
pipe p
spawn c exec (args[0]) unnamed (args[1]) stdout=p.w
close p.w
let ready = read p.r line
expect ready == "ready\n"
seminit a m[0:32]
seminit b m[32:64]
sem p a
sleep 150ms
sem v b
let said = read p.r line
expect said == "c: woken, value 0\n"
wait c
`, peer, m)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "main: wait c -> 0\n") {
		t.Errorf("transcript:\n%s", out)
	}
}
