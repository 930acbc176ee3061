package ipc

import (
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// A goroutine that loops on blocking system calls never passes through
// the Go scheduler: each call returns to it on the fast path, so its P's
// schedtick stays the same. After 10 ms on one schedtick, sysmon marks the
// P for forced preemption, and from then on, every sysmon tick (20 µs when
// busy) that finds the goroutine inside a system call takes its P away
// (runtime.retake's sysretake): a spinning thread is woken to look for
// work, finds none and parks, and the caller must get a P back when its
// read returns. On a ping-pong that is ~2.5 nanosleep and futex calls per
// round trip, and extra context switches on the CPU both processes share
// (BENCHMARKS.md, "The runtime's own system calls").
//
// Yielding to the scheduler now and then, before a call that may block,
// moves schedtick on, and sysmon leaves the call alone. A yield of the
// interpreter's goroutine, which is locked to its thread, costs a few
// futex calls; once every reschedEvery it is noise.
const reschedEvery = 5e6 // ns: half of forcePreemptNS (10 ms)

var lastResched atomic.Int64

// reschedIfDue yields the processor when no blocking call has done so for
// reschedEvery.
func reschedIfDue() {
	now := nanotime()
	if now-lastResched.Load() < reschedEvery {
		return
	}
	lastResched.Store(now)
	runtime.Gosched()
}

// nanotime is the runtime's monotonic clock (the vDSO's
// clock_gettime(CLOCK_MONOTONIC)), which the runtime keeps open to
// linkname; time.Now would also read the wall clock.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
