package interp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// POSIX objects in the journal. They have no id, only a name, and a name
// is reused as soon as it is free: so each line records the inode the
// object had when the run made it, and nothing is unlinked unless the
// name still leads to that inode and that owner. Lines:
//
//	pobj KIND INO KEEP UID PID VAR /name   KIND is mq, psem or pshm
//
// The POSIX name comes last because it may hold spaces.

// posixKind is a kind of POSIX object.
type posixKind string

const (
	kMq   posixKind = "mq"
	kPsem posixKind = "psem"
	kPshm posixKind = "pshm"
)

// noun is the kind in a sentence.
func (k posixKind) noun() string {
	switch k {
	case kMq:
		return "POSIX queue"
	case kPsem:
		return "POSIX semaphore"
	}
	return "POSIX shared memory object"
}

// path is where the object shows in the file system ("" for a queue
// when /dev/mqueue is not mounted: see mqPath).
func (k posixKind) path(name string) string {
	rest := strings.TrimPrefix(name, "/")
	switch k {
	case kMq:
		return "/dev/mqueue/" + rest
	case kPsem:
		return "/dev/shm/sem." + rest
	}
	return "/dev/shm/" + rest
}

type posixEntry struct {
	kind  posixKind
	ino   uint64
	keep  bool
	uid   int
	pid   int
	name  string // the variable the run bound
	pname string // "/jobs"
}

// createdPosix records a POSIX object this run made, before it is used.
func (j *journal) createdPosix(e posixEntry) error {
	keep := 0
	if e.keep {
		keep = 1
	}
	e.uid = os.Geteuid()
	line := fmt.Sprintf("pobj %s %d %d %d %d %s %s\n", e.kind, e.ino, keep, e.uid, e.pid, e.name, e.pname)
	if strings.ContainsAny(e.pname, "\n") {
		return errors.New("a name with a newline cannot be journalled")
	}
	if err := j.append(line); err != nil {
		return err
	}
	j.mu.Lock()
	j.pmine = append(j.pmine, e)
	j.mu.Unlock()
	return nil
}

// posixEntries reads the POSIX objects of the journal at path.
func readPosixJournal(path string) ([]posixEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []posixEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.SplitN(sc.Text(), " ", 8)
		if len(fs) != 8 || fs[0] != "pobj" || !strings.HasPrefix(fs[7], "/") {
			continue
		}
		e := posixEntry{kind: posixKind(fs[1]), name: fs[6], pname: fs[7]}
		var err1, err2, err3 error
		var keep int
		e.ino, err1 = strconv.ParseUint(fs[2], 10, 64)
		keep, err2 = strconv.Atoi(fs[3])
		e.uid, err3 = strconv.Atoi(fs[4])
		e.pid, _ = strconv.Atoi(fs[5])
		if err1 != nil || err2 != nil || err3 != nil {
			continue // a torn line of a killed process
		}
		e.keep = keep == 1
		out = append(out, e)
	}
	return out, sc.Err()
}

// posixEntries is what this run's journal lists, and what this process
// recorded if the file is gone.
func (j *journal) posixEntries() []posixEntry {
	j.mu.Lock()
	path := j.path
	mine := append([]posixEntry(nil), j.pmine...)
	j.mu.Unlock()
	var objs []posixEntry
	if path != "" {
		objs, _ = readPosixJournal(path)
	}
	seen := map[string]bool{}
	for _, e := range objs {
		seen[string(e.kind)+e.pname] = true
	}
	for _, e := range mine {
		if !seen[string(e.kind)+e.pname] {
			objs = append(objs, e)
		}
	}
	return objs
}

// inode is the inode and owner the object's name leads to now.
func (e posixEntry) inode() (ino uint64, uid int, err error) {
	if e.kind == kMq {
		// /dev/mqueue may not be mounted; a descriptor of the queue can
		// always be asked (fstat on it describes the queue's inode).
		fd, err := ipc.MqOpen(e.pname, unix.O_RDONLY|unix.O_NONBLOCK, 0, nil)
		if err == unix.EACCES {
			fd, err = ipc.MqOpen(e.pname, unix.O_WRONLY|unix.O_NONBLOCK, 0, nil)
		}
		if err != nil {
			return 0, 0, err
		}
		defer ipc.Close(fd)
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return 0, 0, err
		}
		return st.Ino, int(st.Uid), nil
	}
	var st unix.Stat_t
	if err := unix.Lstat(e.kind.path(e.pname), &st); err != nil {
		return 0, 0, err
	}
	return st.Ino, int(st.Uid), nil
}

// unlink removes the object's name, if it still is the object the run made.
func (e posixEntry) unlink() (bool, error) {
	ino, uid, err := e.inode()
	if err != nil || ino != e.ino || uid != e.uid {
		return false, nil // gone, or someone else's by now
	}
	switch e.kind {
	case kMq:
		err = ipc.MqUnlink(e.pname)
	case kPsem:
		err = ipc.SemUnlink(e.pname)
	default:
		err = ipc.ShmUnlink(e.pname)
	}
	if err == unix.ENOENT {
		return false, nil
	}
	return err == nil, err
}

// removePosix unlinks the entries that were not kept.
func removePosix(objs []posixEntry) (removed []posixEntry, errs []error) {
	for _, e := range objs {
		if e.keep {
			continue
		}
		ok, err := e.unlink()
		if err != nil {
			errs = append(errs, fmt.Errorf("unlinking %s %s %q: %w", e.kind.noun(), e.name, e.pname, err))
			continue
		}
		if ok {
			removed = append(removed, e)
		}
	}
	return removed, errs
}

// cleanPosix is Clean's part for POSIX objects of a dead run's journal.
func cleanPosix(w io.Writer, path string, pid int) (int, []error) {
	objs, err := readPosixJournal(path)
	if err != nil {
		return 0, []error{err}
	}
	gone, errs := removePosix(objs)
	for _, e := range gone {
		fmt.Fprintf(w, "unlinked %s %s %q, left by run %d\n", e.kind.noun(), e.name, e.pname, pid)
	}
	return len(gone), errs
}
