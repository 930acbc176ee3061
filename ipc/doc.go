// Package ipc is ipcsh's system-call layer: file descriptors, pipes, FIFOs
// and files; SysV and POSIX message queues, shared memory and semaphores;
// mmap. It has one thin, typed function per system call so that what a
// script does and what the kernel sees stay in one-to-one correspondence —
// the interpreter exists to show real kernel behaviour, so this layer must
// not smooth any of it over.
//
// Rules, and why:
//
//   - Descriptors are raw ints, never *os.File. os.File registers fds with
//     the Go netpoller (turning blocking reads into hidden retries) and its
//     Fd method silently switches them back to blocking mode; either would
//     change the semantics a script is trying to observe.
//   - Errors are the kernel's unix.Errno, returned unchanged, so callers can
//     test them with errors.Is(err, unix.EAGAIN) and print the exact name.
//     EINTR is the one exception: it is an artefact of the Go runtime's
//     signals, not of the script, so wrappers retry it (except Close).
//   - On error, functions returning a descriptor return -1 (never 0, which
//     is stdin) and functions returning a count or offset return 0.
//   - Every descriptor is opened O_CLOEXEC. Which fds a child inherits is a
//     decision for the interpreter, made explicitly when it spawns one.
//   - No knowledge of the language, no printing, no os.Exit and no global
//     state: the package must be usable from tests and from any caller
//     without side effects beyond the system call it was asked to make.
//
// The SysV message queue, semaphore and shared memory wrappers, mmap, and
// the Interrupter that cancels blocking SysV calls are introduced at the top
// of sysv.go; the POSIX ones (message queues, glibc's semaphores, shm_open)
// at the top of posix.go. POSIX semaphores are the one place where this
// package is not a system call wrapper: they are glibc's sem_t protocol,
// reimplemented so that a C program and ipcsh share a semaphore, and proven
// against glibc by the tests.
package ipc
