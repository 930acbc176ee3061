// Command ipcsh runs .ipc scripts whose statements are real Linux IPC
// system calls, and prints the transcript of what every process did.
//
// This package owns the command line: flags, sub-commands (check,
// version), exit codes and signals. It is the only place that calls
// os.Exit; everything it runs comes from packages lang and interp.
package main
