package ipc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// SysVObject is one SysV object of the system (of this IPC namespace), as
// /proc/sysvipc lists it: what `ipcs` shows, for any owner, without
// needing permission to IPC_STAT it.
type SysVObject struct {
	Kind   string // "msg", "shm" or "sem"
	Key    int32  // the kernel's key_t; show it with KeyHex
	ID     int
	Mode   uint32 // permission bits; for shm also SHM_DEST, SHM_LOCKED
	Owner  uint32 // uid of the owner
	Cuid   uint32 // uid of the creator
	Cpid   int    // shm: creator process
	Lpid   int    // shm: last shmat/shmdt
	Lspid  int    // msg: last msgsnd
	Lrpid  int    // msg: last msgrcv
	Size   uint64 // shm: bytes; msg: bytes of text queued (cbytes)
	Count  uint64 // msg: messages queued (qnum); sem: semaphores (nsems)
	Nattch uint64 // shm: attachments
	Ctime  int64  // creation or last change, seconds since the epoch
}

// KeyHex shows the key as ipcs does, 0x%08x of its 32 bits: 0x80000000,
// never a negative number.
func (o SysVObject) KeyHex() string {
	return fmt.Sprintf("0x%08x", uint32(o.Key))
}

// ListSysV returns every message queue, shared memory segment and
// semaphore set of the system, in that order.
func ListSysV() ([]SysVObject, error) {
	var all []SysVObject
	for _, kind := range []string{"msg", "shm", "sem"} {
		path := "/proc/sysvipc/" + kind
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		objs, err := parseSysV(kind, data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, objs...)
	}
	return all, nil
}

// parseSysV reads one /proc/sysvipc file. Columns are found by the names in
// its header line, not by position, because kernels have added columns over
// time (shm's rss and swap).
func parseSysV(kind string, data []byte) ([]SysVObject, error) {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	col := map[string]int{}
	for i, name := range strings.Fields(string(lines[0])) {
		col[name] = i
	}
	idCol := map[string]string{"msg": "msqid", "shm": "shmid", "sem": "semid"}[kind]
	for _, name := range []string{"key", idCol, "perms", "uid", "cuid", "ctime"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("no %q column in header %q", name, lines[0])
		}
	}

	var objs []SysVObject
	for n, line := range lines[1:] {
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			continue
		}
		var bad error
		// num parses the named column with the given base and bit size; a
		// column this kernel does not print reads as 0.
		num := func(name string, base, bits int, signed bool) int64 {
			i, ok := col[name]
			if !ok || bad != nil {
				return 0
			}
			if i >= len(fields) {
				bad = fmt.Errorf("line %d: no %s column", n+2, name)
				return 0
			}
			var v int64
			var err error
			if signed {
				v, err = strconv.ParseInt(fields[i], base, bits)
			} else {
				var u uint64
				u, err = strconv.ParseUint(fields[i], base, bits)
				v = int64(u)
			}
			if err != nil {
				bad = fmt.Errorf("line %d: %s: %w", n+2, name, err)
			}
			return v
		}
		o := SysVObject{
			Kind:  kind,
			Key:   int32(num("key", 10, 32, true)), // printed as a signed int
			ID:    int(num(idCol, 10, 32, true)),
			Mode:  uint32(num("perms", 8, 32, false)),
			Owner: uint32(num("uid", 10, 32, false)),
			Cuid:  uint32(num("cuid", 10, 32, false)),
			Cpid:  int(num("cpid", 10, 32, true)),
			Lpid:  int(num("lpid", 10, 32, true)),
			Lspid: int(num("lspid", 10, 32, true)),
			Lrpid: int(num("lrpid", 10, 32, true)),
			Ctime: num("ctime", 10, 64, true),
		}
		switch kind {
		case "msg":
			o.Size = uint64(num("cbytes", 10, 64, false))
			o.Count = uint64(num("qnum", 10, 64, false))
		case "shm":
			o.Size = uint64(num("size", 10, 64, false))
			o.Nattch = uint64(num("nattch", 10, 64, false))
		case "sem":
			o.Count = uint64(num("nsems", 10, 64, false))
		}
		if bad != nil {
			return nil, bad
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// SysVLimits are the system-wide SysV limits from /proc/sys/kernel, for
// explaining EINVAL, ENOSPC and E2BIG to the user.
type SysVLimits struct {
	MsgMax uint64 // largest message text, bytes (msgmax)
	MsgMnb uint64 // default Qbytes of a new queue (msgmnb)
	MsgMni uint64 // most queues (msgmni)
	ShmMax uint64 // largest segment, bytes (shmmax)
	ShmAll uint64 // all segments together, pages (shmall)
	ShmMni uint64 // most segments (shmmni)
	SemMsl uint64 // most semaphores per set (sem, 1st field)
	SemMns uint64 // most semaphores in all sets (2nd)
	SemOpm uint64 // most operations per semop call (3rd)
	SemMni uint64 // most sets (4th)
}

// Limits reads the current limits.
func Limits() (SysVLimits, error) {
	var l SysVLimits
	files := []struct {
		name string
		dst  []*uint64
	}{
		{"msgmax", []*uint64{&l.MsgMax}},
		{"msgmnb", []*uint64{&l.MsgMnb}},
		{"msgmni", []*uint64{&l.MsgMni}},
		{"shmmax", []*uint64{&l.ShmMax}},
		{"shmall", []*uint64{&l.ShmAll}},
		{"shmmni", []*uint64{&l.ShmMni}},
		{"sem", []*uint64{&l.SemMsl, &l.SemMns, &l.SemOpm, &l.SemMni}},
	}
	for _, f := range files {
		path := "/proc/sys/kernel/" + f.name
		data, err := os.ReadFile(path)
		if err != nil {
			return SysVLimits{}, err
		}
		fields := strings.Fields(string(data))
		if len(fields) != len(f.dst) {
			return SysVLimits{}, fmt.Errorf("%s: %d numbers, want %d", path, len(fields), len(f.dst))
		}
		for i, s := range fields {
			if *f.dst[i], err = strconv.ParseUint(s, 10, 64); err != nil {
				return SysVLimits{}, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return l, nil
}
