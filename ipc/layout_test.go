package ipc

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// TestLayoutMatchesC compiles testdata/layout.c, which prints the size and
// field offsets of the kernel's structs as the C compiler lays them out
// from the kernel headers, and compares them with the Go structs the
// system calls are given. A wrong offset would not fail loudly: the kernel
// would read a neighbouring field, or write past the end of the struct.
func TestLayoutMatchesC(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to check the struct layouts against")
	}
	bin := filepath.Join(t.TempDir(), "layout")
	if out, err := exec.Command(cc, "-Wall", "-Werror", "-o", bin, "testdata/layout.c").CombinedOutput(); err != nil {
		t.Fatalf("compiling testdata/layout.c: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running layout: %v", err)
	}
	got := goLayout()
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != len(want) {
		t.Errorf("Go describes %d lines, C %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("Go: %-32s C: %s", got[i], want[i])
		}
	}
}

// goLayout describes the Go structs in layout.c's output format.
func goLayout() []string {
	var lines []string
	size := func(name string, n uintptr) {
		lines = append(lines, fmt.Sprintf("%s size %d", name, n))
	}
	field := func(name string, off, n uintptr) {
		lines = append(lines, fmt.Sprintf("%s %d %d", name, off, n))
	}

	var p IpcPerm
	size("ipc64_perm", unsafe.Sizeof(p))
	field("ipc64_perm.key", unsafe.Offsetof(p.Key), unsafe.Sizeof(p.Key))
	field("ipc64_perm.uid", unsafe.Offsetof(p.Uid), unsafe.Sizeof(p.Uid))
	field("ipc64_perm.gid", unsafe.Offsetof(p.Gid), unsafe.Sizeof(p.Gid))
	field("ipc64_perm.cuid", unsafe.Offsetof(p.Cuid), unsafe.Sizeof(p.Cuid))
	field("ipc64_perm.cgid", unsafe.Offsetof(p.Cgid), unsafe.Sizeof(p.Cgid))
	field("ipc64_perm.mode", unsafe.Offsetof(p.Mode), unsafe.Sizeof(p.Mode))
	field("ipc64_perm.seq", unsafe.Offsetof(p.Seq), unsafe.Sizeof(p.Seq))

	var m MsqidDs
	size("msqid64_ds", unsafe.Sizeof(m))
	field("msqid64_ds.msg_perm", unsafe.Offsetof(m.Perm), unsafe.Sizeof(m.Perm))
	field("msqid64_ds.msg_stime", unsafe.Offsetof(m.Stime), unsafe.Sizeof(m.Stime))
	field("msqid64_ds.msg_rtime", unsafe.Offsetof(m.Rtime), unsafe.Sizeof(m.Rtime))
	field("msqid64_ds.msg_ctime", unsafe.Offsetof(m.Ctime), unsafe.Sizeof(m.Ctime))
	field("msqid64_ds.msg_cbytes", unsafe.Offsetof(m.Cbytes), unsafe.Sizeof(m.Cbytes))
	field("msqid64_ds.msg_qnum", unsafe.Offsetof(m.Qnum), unsafe.Sizeof(m.Qnum))
	field("msqid64_ds.msg_qbytes", unsafe.Offsetof(m.Qbytes), unsafe.Sizeof(m.Qbytes))
	field("msqid64_ds.msg_lspid", unsafe.Offsetof(m.Lspid), unsafe.Sizeof(m.Lspid))
	field("msqid64_ds.msg_lrpid", unsafe.Offsetof(m.Lrpid), unsafe.Sizeof(m.Lrpid))

	var s SemidDs
	size("semid64_ds", unsafe.Sizeof(s))
	field("semid64_ds.sem_perm", unsafe.Offsetof(s.Perm), unsafe.Sizeof(s.Perm))
	field("semid64_ds.sem_otime", unsafe.Offsetof(s.Otime), unsafe.Sizeof(s.Otime))
	field("semid64_ds.sem_ctime", unsafe.Offsetof(s.Ctime), unsafe.Sizeof(s.Ctime))
	field("semid64_ds.sem_nsems", unsafe.Offsetof(s.Nsems), unsafe.Sizeof(s.Nsems))

	var b Sembuf
	size("sembuf", unsafe.Sizeof(b))
	field("sembuf.sem_num", unsafe.Offsetof(b.Num), unsafe.Sizeof(b.Num))
	field("sembuf.sem_op", unsafe.Offsetof(b.Op), unsafe.Sizeof(b.Op))
	field("sembuf.sem_flg", unsafe.Offsetof(b.Flg), unsafe.Sizeof(b.Flg))

	var h ShmidDs
	size("shmid64_ds", unsafe.Sizeof(h))
	field("shmid64_ds.shm_perm", unsafe.Offsetof(h.Perm), unsafe.Sizeof(h.Perm))
	field("shmid64_ds.shm_segsz", unsafe.Offsetof(h.Size), unsafe.Sizeof(h.Size))
	field("shmid64_ds.shm_atime", unsafe.Offsetof(h.Atime), unsafe.Sizeof(h.Atime))
	field("shmid64_ds.shm_dtime", unsafe.Offsetof(h.Dtime), unsafe.Sizeof(h.Dtime))
	field("shmid64_ds.shm_ctime", unsafe.Offsetof(h.Ctime), unsafe.Sizeof(h.Ctime))
	field("shmid64_ds.shm_cpid", unsafe.Offsetof(h.Cpid), unsafe.Sizeof(h.Cpid))
	field("shmid64_ds.shm_lpid", unsafe.Offsetof(h.Lpid), unsafe.Sizeof(h.Lpid))
	field("shmid64_ds.shm_nattch", unsafe.Offsetof(h.Nattch), unsafe.Sizeof(h.Nattch))

	// struct msgbuf: the type, then the text (char mtext[1] in C).
	field("msgbuf.mtype", 0, MsgHeader)
	field("msgbuf.mtext", MsgHeader, 1)
	return lines
}
