package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestREPLTimelineCancelled: a sem p and a recv cancelled with Ctrl-C are
// rows of `timeline`, marked cancelled (issue 18: they were absent, as
// if the session had never waited).
func TestREPLTimelineCancelled(t *testing.T) {
	key := replKey(t)
	in := &scriptedInput{lines: []string{
		"semget s key=int(args[0]) create init=0",
		"msgget q key=int(args[0]) create",
		"sem p s",
		"recv q type=7",
		"timeline",
	}}
	out := &replOutput{}
	s, done := runSession(t, in, out, fmt.Sprint(key))
	waitBlockedInSemP(t, key, out)
	s.interrupt()
	waitUntil(t, "main to block in msgrcv", func() string { return out.String() }, func() bool { return inSyscall(70) })
	s.interrupt()
	if code := waitSession(t, done, out); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	got := out.String()
	_, tl, _ := strings.Cut(got, "ipcsh> timeline\n")
	for _, want := range []string{"sem p s -> cancelled\n", "recv q type=7 -> cancelled\n"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, got)
		}
	}
	if sysvKeyExists(t, key) {
		t.Error("objects are left after the session")
	}
}

// inSyscall says whether a thread of this process is in system call nr.
func inSyscall(nr int) bool {
	files, _ := filepath.Glob("/proc/self/task/*/syscall")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.HasPrefix(string(b), fmt.Sprint(nr)+" ") {
			return true
		}
	}
	time.Sleep(10 * time.Millisecond)
	return false
}
