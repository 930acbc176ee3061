// Package interp owns running ipcsh programs: values, the compiler from
// AST to closures, processes, the event channel and its one printer (the
// transcript), run-time errors and clean-up.
//
// It reaches the kernel only through package ipc, and writes only to the
// writers it is given: no os.Stdout, no os.Exit (only cmd/ipcsh exits). It
// must not parse text itself: programs come from package lang.
package interp
