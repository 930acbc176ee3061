package interp

import _ "unsafe" // for go:linkname

// monotonicNow is the runtime's nanotime: clock_gettime(CLOCK_MONOTONIC)
// through the vDSO, in nanoseconds. The runtime keeps this name open to
// linkname on purpose (it says so beside its definition), since the time
// package offers the monotonic clock only relative to process start.
//
//go:linkname monotonicNow runtime.nanotime
func monotonicNow() int64
