package interp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// sysvIDs lists the SysV objects on the system, by kind and id.
func sysvIDs(t *testing.T) map[string]bool {
	t.Helper()
	all, err := ipc.ListSysV()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, o := range all {
		m[fmt.Sprintf("%s:%d", o.Kind, o.ID)] = true
	}
	return m
}

// noNewObjects fails the test if the system has objects now that it did
// not have in before.
// Other test processes on the machine make objects of their own for a
// moment, so an object must outlast a grace period to count as left.
func noNewObjects(t *testing.T, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		for k := range sysvIDs(t) {
			if !before[k] {
				left = append(left, k)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("SysV objects left behind: %v", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMessageQueueTranscript(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `msgget q key=private create
send q "low" type=5
send q "high" type=1
send q "other" type=9
let m = recv q type=-5
expect m.type == 1 && m.text == "high"
recv q type=9 except
recv q
try recv q nowait
msgctl q stat
`)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: msgget q key=private create -> created`,
		`main: send q "low" type=5`,
		`main: send q "high" type=1`,
		`main: send q "other" type=9`,
		`main: recv q type=-5 -> type=1 "high"`,
		`main: recv q type=9 except -> type=5 "low"`,
		`main: recv q -> type=9 "other"`,
		`main: recv q nowait -> error ENOMSG (no message of desired type)`,
		`main: msgctl q stat -> key=private mode=0600 qnum=0 cbytes=0 qbytes=16384 lspid=main lrpid=main`,
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
	noNewObjects(t, before)
}

func TestMessageErrorsExplained(t *testing.T) {
	before := sysvIDs(t)
	for _, tc := range []struct{ src, want string }{
		{`msgget q key=private; send q "x" type=0`, `send q "x" type=0: EINVAL (invalid argument): a message's type must be at least 1, found 0`},
		{`msgget q key=private; send q "0123456789"; recv q max=4`, `recv q max=4: E2BIG (argument list too long): the message is longer than max=4 bytes (add noerror to truncate it)`},
		{`msgget q key=private; recv q timeout=20ms`, `recv q timeout=20ms: EAGAIN (resource temporarily unavailable): no message came within 20ms`},
		{`msgget q key=0x7ea1ea5e`, `msgget q key=0x7ea1ea5e: ENOENT (no such file or directory): no queue has key 0x7ea1ea5e (add create to make one)`},
		{`msgget q key=private; msgctl q rmid; send q "x"`, `send q "x": EINVAL (invalid argument): q was removed by this process`},
	} {
		_, err := run(t, tc.src)
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant …%s", tc.src, err, tc.want)
		}
	}
	// noerror truncates instead.
	out, err := run(t, `msgget q key=private; send q "0123456789"; recv q max=4 noerror`)
	if err != nil || !strings.Contains(out, `-> type=1 "0123"`) {
		t.Errorf("noerror: %v\n%s", err, out)
	}
	noNewObjects(t, before)
}

// TestRemovedWhileWaiting: EIDRM reaches a receiver when another process
// removes the queue, and says so.
func TestRemovedWhileWaiting(t *testing.T) {
	before := sysvIDs(t)
	_, err := run(t, `msgget q key=private
semget s key=private
spawn remover { sem p s; sleep 20ms; ipcrm q }
sem v s
recv q
`)
	if !errors.Is(err, unix.EIDRM) || !strings.Contains(err.Error(), "q was removed while this process waited on it") {
		t.Errorf("got %v, want EIDRM explained", err)
	}
	noNewObjects(t, before)
}

func TestSemaphores(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `semget s key=private nsems=3 init=2 create
sem p s[1]
sem v s[2] undo
sem op s 0:-2 1:1
sem getall s
sem set s[0] 5
sem setall s 1 2 3
let v = sem get s[2]
expect v == 3
try sem p s[0] nowait
try sem z s[1] timeout=10ms
sem getpid s[0]
semctl s stat
try sem v s[0] ; try sem set s 40000
`)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: semget s key=private nsems=3 init=2 create -> created`,
		`main: sem p s[1]`,
		`main: sem v s[2] undo`,
		`main: sem op s 0:-2 1:1`,
		`main: sem getall s -> [0 2 3]`,
		`main: sem set s[0] 5`,
		`main: sem setall s 1 2 3`,
		`main: sem get s[2] -> 3`,
		`main: sem p s[0] nowait`,
		`main: sem z s[1] timeout=10ms -> error EAGAIN (resource temporarily unavailable)`,
		`main: sem getpid s[0] -> main`,
		`main: semctl s stat -> key=private mode=0600 nsems=3 values=[0 2 3]`,
		`main: sem v s[0]`,
		`main: sem set s 40000`,
		`main: sem set s 40000 -> error ERANGE (numerical result out of range)`,
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
	noNewObjects(t, before)
}

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

// TestCleanupRemovesWhatTheRunMade: objects made by main and by children
// are removed when the run ends, also after an error; keep survives; an
// object that existed before the run is not the run's to remove.
func TestCleanupRemovesWhatTheRunMade(t *testing.T) {
	before := sysvIDs(t)
	key := 0x7e000000 | os.Getpid()&0xffff
	_, err := run(t, fmt.Sprintf(`msgget q key=%d create
spawn c { semget s key=private; shmget m key=private size=1 }
wait c
print 1 / 0
`, key))
	if err == nil {
		t.Fatal("want the division error")
	}
	noNewObjects(t, before)

	// keep: the object outlives the run.
	_, err = run(t, fmt.Sprintf("msgget q key=%d create keep", key))
	if err != nil {
		t.Fatal(err)
	}
	id, err := ipc.Msgget(key, 0)
	if err != nil {
		t.Fatalf("kept queue is gone: %v", err)
	}
	// A later run opens it and does not remove it: it did not make it.
	out, err := run(t, fmt.Sprintf("msgget q key=%d create\nipcs", key))
	if err != nil || !strings.Contains(out, "-> opened") {
		t.Errorf("%v\n%s", err, out)
	}
	if _, err := ipc.MsgctlStat(id); err != nil {
		t.Errorf("a run removed a queue it only opened: %v", err)
	}
	if err := ipc.MsgctlRmid(id); err != nil {
		t.Fatal(err)
	}
	noNewObjects(t, before)
}

// TestInterruptSysV: Ctrl-C stops main's blocked msgrcv and semop.
func TestInterruptSysV(t *testing.T) {
	before := sysvIDs(t)
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(src string) error {
		prog, err := lang.Parse("[repl]", src)
		if err != nil {
			t.Fatal(err)
		}
		return r.Run(prog)
	}
	if err := entry("msgget q key=private\nsemget s key=private"); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"recv q", "sem p s", "sem z s[0]\nsem p s timeout=1m"} {
		go func() { time.Sleep(50 * time.Millisecond); r.Interrupt() }()
		var stop *StopError
		if err := entry(src); !errors.As(err, &stop) || !stop.Interrupted {
			t.Errorf("%q: got %v, want an interrupt", src, err)
		}
	}
	if err := entry(`send q "after"` + "\nrecv q"); err != nil {
		t.Errorf("after the interrupts: %v", err)
	}
	r.Close()
	noNewObjects(t, before)
}

func TestIpcsListsTheRunsObjects(t *testing.T) {
	out, err := run(t, `msgget q key=private
spawn c { shmget seg key=private size=100 }
wait c
semget s key=private nsems=2
let all = ipcs
expect len(all) == 3
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"main: ipcs -> 3 objects",
		"main:   q: kind=msg key=private mode=0600 messages=0 bytes=0",
		"main:   seg: kind=shm key=private mode=0600 size=100 nattch=0",
		"main:   s: kind=sem key=private mode=0600 nsems=2",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
}

// TestVerboseChangesNoValue: -v shows ids, but the values a script reads
// are the same with and without it: an ipcs record has its id, a SysV
// handle its .id and .key, and a mode is the int it is, shown in octal.
func TestVerboseChangesNoValue(t *testing.T) {
	before := sysvIDs(t)
	key := fmt.Sprintf("%#x", 0x7c000000|os.Getpid()&0xffff)
	src := `msgget q key=` + key + ` create mode=0640
shmget m key=private size=10
semget s key=private
let o = ipcs
expect o[0].id == q.id && o[1].id == m.id && o[2].id == s.id
expect q.key == ` + key + ` && m.key == 0 && s.key == 0
expect o[0].mode == 0640 && o[0].mode == 416
let st = msgctl q stat
expect st.mode == 0640
print st.mode, str(st.mode), st.mode + 0
spawn c { print st.mode }
wait c
`
	for _, verbose := range []bool{false, true} {
		out, err := runCfg(t, src, Config{Verbose: verbose})
		if err != nil {
			t.Errorf("-v=%v: %v\n%s", verbose, err, out)
			continue
		}
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^main(\[\d+\])?: 0640 0640 416$`),
			regexp.MustCompile(`(?m)^c(\[\d+\])?: 0640$`),
		} {
			if !want.MatchString(out) {
				t.Errorf("-v=%v: transcript lacks %q:\n%s", verbose, want, out)
			}
		}
		if hasID := strings.Contains(out, " id="); hasID != verbose {
			t.Errorf("-v=%v: ipcs shows id=: %v\n%s", verbose, hasID, out)
		}
	}
	noNewObjects(t, before)
}

// TestSemOrderingHammer: across many hand-offs, no `sem p` line comes
// before the `sem v` that let it through (LANGUAGE.md §4).
func TestSemOrderingHammer(t *testing.T) {
	rounds := 1000
	if testing.Short() {
		rounds = 100
	}
	for range 3 {
		out, err := run(t, fmt.Sprintf(`semget s key=private nsems=2
spawn echo {
	for i in 1..%d { sem p s[0]; sem v s[1] }
}
for i in 1..%d { sem v s[0]; sem p s[1] }
wait echo
`, rounds, rounds))
		if err != nil {
			t.Fatal(err)
		}
		// Each sem p must be preceded by one more sem v on its semaphore
		// than sem p's before it.
		v := map[string]int{}
		for n, l := range strings.Split(out, "\n") {
			switch l {
			case "main: sem v s[0]":
				v["0"]++
			case "echo: sem v s[1]":
				v["1"]++
			case "echo: sem p s[0]":
				if v["0"]--; v["0"] < 0 {
					t.Fatalf("line %d: %q before the sem v that woke it", n, l)
				}
			case "main: sem p s[1]":
				if v["1"]--; v["1"] < 0 {
					t.Fatalf("line %d: %q before the sem v that woke it", n, l)
				}
			}
		}
	}
}

// TestKilledInsideCriticalSection: a child killed while it holds a mutex
// leaves it taken, unless it took it with undo, which the kernel reverts
// when the process dies.
func TestKilledInsideCriticalSection(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `semget plain key=private init=1 create
semget undone key=private init=1 create
semget inside key=private init=0 create
spawn holder {
  sem p plain
  sem p undone undo
  sem v inside
  sleep 1m
}
sem p inside
kill holder KILL
wait holder
sem get plain
sem get undone
try sem p plain nowait
sem p undone nowait
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"main: wait holder -> signal SIGKILL",
		"main: sem get plain -> 0",  // still held by the dead process
		"main: sem get undone -> 1", // given back by SEM_UNDO
		"main: sem p plain nowait -> error EAGAIN",
		"main: sem p undone nowait\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	noNewObjects(t, before)
}

func TestBadSysVArguments(t *testing.T) {
	before := sysvIDs(t)
	for _, tc := range []struct{ src, want string }{
		{`msgget q key=0x1_0000_0000 create`, `msgget: key 0x100000000 does not fit in 32 bits`},
		{`msgget q key="k" create`, `msgget: key= expects an int`},
		{`shmget s key=private size=0`, `EINVAL (invalid argument): size=0: a segment has at least 1 byte`},
		{`semget s key=private nsems=0`, `EINVAL (invalid argument): nsems=0: a set holds at least 1 semaphore`},
		{`semget s key=private init=40000`, `ERANGE (numerical result out of range): init=40000`},
		{`msgget q key=private mode=01777`, `holds IPC_CREAT or IPC_EXCL`},
	} {
		_, err := run(t, tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant …%s…", tc.src, err, tc.want)
		}
	}
	noNewObjects(t, before)
}

// TestRemovedFromOutside: an object removed by another program while the
// script uses it gives EINVAL or EIDRM, explained, and the run's clean-up
// does not trip over it.
func TestRemovedFromOutside(t *testing.T) {
	before := sysvIDs(t)
	key := fmt.Sprintf("%#x", 0x7d000000|os.Getpid()&0xffff)
	_, err := run(t, fmt.Sprintf(`msgget q key=%s create
spawn outsider exec ipcrm -Q %s
wait outsider
send q "x"
`, key, key))
	if err == nil || !strings.Contains(err.Error(), "q no longer exists") {
		t.Errorf("got %v, want EINVAL saying q no longer exists", err)
	}
	noNewObjects(t, before)
}
