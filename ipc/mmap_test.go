package ipc

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMmapSharedAndPrivate(t *testing.T) {
	noLeaks(t)
	path := filepath.Join(t.TempDir(), "mapped")
	if err := os.WriteFile(path, make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := Open(path, unix.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	shared1, err := Mmap(fd, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	shared2, err := Mmap(fd, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	private, err := Mmap(fd, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, fd) // mappings outlive the descriptor

	copy(shared1[4096:], "shared")
	copy(private, "private")
	if string(shared2[4096:4102]) != "shared" {
		t.Fatalf("the second shared mapping sees %q", shared2[4096:4102])
	}
	if err := Msync(shared1); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[4096:4102]) != "shared" || string(data[:7]) == "private" {
		t.Fatalf("the file holds %q ... %q", data[:7], data[4096:4102])
	}

	for _, m := range [][]byte{shared1, shared2, private} {
		if err := Munmap(m); err != nil {
			t.Fatal(err)
		}
	}
	wantErrno(t, Munmap(shared1), unix.EINVAL) // not mapped any more
}

func TestMmapErrors(t *testing.T) {
	if mem, err := Mmap(-1, 4096, unix.PROT_READ, unix.MAP_SHARED); mem != nil || !errors.Is(err, unix.EBADF) {
		t.Errorf("Mmap(-1) = %v, %v", len(mem), err)
	}
	path := filepath.Join(t.TempDir(), "f")
	fd, err := Open(path, unix.O_RDWR|unix.O_CREAT, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, fd)
	_, err = Mmap(fd, 0, unix.PROT_READ, unix.MAP_SHARED)
	wantErrno(t, err, unix.EINVAL)
}
