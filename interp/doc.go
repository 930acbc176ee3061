// Package interp owns running ipcsh programs: values (value.go), the
// compiler from the AST to closures (compile.go, expr.go, cmd.go), the
// statements by topic — each file with its _test.go beside it (pipe.go,
// file.go, msg.go, sem.go, shm.go, mem.go, sysv.go, proc.go, exec.go,
// control.go) — processes and the warm spawn pool (proc.go, pool.go,
// wire.go: what a child inherits, bit for bit), the event channel and its
// one printer, the transcript (event.go), the board, stall detector and
// deadlock explanation (board.go, stall.go, explain.go), cancellation
// (cancel.go), and clean-up (journal.go).
//
// It reaches the kernel only through package ipc, and writes only to the
// writers it is given: no os.Stdout, no os.Exit (only cmd/ipcsh exits). It
// must not parse text itself: programs come from package lang.
package interp
