// Command ipcsh runs .ipc scripts whose statements are real Linux IPC
// system calls, and prints the transcript of what every process did.
//
// This package owns the command line: flags, sub-commands (check, test,
// clean, version), the REPL, exit codes and signals. It is the only place
// that calls os.Exit; what it runs comes from packages lang and interp,
// golden tests from package golden.
package main
