package interp

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Events of different processes are compared by time in traces, so the
// event clock must be CLOCK_MONOTONIC itself, not an estimate of it: every
// reading falls between two clock_gettime calls that bracket it.
func TestEventClockIsClockMonotonic(t *testing.T) {
	for i := 0; i < 1000; i++ {
		var before, after unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &before); err != nil {
			t.Fatal(err)
		}
		now := monotonicNow()
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)
		if now < before.Nano() || now > after.Nano() {
			t.Fatalf("event clock read %d, outside [%d, %d] of CLOCK_MONOTONIC", now, before.Nano(), after.Nano())
		}
	}
}
