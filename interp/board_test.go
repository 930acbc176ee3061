package interp

import (
	"errors"
	"strconv"
	"testing"
)

// A run that starts more processes over its life than the board has
// slots goes on: a full board takes back the slot of a process waited
// for, and fails only when every slot holds a process not waited for.
func TestBoardTakesBackWaitedSlots(t *testing.T) {
	b, err := newBoard()
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	for i := range boardSlots {
		if _, err := b.claim("p"+strconv.Itoa(i), kindInterp); err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
	}
	if _, err := b.claim("one-more", kindInterp); !errors.Is(err, errBoardFull) {
		t.Fatalf("a full board with no process waited for: %v, want %v", err, errBoardFull)
	}
	b.exited(7)
	if _, err := b.claim("one-more", kindInterp); !errors.Is(err, errBoardFull) {
		t.Fatalf("a process exited but not waited for lost its slot: %v", err)
	}
	b.done(7)
	b.done(300)
	i, err := b.claim("one-more", kindInterp)
	if err != nil || i != 7 {
		t.Fatalf("claim after a wait: slot %d, %v; want 7", i, err)
	}
	s := b.slot(i)
	if cstr(s.name[:]) != "one-more" || s.pid != 0 || s.sigs != 0 || s.state != slotRunning {
		t.Fatalf("the slot taken back keeps its old process: %+v", *s)
	}
	if h := b.procNamed("p7"); h != nil {
		t.Fatal("the old process is still found by name")
	}
	if i, err := b.claim("two-more", kindInterp); err != nil || i != 300 {
		t.Fatalf("second claim: slot %d, %v; want 300", i, err)
	}
}

// The signal thread looks up a sender's name (nameOf) while the run's
// Close may unmap the board: the lookup must find no board, not read
// memory that is gone (a data race under -race, a crash without it).
func TestBoardLookupDuringClose(t *testing.T) {
	for range 20 {
		b, err := newBoard()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.claim("main", kindInterp); err != nil {
			t.Fatal(err)
		}
		b.setPid(0, 42)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 1000 {
				if n := b.nameOf(42); n != "main" && n != "" {
					t.Errorf("nameOf(42) = %q", n)
				}
				_ = b.procNamed("main")
			}
		}()
		b.close()
		<-done
		if n := b.nameOf(42); n != "" {
			t.Errorf("nameOf after close = %q", n)
		}
	}
}
