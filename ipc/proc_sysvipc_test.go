package ipc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func find(t *testing.T, kind string, id int) SysVObject {
	t.Helper()
	objs, err := ListSysV()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.Kind == kind && o.ID == id {
			return o
		}
	}
	t.Fatalf("ListSysV has no %s %d", kind, id)
	return SysVObject{}
}

func TestListSysVSeesOurObjects(t *testing.T) {
	q := newQueue(t)
	mustSend(t, q, 1, "hello")
	m := find(t, "msg", q)
	if m.Key != 0 || m.KeyHex() != "0x00000000" || m.Mode != 0o600 || m.Count != 1 || m.Size != 5 ||
		m.Lspid != os.Getpid() || m.Owner != uint32(os.Getuid()) || m.Ctime == 0 {
		t.Errorf("queue: %+v", m)
	}

	seg := newSegment(t, 5000)
	attach(t, seg, 0)
	s := find(t, "shm", seg)
	if s.Size != 5000 || s.Nattch != 1 || s.Cpid != os.Getpid() || s.Lpid != os.Getpid() || s.Mode != 0o600 {
		t.Errorf("segment: %+v", s)
	}

	set := newSemSet(t, 3)
	if o := find(t, "sem", set); o.Count != 3 || o.Mode != 0o600 {
		t.Errorf("semaphore set: %+v", o)
	}
}

// Keys with the high bit set are negative as the kernel's int key_t, and
// /proc prints them so. They must round-trip all the same.
func TestHighKeyRoundTrips(t *testing.T) {
	key := freeKey(t, true)
	id, err := Semget(key, 1, unix.IPC_CREAT|unix.IPC_EXCL|0o600)
	if err != nil {
		t.Fatal(err)
	}
	track(t, "sem", id, SemctlRmid)

	o := find(t, "sem", id)
	want := fmt.Sprintf("0x%08x", uint32(key))
	if uint32(o.Key) != uint32(key) || o.KeyHex() != want {
		t.Fatalf("listed key %d (%s), want %#x", o.Key, o.KeyHex(), key)
	}
	if ds, _ := SemctlStat(id); uint32(ds.Perm.Key) != uint32(key) {
		t.Fatalf("IPC_STAT key %#x, want %#x", uint32(ds.Perm.Key), key)
	}
	for _, spelling := range []int{key, int(int32(uint32(key)))} {
		if got, err := Semget(spelling, 0, 0); got != id || err != nil {
			t.Errorf("Semget(%d) = %d, %v; want %d", spelling, got, err, id)
		}
	}
}

func TestParseSysV(t *testing.T) {
	const shm = `       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap
         0         12  1600                  4096  4242  4243      2  1000  1000     0     0 1700000000 1700000001 1700000002                  4096                     0
-2147483647         13   644                   100     7     0      0     0     0     0     0          0          0 1700000003                     0                     0
`
	objs, err := parseSysV("shm", []byte(shm))
	if err != nil {
		t.Fatal(err)
	}
	want := []SysVObject{
		{Kind: "shm", Key: 0, ID: 12, Mode: 0o1600, Owner: 1000, Cuid: 0, Cpid: 4242, Lpid: 4243, Size: 4096, Nattch: 2, Ctime: 1700000002},
		{Kind: "shm", Key: -2147483647, ID: 13, Mode: 0o644, Cpid: 7, Size: 100, Ctime: 1700000003},
	}
	if len(objs) != len(want) {
		t.Fatalf("parsed %d objects: %+v", len(objs), objs)
	}
	for i := range want {
		if objs[i] != want[i] {
			t.Errorf("object %d:\n got %+v\nwant %+v", i, objs[i], want[i])
		}
	}
	if objs[0].Mode&SHM_DEST == 0 {
		t.Error("mode lost SHM_DEST")
	}
	if got := objs[1].KeyHex(); got != "0x80000001" {
		t.Errorf("KeyHex = %s", got)
	}

	for _, bad := range []string{
		"       key      msqid\n",                       // no perms column
		"key msqid perms uid cuid ctime\n1 2 9 0 0 0\n", // 9 is not octal
		"key msqid perms uid cuid ctime\n1 2 600\n",     // short line
	} {
		if _, err := parseSysV("msg", []byte(bad)); err == nil {
			t.Errorf("parseSysV accepted %q", bad)
		}
	}
}

func TestLimits(t *testing.T) {
	l, err := Limits()
	if err != nil {
		t.Fatal(err)
	}
	if l.MsgMax == 0 || l.MsgMnb == 0 || l.MsgMni == 0 || l.ShmMax == 0 || l.ShmAll == 0 ||
		l.ShmMni == 0 || l.SemMsl == 0 || l.SemMns == 0 || l.SemOpm == 0 || l.SemMni == 0 {
		t.Fatalf("a zero limit: %+v", l)
	}
	data, _ := os.ReadFile("/proc/sys/kernel/msgmax")
	if strings.TrimSpace(string(data)) != strconv.FormatUint(l.MsgMax, 10) {
		t.Fatalf("MsgMax %d, file says %s", l.MsgMax, data)
	}
}
