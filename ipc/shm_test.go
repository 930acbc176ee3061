package ipc

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestShmTwoAttachments(t *testing.T) {
	const size = 10000 // not a multiple of the page size
	seg := newSegment(t, size)
	a := attach(t, seg, 0)
	b := attach(t, seg, 0)
	if len(a) != size || len(b) != size {
		t.Fatalf("attachments of %d and %d bytes, want %d", len(a), len(b), size)
	}
	if &a[0] == &b[0] {
		t.Fatal("two attachments at the same address")
	}
	if !bytes.Equal(a, make([]byte, size)) {
		t.Fatal("a new segment is not zero filled")
	}
	copy(a, "hello")
	a[size-1] = 0xee
	if string(b[:5]) != "hello" || b[size-1] != 0xee {
		t.Fatalf("the second attachment sees %q ... %#x", b[:5], b[size-1])
	}

	// Read-only: reading only. A store would be a fault that kills the test
	// binary, which is why the interpreter must check before every store.
	r := attach(t, seg, unix.SHM_RDONLY)
	if string(r[:5]) != "hello" {
		t.Fatalf("read-only attachment sees %q", r[:5])
	}

	ds, err := ShmctlStat(seg)
	if err != nil {
		t.Fatal(err)
	}
	pid := int32(os.Getpid())
	if ds.Size != size || ds.Nattch != 3 || ds.Cpid != pid || ds.Lpid != pid || ds.Atime == 0 ||
		ds.Perm.Mode&0o777 != 0o600 || ds.Perm.Cuid != uint32(os.Getuid()) {
		t.Fatalf("IPC_STAT = %+v", ds)
	}
	if err := Shmdt(r); err != nil {
		t.Fatal(err)
	}
	if ds, _ := ShmctlStat(seg); ds.Nattch != 2 || ds.Dtime == 0 {
		t.Fatalf("after a detach: nattch %d dtime %d", ds.Nattch, ds.Dtime)
	}
	wantErrno(t, Shmdt(r), unix.EINVAL) // nothing attached there any more
}

// A segment marked for removal lives until its last detach.
func TestShmRmidWhileAttached(t *testing.T) {
	seg := newSegment(t, 4096)
	mem := attach(t, seg, 0)
	if err := ShmctlRmid(seg); err != nil {
		t.Fatal(err)
	}
	ds, err := ShmctlStat(seg)
	if err != nil {
		t.Fatal("IPC_STAT of a removed segment still attached:", err)
	}
	if ds.Nattch != 1 || ds.Perm.Mode&SHM_DEST == 0 {
		t.Fatalf("after IPC_RMID: nattch %d mode %#o, want 1 and SHM_DEST", ds.Nattch, ds.Perm.Mode)
	}
	copy(mem, "still here")
	if !listed(t, "shm", seg) {
		t.Fatal("/proc/sysvipc/shm no longer lists the attached segment")
	}
	if err := Shmdt(mem); err != nil {
		t.Fatal(err)
	}
	_, err = ShmctlStat(seg)
	wantErrno(t, err, unix.EINVAL)
	if listed(t, "shm", seg) {
		t.Fatal("the segment outlived its last detach")
	}
}

func listed(t *testing.T, kind string, id int) bool {
	t.Helper()
	objs, err := ListSysV()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.Kind == kind && o.ID == id {
			return true
		}
	}
	return false
}

func TestShmAddresses(t *testing.T) {
	seg := newSegment(t, 4096)
	mem, err := Shmat(seg, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	addr := uintptr(unsafe.Pointer(&mem[0]))
	if err := Shmdt(mem); err != nil {
		t.Fatal(err)
	}
	// The address is free again: attach there explicitly, then off by one
	// byte, which only SHM_RND (round down to SHMLBA, a page) accepts.
	if _, err := Shmat(seg, addr+1, 0); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("shmat at an unaligned address: %v, want EINVAL", err)
	}
	mem, err = Shmat(seg, addr+1, unix.SHM_RND)
	if err != nil {
		t.Fatal("shmat with SHM_RND:", err)
	}
	defer Shmdt(mem)
	if got := uintptr(unsafe.Pointer(&mem[0])); got != addr {
		t.Fatalf("SHM_RND attached at %#x, want %#x", got, addr)
	}
}

func TestShmErrors(t *testing.T) {
	wantErrno(t, Shmdt(nil), unix.EINVAL)
	if mem, err := Shmat(-1, 0, 0); mem != nil || !errors.Is(err, unix.EINVAL) {
		t.Errorf("Shmat(-1) = %v, %v", mem, err)
	}
	if id, err := Shmget(unix.IPC_PRIVATE, 0, unix.IPC_CREAT|0o600); id != -1 || !errors.Is(err, unix.EINVAL) {
		t.Errorf("Shmget of 0 bytes = %d, %v; want -1, EINVAL", id, err)
	}
}

func TestShmLock(t *testing.T) {
	seg := newSegment(t, 4096)
	if err := ShmctlLock(seg); errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOMEM) {
		t.Skip("SHM_LOCK not permitted here:", err)
	} else if err != nil {
		t.Fatal(err)
	}
	if ds, _ := ShmctlStat(seg); ds.Perm.Mode&SHM_LOCKED == 0 {
		t.Fatalf("mode %#o after SHM_LOCK", ds.Perm.Mode)
	}
	if err := ShmctlUnlock(seg); err != nil {
		t.Fatal(err)
	}
	if ds, _ := ShmctlStat(seg); ds.Perm.Mode&SHM_LOCKED != 0 {
		t.Fatalf("mode %#o after SHM_UNLOCK", ds.Perm.Mode)
	}
}
