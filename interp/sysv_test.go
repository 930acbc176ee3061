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
