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
// same lines for every process, in the same order, however independent
// processes interleaved), the same stderr and the same exit code.
//
// The files by topic:
//   - golden.go: the file format, the projection per process, the diff;
//   - trace.go: which statement printed a transcript line (--trace);
//   - runner.go: finding tests, running a script as a subprocess with
//     timeouts and clean-up, repeated runs and flakiness, parallelism;
//   - report.go: text, JSON lines and JUnit XML reports.
//
// The package drives the ipcsh binary and compares text; it contains no
// interpreter logic. Run `go test ./golden -update` to rewrite the
// project's golden files from real runs, then review the diff.
package golden
