// Command gohello is the start-up reference for a Go program: it does
// what `ipcsh -c 'print 1'` does, print one line and exit. The benchmark
// runner builds it with the same go as ipcsh, so the start-up row
// compares ipcsh with the Go runtime's own start on this machine
// (issue 19: ≤ 1.3× a Go hello world built in the same run).
package main

import "os"

func main() {
	if _, err := os.Stdout.WriteString("1\n"); err != nil {
		os.Exit(1)
	}
}
