// Package golden holds the golden transcript tests of ipcsh: every
// scripts/examples/*.ipc and golden/testdata/*.ipc that has a .golden file
// beside it is run through the built ipcsh binary, many times, and its
// transcript, stderr and exit code are compared with that file.
//
// The package owns only the harness and its test data. It must not
// contain interpreter logic: it drives the real binary and compares text.
//
// Run `go test ./golden -update` to rewrite the golden files from a real
// run, then review the diff.
package golden
