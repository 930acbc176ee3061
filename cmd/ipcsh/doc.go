// Command ipcsh runs .ipc scripts whose statements are real Linux IPC
// system calls, and prints the transcript of what every process did.
//
// This package owns the command line: flags, sub-commands (check, test,
// fmt, clean, help, version), the REPL (repl*.go), the pictures of a run
// (visual.go), exit codes, and the signals that stop a run (SIGINT,
// SIGTERM, SIGHUP, SIGQUIT, and a broken standard output: main.go). It is
// the only place that calls os.Exit; what it runs comes from packages lang
// and interp, golden tests from package golden, pictures from timeline.
package main
