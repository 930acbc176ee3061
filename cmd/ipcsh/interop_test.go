package main

// Interop with peers nobody here wrote: Perl's core IPC::Msg,
// IPC::SharedMem and IPC::Semaphore, and Debian's python3-sysv-ipc. Each
// test is an ipcsh script that creates the objects under a key unique to
// the run and starts the peer with `spawn ... exec`, which opens them by
// key and talks back. Perl truncates keys >= 0x80000000, so keys stay
// below that.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// uniqueKey is a key for this test run and this test: below 0x80000000,
// and made of the pid so that parallel runs do not meet.
func uniqueKey(n int) int {
	return 0x49000000 | (os.Getpid()&0xffff)<<8 | n
}

// sysvSnapshot is the set of SysV objects now, from /proc/sysvipc.
func sysvSnapshot(t *testing.T) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, kind := range []string{"msg", "shm", "sem"} {
		b, err := os.ReadFile("/proc/sysvipc/" + kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n")[1:] {
			if f := strings.Fields(l); len(f) > 1 {
				m[kind+":"+f[1]] = true
			}
		}
	}
	return m
}

// wantNoNewObjects fails the test if objects that were not there before
// stay. Tests running in parallel make objects of their own for a moment,
// so an object must outlast a grace period to count as left behind.
func wantNoNewObjects(t *testing.T, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []string
		for k := range sysvSnapshot(t) {
			if !before[k] {
				left = append(left, k)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("SysV objects left behind: %s", strings.Join(left, ", "))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runScript writes src to a file and runs it with args.
func runScript(t *testing.T, src string, args ...string) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "interop.ipc")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return ipcsh(t, opts{}, append([]string{path}, args...)...)
}

const perlMsg = `use strict; use IPC::Msg;
my $q = IPC::Msg->new($ARGV[0], 0) or die "msgget: $!";
my $buf; $q->rcv($buf, 8192, 1) or die "msgrcv: $!";
print "perl got: $buf\n";
$q->snd(2, "pong from perl") or die "msgsnd: $!";`

const perlShm = `use strict; use IPC::SharedMem;
my $s = IPC::SharedMem->new($ARGV[0], 0, 0) or die "shmget: $!";
print "perl reads: ", $s->read(0, 14), "\n";
$s->write("perl was here!", 16, 14) or die "shmwrite: $!";`

const perlSem = `use strict; use IPC::Semaphore;
my $s = IPC::Semaphore->new($ARGV[0], 2, 0) or die "semget: $!";
$s->op(0, -1, 0) or die "semop: $!";   # wait for ipcsh
print "perl passed\n";
$s->op(1, 1, 0) or die "semop: $!";    # and hand back`

func TestInteropPerl(t *testing.T) {
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("perl is not installed (.ci/run installs it)")
	}
	t.Parallel()
	before := sysvSnapshot(t)
	r := runScript(t, fmt.Sprintf(`let msgkey = int(args[0])
let shmkey = int(args[1])
let semkey = int(args[2])

# messages both ways
msgget q key=msgkey create
spawn perl exec perl -e %q (args[0])
send q "ping from ipcsh" type=1
let m = recv q type=2
expect m.text == "pong from perl"
wait perl

# a segment written by each, read by the other
shmget seg key=shmkey size=4KiB create
attach a seg
a[0:14] = "ipcsh was here"
spawn perlshm exec perl -e %q (args[1])
wait perlshm
expect a[16:30] == "perl was here!"

# a semaphore hand-off
semget s key=semkey nsems=2 init=0 create
spawn perlsem exec perl -e %q (args[2])
sem v s[0]
sem p s[1]
wait perlsem
`, perlMsg, perlShm, perlSem), strconv.Itoa(uniqueKey(1)), strconv.Itoa(uniqueKey(2)), strconv.Itoa(uniqueKey(3)))
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout,
		`perl: perl got: ping from ipcsh`,
		`main: recv q type=2 -> type=2 "pong from perl"`,
		`perlshm: perl reads: ipcsh was here`,
		`perlsem: perl passed`,
		"main: wait perlsem -> 0",
	)
	wantNoNewObjects(t, before)
}

const pythonPeer = `import sys, sysv_ipc
msgkey, shmkey, semkey = (int(a) for a in sys.argv[1:4])
q = sysv_ipc.MessageQueue(msgkey)
text, typ = q.receive(type=1)
print("python got:", text.decode(), "type", typ, flush=True)
q.send(b"pong from python", type=2)
m = sysv_ipc.SharedMemory(shmkey)
print("python reads:", m.read(14).decode(), flush=True)
m.write(b"python was here", 16)
m.detach()
s = sysv_ipc.Semaphore(semkey)
s.acquire()
print("python passed", flush=True)
q.send(b"done", type=3)
`

func TestInteropPython(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import sysv_ipc").Run(); err != nil {
		t.Skipf("%s cannot import sysv_ipc (Debian's python3-sysv-ipc; .ci/run installs it): %v", python, err)
	}
	t.Parallel()
	before := sysvSnapshot(t)
	r := runScript(t, fmt.Sprintf(`msgget q key=int(args[0]) create
shmget seg key=int(args[1]) size=4KiB create
semget s key=int(args[2]) init=0 create
attach a seg
a[0:14] = "ipcsh was here"
spawn python exec /usr/bin/python3 -c %q (args[0]) (args[1]) (args[2])
send q "ping from ipcsh" type=1
recv q type=2
sem v s
recv q type=3
wait python
expect a[16:31] == "python was here"
`, pythonPeer), strconv.Itoa(uniqueKey(4)), strconv.Itoa(uniqueKey(5)), strconv.Itoa(uniqueKey(6)))
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout,
		`python: python got: ping from ipcsh type 1`,
		`main: recv q type=2 -> type=2 "pong from python"`,
		`python: python reads: ipcsh was here`,
		`python: python passed`,
	)
	wantNoNewObjects(t, before)
}

// TestInteropUtilLinux: an object made by ipcmk is used by key; one that
// ipcsh keeps is seen by ipcs and removed by ipcrm.
func TestInteropUtilLinux(t *testing.T) {
	for _, prog := range []string{"ipcmk", "ipcs", "ipcrm"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s is not installed (util-linux)", prog)
		}
	}
	t.Parallel()
	before := sysvSnapshot(t)
	out, err := exec.Command("ipcmk", "-S", "1", "-p", "0600").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	id, _ := strconv.Atoi(f[len(f)-1])
	t.Cleanup(func() { _ = exec.Command("ipcrm", "-s", strconv.Itoa(id)).Run() })
	b, _ := os.ReadFile("/proc/sysvipc/sem")
	key := ""
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == strconv.Itoa(id) {
			key = f[0]
		}
	}
	if key == "" {
		t.Fatalf("ipcmk's semaphore set %d is not in /proc/sysvipc/sem", id)
	}
	kept := uniqueKey(7)
	r := runScript(t, `semget s key=int(args[0])
sem v s
sem get s
msgget k key=int(args[1]) create keep
`, key, strconv.Itoa(kept))
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "-> opened", "main: sem get s -> 1")
	// ipcsh opened the set, it did not make it: it must still be there.
	if err := exec.Command("ipcs", "-s", "-i", strconv.Itoa(id)).Run(); err != nil {
		t.Errorf("the run removed ipcmk's semaphore set: %v", err)
	}
	// The kept queue is the system's now: ipcs sees it, ipcrm removes it.
	list, _ := exec.Command("ipcs", "-q").Output()
	hexKey := fmt.Sprintf("0x%08x", kept)
	if !strings.Contains(string(list), hexKey) {
		t.Errorf("ipcs -q does not show the kept queue %s:\n%s", hexKey, list)
	}
	if out, err := exec.Command("ipcrm", "-Q", hexKey).CombinedOutput(); err != nil {
		t.Errorf("ipcrm -Q %s: %v\n%s", hexKey, err, out)
	}
	_ = exec.Command("ipcrm", "-s", strconv.Itoa(id)).Run()
	wantNoNewObjects(t, before)
}
