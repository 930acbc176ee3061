package ipc

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// preferred fixes the name for numbers that have two symbolic names, so that
// output matches what C programmers and man pages use.
var preferred = map[unix.Errno]string{
	unix.EAGAIN:  "EAGAIN",  // also EWOULDBLOCK
	unix.EDEADLK: "EDEADLK", // also EDEADLOCK
}

// ErrnoName returns the symbolic name of e, such as "EPIPE", or "errno N"
// for numbers the platform does not define.
func ErrnoName(e unix.Errno) string {
	if name, ok := preferred[e]; ok {
		return name
	}
	if name := unix.ErrnoName(e); name != "" {
		return name
	}
	return "errno " + strconv.Itoa(int(e))
}

// ErrnoMessage returns strerror's lower-case description of e, for example
// "illegal seek" for ESPIPE.
func ErrnoMessage(e unix.Errno) string {
	return e.Error()
}

// Describe reports the errno inside err, if any, as name and message. ok is
// false for errors that did not come from the kernel.
func Describe(err error) (name, msg string, ok bool) {
	var e unix.Errno
	if !errors.As(err, &e) {
		return "", "", false
	}
	return ErrnoName(e), ErrnoMessage(e), true
}
