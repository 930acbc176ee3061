package ipc

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestPosixLayoutMatchesC compares the Go structs of the POSIX calls, and
// the sem_t constants, with what the C compiler and glibc's headers say:
// a wrong offset would make the kernel read a neighbouring field.
func TestPosixLayoutMatchesC(t *testing.T) {
	bin := cProgram(t, "posix_layout")
	want := runC(t, bin)

	var a MqAttr
	var ev sigevent
	field := func(name string, off, n uintptr) string { return fmt.Sprintf("%s %d %d", name, off, n) }
	got := []string{
		fmt.Sprintf("mq_attr size %d", unsafe.Sizeof(a)),
		field("mq_attr.mq_flags", unsafe.Offsetof(a.Flags), unsafe.Sizeof(a.Flags)),
		field("mq_attr.mq_maxmsg", unsafe.Offsetof(a.Maxmsg), unsafe.Sizeof(a.Maxmsg)),
		field("mq_attr.mq_msgsize", unsafe.Offsetof(a.Msgsize), unsafe.Sizeof(a.Msgsize)),
		field("mq_attr.mq_curmsgs", unsafe.Offsetof(a.Curmsgs), unsafe.Sizeof(a.Curmsgs)),
		fmt.Sprintf("sigevent size %d", unsafe.Sizeof(ev)),
		field("sigevent.sigev_value", unsafe.Offsetof(ev.value), unsafe.Sizeof(ev.value)),
		field("sigevent.sigev_signo", unsafe.Offsetof(ev.signo), unsafe.Sizeof(ev.signo)),
		field("sigevent.sigev_notify", unsafe.Offsetof(ev.notify), unsafe.Sizeof(ev.notify)),
		fmt.Sprintf("sem_t size %d align %d", SemSize, 8),
		fmt.Sprintf("SEM_VALUE_MAX %d", SEM_VALUE_MAX),
		fmt.Sprintf("SIGEV_SIGNAL %d", sigevSignal),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Go:\n%s\nC:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
