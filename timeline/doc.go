// Package timeline turns the event stream of an ipcsh run (the JSON Lines
// that `ipcsh --trace FILE` writes) into pictures of what the processes
// did: a Chrome Trace Event file for Perfetto and chrome://tracing, a
// sequence diagram (Mermaid text, or an SVG/HTML picture drawn here), and
// a compact text swimlane for the REPL.
//
// All three rest on one analysis, Arrows: which publish (a write, a send,
// a sem v, a spawn, an exit) enabled which consume (the read that got its
// bytes, the recv that got its message, the sem p it let through, the
// child's first event, the wait that reaped it). The trace does not say
// so; Arrows finds out by replaying each kernel object from the events:
// the bytes of a pipe in order, a message queue with msgrcv's type rule,
// the value of each semaphore.
//
// What this package owns: reading the trace format (Event, Decode) and
// everything drawn from it. What it must not touch: it does not import
// interp (it reads the trace format, the contract between the two, so a
// trace written by one build can be drawn by another), runs nothing, and
// makes no system call beyond writing where it is told.
package timeline
