package ipc

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

var posixSeq atomic.Int32

// posixTestName returns a name no other run uses (it holds the pid) and
// makes the test fail unless, when it ends, nothing of that name is left
// in /dev/shm (shared memory, sem.NAME) or among the message queues.
// Tests unlink what they create themselves, in cleanups registered after
// this one, so those run first.
func posixTestName(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("/ipcsh-test-%d-%d", os.Getpid(), posixSeq.Add(1))
	t.Cleanup(func() {
		for _, p := range []string{"/dev/shm" + name, "/dev/shm/sem." + name[1:]} {
			if _, err := os.Lstat(p); err == nil {
				t.Errorf("%s left behind", p)
				os.Remove(p)
			}
		}
		if fd, err := MqOpen(name, unix.O_RDONLY, 0, nil); err == nil {
			t.Errorf("message queue %s left behind", name)
			Close(fd)
			MqUnlink(name)
		} else if err != unix.ENOENT {
			t.Errorf("checking for queue %s: %v", name, err)
		}
	})
	return name
}

func TestPosixNames(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"/a", true},
		{"/with.dots-and_more", true},
		{"a", false},    // glibc's mq_open: EINVAL; its shm_open would accept
		{"/", false},    // empty
		{"", false},     // empty
		{"/a/b", false}, // the kernel would say EACCES to mq_open
		{"//a", false},  // glibc's shm_open strips both slashes
	} {
		rest, err := posixName("test", c.name, unix.EINVAL)
		if c.ok != (err == nil) {
			t.Errorf("posixName(%q) = %q, %v; want ok=%v", c.name, rest, err, c.ok)
			continue
		}
		if err == nil {
			if "/"+rest != c.name {
				t.Errorf("posixName(%q) = %q", c.name, rest)
			}
			continue
		}
		if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "not the kernel's") {
			t.Errorf("posixName(%q): %v, want EINVAL saying whose rule it is", c.name, err)
		}
	}

	// Each call refuses with the errno glibc gives for a bad name there.
	bad := "no-slash"
	if _, err := MqOpen(bad, unix.O_RDWR|unix.O_CREAT, 0o600, nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("MqOpen(%q) = %v, want EINVAL", bad, err)
	}
	if err := MqUnlink(bad); !errors.Is(err, unix.EINVAL) {
		t.Errorf("MqUnlink(%q) = %v, want EINVAL", bad, err)
	}
	if _, err := ShmOpen(bad, unix.O_RDWR|unix.O_CREAT, 0o600); !errors.Is(err, unix.EINVAL) {
		t.Errorf("ShmOpen(%q) = %v, want EINVAL", bad, err)
	}
	if err := ShmUnlink(bad); !errors.Is(err, unix.ENOENT) {
		t.Errorf("ShmUnlink(%q) = %v, want ENOENT", bad, err)
	}
	if _, err := SemOpen(bad, unix.O_CREAT, 0o600, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("SemOpen(%q) = %v, want EINVAL", bad, err)
	}
	if err := SemUnlink(bad); !errors.Is(err, unix.ENOENT) {
		t.Errorf("SemUnlink(%q) = %v, want ENOENT", bad, err)
	}
	for _, p := range []string{"/dev/shm/" + bad, "/dev/shm/sem." + bad} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was created", p)
			os.Remove(p)
		}
	}
}
