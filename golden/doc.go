// Package golden is the golden-transcript test mechanism of ipcsh, used
// both by the `ipcsh test` command and by this project's own tests
// (`go test ./golden` runs scripts/examples and golden/testdata through
// it): one mechanism, not two.
//
// A golden test is a script NAME.ipc with NAME.golden beside it. The
// golden file is the transcript of one real run, then a trailer:
//
//	main: read p.r -> EOF
//	--- exit 1
//	--- stderr
//	ipcsh: x.ipc:3:1: ...
//
// A run passes when it prints "the same transcript" (LANGUAGE.md §4: the
// same lines for every process, in the same order, and every pair of
// lines that the run's synchronisation related in the same order; lines
// of independent processes may interleave differently), the same stderr
// and the same exit code. The related pairs are the run's: its --trace,
// paired as timeline.Arrows pairs publishes with the consumes they
// enabled, where every run with the same lines pairs them alike (a spawn
// and the child's first line, a child's exit and the wait that reaped
// it, a write and the read that got its bytes with one writer and one
// reader: order.go).
//
// The files by topic:
//   - golden.go: the file format, the projection per process, the diff;
//   - order.go: the order of related lines, from the run's trace;
//   - trace.go: which statement printed a transcript line (--trace), and
//     the events behind the order check;
//   - runner.go: finding tests, running a script as a subprocess with
//     timeouts and clean-up, repeated runs and flakiness, parallelism;
//   - report.go: text, JSON lines and JUnit XML reports.
//
// The package drives the ipcsh binary and compares text; it contains no
// interpreter logic. Run `go test ./golden -update` to rewrite the
// project's golden files from real runs, then review the diff.
package golden
