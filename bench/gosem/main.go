// Command gosem is bench/c/sem_self.c in Go: N rounds of V(0) then P(0) on
// a private set, in one process. With "raw" both calls go through
// RawSyscall, as ipcsh's V does; without it the P goes through
// syscall.Syscall, as every ipcsh call that may wait must (the runtime
// has to know the thread may block). The difference between the two is
// what Go's entry to and exit from a blocking call cost on this machine,
// which no Go program can avoid for a call that may wait.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

type sembuf struct {
	num uint16
	op  int16
	flg int16
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gosem:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: gosem N [raw]")
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		return err
	}
	raw := len(os.Args) > 2 && os.Args[2] == "raw"
	id, _, e := syscall.RawSyscall(syscall.SYS_SEMGET, 0 /* IPC_PRIVATE */, 1, 0o1600)
	if e != 0 {
		return fmt.Errorf("semget: %v", e)
	}
	defer syscall.RawSyscall(syscall.SYS_SEMCTL, id, 0, 0 /* IPC_RMID */)
	up, down := sembuf{0, 1, 0}, sembuf{0, -1, 0}
	for i := 0; i < n; i++ {
		if _, _, e := syscall.RawSyscall(syscall.SYS_SEMOP, id, uintptr(unsafe.Pointer(&up)), 1); e != 0 {
			return fmt.Errorf("semop V: %v", e)
		}
		if raw {
			_, _, e = syscall.RawSyscall(syscall.SYS_SEMOP, id, uintptr(unsafe.Pointer(&down)), 1)
		} else {
			_, _, e = syscall.Syscall(syscall.SYS_SEMOP, id, uintptr(unsafe.Pointer(&down)), 1)
		}
		if e != 0 {
			return fmt.Errorf("semop P: %v", e)
		}
	}
	return nil
}
