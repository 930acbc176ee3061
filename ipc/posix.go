// POSIX IPC: what these files own.
//
//   - posix.go: the name rule the three kinds share.
//   - mq.go: message queues, which are system calls (mq_open, mq_timedsend,
//     mq_timedreceive, mq_getsetattr, mq_notify, mq_unlink), and their
//     limits in /proc/sys/fs/mqueue.
//   - psem.go: semaphores, which are not system calls but glibc's sem_t
//     operated on with atomics and futexes exactly as glibc does it, so that
//     a C program and this package share one semaphore.
//   - pshm.go: shared memory objects, which are files in /dev/shm.
//
// The package's rules hold here too: errors are unix.Errno; EINTR is retried
// unless the Interrupter of a blocking call was fired (then the call ends
// with ErrInterrupted, having consumed nothing: see mq.go for why that is
// how a caller gets the EINTR a C program would see); descriptors are
// O_CLOEXEC. Where a function here is glibc's rather than the kernel's
// (the name rule, everything in psem.go, the errno mappings of the unlink
// functions), it answers what glibc answers a C program, and says so.

package ipc

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// posixName checks a POSIX IPC name and returns it without its leading '/'.
//
// The rule — one leading '/', then at least one character and no other
// '/' — is the portable one of POSIX, which LANGUAGE-level names follow. It
// is glibc's and POSIX's, not the kernel's, and glibc is slightly more
// lenient than it: mq_open and mq_unlink only require the leading '/' (the
// kernel then refuses "a/b" with EACCES), while shm_open, shm_unlink,
// sem_open and sem_unlink strip any number of leading '/' (so "x" and "//x"
// work) and refuse only an empty name or one with an inner '/'. A name
// this rule refuses is refused with the errno glibc gives for a bad name in
// that function: EINVAL, except shm_unlink and sem_unlink, which say
// ENOENT; badErr is that errno.
func posixName(call, name string, badErr unix.Errno) (string, error) {
	rest, ok := strings.CutPrefix(name, "/")
	var why string
	switch {
	case !ok:
		why = "does not start with '/'"
	case rest == "":
		why = "is '/' alone"
	case strings.Contains(rest, "/"):
		why = "has a '/' after the first"
	default:
		return rest, nil
	}
	return "", fmt.Errorf("ipc: %s: the name %q %s (a POSIX IPC name is '/' and at least one other character, none of them '/': glibc's and POSIX's rule, not the kernel's): %w",
		call, name, why, badErr)
}
