package interp

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ipcsh/lang"
)

func TestRetryShowsOnlyTheAttemptThatCounted(t *testing.T) {
	out, err := run(t, `let k = ftok(tmp, 7)
spawn maker { sleep 40ms; msgget made key=k create }
retry 5s msgget q key=k
wait maker
try retry 30ms msgget none key=k + 1
print err
let n = 0
retry 2s {
  n += 1
  print "attempt"
  if n < 3 { msgget none key=k + 1 }
}
print n
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{
		"main: spawn maker",
		"main: msgget q key=k -> opened",
		"main: wait maker -> 0",
		"main: msgget none key=k + 1 -> error ENOENT (no such file or directory)",
		"main: ENOENT",
		"main: attempt",
		"main: 3",
	}
	got := linesOf(out, "main")
	// key= shows the key itself: the ftok of this run's tmp.
	for i := range got {
		if strings.HasPrefix(got[i], "main: msgget q key=0x") {
			got[i] = "main: msgget q key=k -> opened"
		}
		if strings.HasPrefix(got[i], "main: msgget none key=0x") {
			got[i] = "main: msgget none key=k + 1 -> error ENOENT (no such file or directory)"
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("main's lines:\n%s\nwant\n%s\n(transcript:\n%s)", strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}
}

// A publish that fails (open of a FIFO for writing with nonblock and no
// reader: ENXIO) printed its line before the call; the supervisor keeps
// it back with everything after it until the attempt is decided, so the
// transcript is the same on every run.
func TestRetryPublishIsTheSameEveryRun(t *testing.T) {
	src := `let path = tmp + "/f"
mkfifo path
spawn reader { sleep 30ms; open r path read; let got = read r all; print got }
retry 2s open w path write nonblock
write w "hi"
close w
wait reader
`
	want := map[string][]string{
		"main":   {`main: mkfifo "$TMP/f"`, "main: spawn reader", `main: open w "$TMP/f" write nonblock`, `main: write w "hi"`, "main: close w", "main: wait reader -> 0"},
		"reader": {"reader: sleep 30ms", `reader: open r "$TMP/f" read`, `reader: read r all -> "hi"`, "reader: hi", "reader: exit 0"},
	}
	for i := 0; i < 5; i++ {
		out, err := run(t, src)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		for proc, w := range want {
			if got := linesOf(out, proc); strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Fatalf("run %d, %s:\n%s\nwant\n%s", i, proc, strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		}
		order(t, out, `main: open w "$TMP/f" write nonblock`, `reader: open r "$TMP/f" read`)
	}
}

func TestRetryErrors(t *testing.T) {
	start := time.Now()
	_, err := run(t, "retry 5s { expect 1 == 2 }")
	if err == nil || !strings.Contains(err.Error(), "expect failed") || time.Since(start) > 2*time.Second {
		t.Errorf("an error that is not a system call's is not retried: %v after %v", err, time.Since(start))
	}
	_, err = run(t, `retry "soon" { }`)
	if err == nil || err.Error() != `t.ipc:1:7: retry: expected a duration such as 2s, found "soon"` {
		t.Errorf("got %v", err)
	}
	// Outside try, the last attempt's error stops the script.
	_, err = run(t, "let k = ftok(tmp, 9)\nretry 20ms msgget q key=k")
	if err == nil || !strings.Contains(err.Error(), "t.ipc:2:12: msgget q key=") || !strings.Contains(err.Error(), "ENOENT") {
		t.Errorf("got %v", err)
	}
}

// The supervisor's side: holds of two processes, one dropped, one kept.
func TestAttemptHold(t *testing.T) {
	var h attemptHold
	var printed []string
	release := func(e *Event) { printed = append(printed, e.Proc+":"+e.Stmt) }
	feed := func(kind EventKind, proc, stmt string) {
		e := &Event{Kind: kind, Proc: proc, Stmt: stmt}
		if !h.take(e, release) {
			release(e)
		}
	}
	feed(EvCall, "a", "before")
	feed(EvHold, "a", "")
	feed(EvCall, "a", "a1")
	feed(EvCall, "b", "b1")
	feed(EvHold, "b", "")
	feed(EvCall, "b", "b2")
	feed(EvCall, "a", "a2")
	feed(EvDrop, "a", "") // a's attempt failed: a1 and a2 go
	feed(EvCall, "b", "b3")
	if len(printed) != 1 {
		t.Fatalf("printed while b's attempt is undecided: %q", printed)
	}
	feed(EvKeep, "b", "")
	feed(EvCall, "a", "after")
	if got := strings.Join(printed, " "); got != "a:before b:b1 b:b2 b:b3 a:after" {
		t.Errorf("printed %s", got)
	}
}

// A child killed inside an attempt that holds the transcript (its open
// for writing published, then blocked) does not hold it for the rest of
// the run: what came after is printed before the run ends.
func TestRetryKilledInAttempt(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	prog, err := lang.Parse("t.ipc", `let path = tmp + "/f"
mkfifo path
pipe p
spawn w { write p.w "x"; retry 10s { open y path write } }
read p.r 1
sleep 300ms
kill w KILL
wait w
print "after"
`)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(prog); err != nil {
		t.Fatal(err)
	}
	r.Sync()
	if got := out.String(); !strings.Contains(got, "w: open y \"$TMP/f\" write\n") || !strings.HasSuffix(got, "main: wait w -> signal SIGKILL\nmain: after\n") {
		t.Errorf("printed before the end of the run:\n%s", got)
	}
}
