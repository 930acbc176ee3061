package interp

import (
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// ipcs for POSIX objects: those of the run (the journal's, and those
// this process opened), or with `all` what /dev/mqueue and /dev/shm hold.

// posixRecord describes the object kind/pname as it is now, or nil if it
// is gone.
func posixRecord(kind posixKind, pname, name string) *Record {
	r := &Record{}
	add := func(n string, v Value) {
		r.Names = append(r.Names, n)
		r.Values = append(r.Values, v)
	}
	if name != "" {
		add("name", strV(name))
	}
	add("kind", strV(string(kind)))
	add("path", strV(pname))
	if kind == kMq {
		fd, err := ipc.MqOpen(pname, unix.O_RDONLY|unix.O_NONBLOCK, 0, nil)
		if err != nil {
			return nil
		}
		defer ipc.Close(fd)
		var st unix.Stat_t
		a, err := ipc.MqGetattr(fd)
		if err != nil || unix.Fstat(fd, &st) != nil {
			return nil
		}
		add("mode", modeV(int64(st.Mode&0o777)))
		add("messages", intV(a.Curmsgs))
		add("maxmsg", intV(a.Maxmsg))
		add("msgsize", intV(a.Msgsize))
		return r
	}
	path := kind.path(pname)
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return nil
	}
	add("mode", modeV(int64(st.Mode&0o777)))
	if kind == kPsem {
		// The value is the low half of the sem_t's first word, which a
		// read of the file sees as the mappings do (tmpfs has one copy).
		if b, err := os.ReadFile(path); err == nil && len(b) >= 4 {
			add("value", intV(int64(uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24)&0x7fffffff))
		}
		return r
	}
	add("size", intV(st.Size))
	return r
}

func (p *Proc) ipcsPosix(all bool, rows []Value, lines []string) ([]Value, []string) {
	verbose := p.run.cfg.Verbose
	show := func(rec *Record, name string) {
		rows = append(rows, Value{K: KRecord, R: rec})
		line := rec.render(verbose)
		if name != "" {
			line = name + ": " + strings.TrimPrefix(line, "name="+name+" ")
		}
		lines = append(lines, line)
	}
	if !all {
		seen := map[string]bool{}
		var objs []posixEntry
		objs = append(objs, p.run.journal.posixEntries()...)
		objs = append(objs, p.popened...)
		for _, e := range objs {
			k := string(e.kind) + e.pname
			if seen[k] {
				continue
			}
			seen[k] = true
			if rec := posixRecord(e.kind, e.pname, e.name); rec != nil {
				show(rec, e.name)
			}
		}
		return rows, lines
	}
	if !mqueueMounted() {
		lines = append(lines, "(/dev/mqueue is not mounted: POSIX queues cannot be listed; mount -t mqueue none /dev/mqueue)")
	} else if ents, err := os.ReadDir("/dev/mqueue"); err == nil {
		for _, d := range ents {
			if rec := posixRecord(kMq, "/"+d.Name(), ""); rec != nil {
				show(rec, "")
			}
		}
	}
	ents, _ := os.ReadDir("/dev/shm")
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, d := range ents {
		n := d.Name()
		if !d.Type().IsRegular() {
			continue
		}
		kind, pname := kPshm, "/"+n
		if rest, ok := strings.CutPrefix(n, "sem."); ok {
			kind, pname = kPsem, "/"+rest
		}
		if rec := posixRecord(kind, pname, ""); rec != nil {
			show(rec, "")
		}
	}
	return rows, lines
}

// mqueueMounted says whether /dev/mqueue is a mount of the mqueue file
// system (MQUEUE_MAGIC), where the queues show as files.
func mqueueMounted() bool {
	var fs unix.Statfs_t
	return unix.Statfs("/dev/mqueue", &fs) == nil && fs.Type == 0x19800202
}
