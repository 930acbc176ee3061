package interp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// The journal is how a run's SysV objects are removed even when the run
// cannot do it itself (DESIGN.md, clean-up you can trust). Every process of
// the run appends a line for each object it creates, before using it, to
// one file named after the run's main process. At its end the main process
// removes what the journal lists (unless `keep`) and the journal with it;
// a run killed with SIGKILL leaves the journal, and `ipcsh clean` finds it
// by the dead pid and removes what it lists.
//
// Lines, each written with one append:
//
//	obj KIND ID KEY KEEP UID PID NAME   an object created by process PID
//	tmp PATH                            the run's tmp directory
//
// The file name carries the main pid and its start time, so a later
// process that reuses the pid is not mistaken for the run.

type journal struct {
	mu    sync.Mutex
	path  string // empty until first needed (in main: computed then)
	fd    int    // -1 until the file is opened
	child bool   // a child's: it appends to its run's, never makes a path
	// mine is what this process recorded, kept in memory too: if the
	// journal file is lost (its directory removed under a running run),
	// the main process still removes its own objects.
	mine  []journalEntry
	pmine []posixEntry // the same for POSIX objects (pjournal.go)
}

type journalEntry struct {
	kind sysvKind
	id   int
	key  int32
	keep bool
	uid  int
	pid  int
	name string
}

func newJournal(path string) *journal { return &journal{path: path, fd: -1} }

// journalDir is where journals live: $IPCSH_JOURNAL_DIR (for tests), else
// $XDG_RUNTIME_DIR/ipcsh, else /tmp/ipcsh-UID — never $TMPDIR, so that
// `ipcsh clean` finds them from any shell.
func journalDir() string {
	if d := os.Getenv("IPCSH_JOURNAL_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return filepath.Join(d, "ipcsh")
		}
	}
	return "/tmp/ipcsh-" + strconv.Itoa(os.Getuid())
}

// ensureDir makes the journal directory private to this user, and refuses
// one that someone else made (a symlink or a directory of another owner in
// a shared /tmp would let them choose what clean removes).
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Getuid() || st.Mode&0o077 != 0 {
		return fmt.Errorf("%s is not a private directory of uid %d", dir, os.Getuid())
	}
	return nil
}

// startTime is field 22 of /proc/PID/stat: when the process started, in
// clock ticks since boot. With the pid it names a process for good.
func startTime(pid int) (string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 20 {
		return "", errors.New("short /proc stat")
	}
	return f[19], nil
}

// runs counts the runs of this process: a process with several sessions
// (tests, tools embedding the interpreter) keeps a journal for each.
var runs atomic.Int64

// mainJournalPath names the journal of a run whose main process is this
// one: run-PID-START-N.journal.
func mainJournalPath() (string, error) {
	st, err := startTime(os.Getpid())
	if err != nil {
		return "", err
	}
	return filepath.Join(journalDir(), fmt.Sprintf("run-%d-%s-%d.journal", os.Getpid(), st, runs.Add(1))), nil
}

// journalPath is the path a child appends to: the run's journal, whoever
// creates the file first. "" if it cannot be known (the child then fails
// to journal, and so refuses to create, rather than leak).
func (r *Runner) journalPath() string {
	r.journal.mu.Lock()
	defer r.journal.mu.Unlock()
	p, _ := r.journal.pathFor()
	return p
}

// pathFor returns the journal's path, deciding it on first use in main.
func (j *journal) pathFor() (string, error) {
	if j.path == "" && j.child {
		return "", errors.New("no journal was passed to this child")
	}
	if j.path == "" {
		p, err := mainJournalPath()
		if err != nil {
			return "", err
		}
		j.path = p
	}
	return j.path, nil
}

func (j *journal) append(line string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fd < 0 {
		path, err := j.pathFor()
		if err != nil {
			return err
		}
		if err := ensureDir(filepath.Dir(path)); err != nil {
			return err
		}
		fd, err := ipc.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		j.fd = fd
	}
	// One write(2) with O_APPEND: lines of concurrent processes never mix.
	_, err := ipc.Write(j.fd, []byte(line))
	return err
}

// created records an object this run made.
func (j *journal) created(o *sysvObj, pid int) error {
	keep := 0
	if o.keep {
		keep = 1
	}
	line := fmt.Sprintf("obj %s %d %d %d %d %d %s\n", o.kind, o.id, o.key, keep, os.Geteuid(), pid, o.name)
	if err := j.append(line); err != nil {
		return err
	}
	j.mu.Lock()
	j.mine = append(j.mine, journalEntry{kind: o.kind, id: o.id, key: o.key, keep: o.keep, uid: os.Geteuid(), pid: pid, name: o.name})
	j.mu.Unlock()
	return nil
}

// tmpdir records the run's tmp directory.
func (j *journal) tmpdir(path string) error { return j.append("tmp " + path + "\n") }

// entries reads the objects of the journal, in the order they were made.
func (j *journal) entries() []journalEntry {
	j.mu.Lock()
	path := j.path
	j.mu.Unlock()
	if path == "" {
		return nil
	}
	objs, _, _ := readJournal(path)
	return objs
}

func readJournal(path string) (objs []journalEntry, tmps []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 8)
		switch {
		case len(f) == 2 && f[0] == "tmp":
			tmps = append(tmps, f[1])
		case len(f) == 8 && f[0] == "obj":
			var e journalEntry
			var key int64
			var keep int
			var perr error
			e.kind = sysvKind(f[1])
			for _, x := range []struct {
				s   string
				dst *int
			}{{f[2], &e.id}, {f[4], &keep}, {f[5], &e.uid}, {f[6], &e.pid}} {
				if *x.dst, perr = strconv.Atoi(x.s); perr != nil {
					break
				}
			}
			if key, err = strconv.ParseInt(f[3], 10, 32); err != nil || perr != nil {
				continue // a torn line of a killed process: nothing to trust
			}
			e.key, e.keep, e.name = int32(key), keep == 1, f[7]
			objs = append(objs, e)
		}
	}
	return objs, tmps, sc.Err()
}

// stillOurs checks that id still names the object the journal recorded —
// same kind, key and creator uid, and for a segment the creating pid —
// before anything removes it: ids are reused once an object is gone.
func (e journalEntry) stillOurs() bool {
	switch e.kind {
	case kMsg:
		ds, err := ipc.MsgctlStat(e.id)
		return err == nil && ds.Perm.Key == e.key && int(ds.Perm.Cuid) == e.uid
	case kShm:
		ds, err := ipc.ShmctlStat(e.id)
		return err == nil && ds.Perm.Key == e.key && int(ds.Perm.Cuid) == e.uid && int(ds.Cpid) == e.pid
	case kSem:
		ds, err := ipc.SemctlStat(e.id)
		return err == nil && ds.Perm.Key == e.key && int(ds.Perm.Cuid) == e.uid
	}
	return false
}

// finish removes every object of the run that was not kept, then the
// journal. Only the main process calls it, once its children are gone.
func (j *journal) finish() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.fd < 0 && j.path == "" {
		return nil
	}
	if j.fd >= 0 {
		_ = ipc.Close(j.fd)
		j.fd = -1
	}
	objs, _, _ := readJournal(j.path)
	seen := map[string]bool{}
	for _, e := range objs {
		seen[fmt.Sprint(e.kind, e.id)] = true
	}
	for _, e := range j.mine {
		if !seen[fmt.Sprint(e.kind, e.id)] {
			objs = append(objs, e)
		}
	}
	_, errs := removeObjects(objs)
	j.mu.Unlock()
	_, perrs := removePosix(j.posixEntries())
	j.mu.Lock()
	errs = append(errs, perrs...)
	if len(errs) == 0 {
		_ = os.Remove(j.path)
	}
	return errors.Join(errs...)
}

// removeObjects removes the objects of a journal that were not kept and
// still are what it recorded; one already gone is not an error.
func removeObjects(objs []journalEntry) (removed []journalEntry, errs []error) {
	for _, e := range objs {
		if e.keep || !e.stillOurs() {
			continue
		}
		if err := rmid(e.kind, e.id); err != nil && err != unix.EINVAL && err != unix.EIDRM {
			errs = append(errs, fmt.Errorf("removing %s %s key=%s (id %d): %w", e.kind.noun(), e.name, keyText(e.key), e.id, err))
			continue
		}
		removed = append(removed, e)
	}
	return removed, errs
}

// Clean removes what runs killed with SIGKILL left behind: the SysV
// objects their journals list (after checking each is still theirs) and
// their tmp directories. Journals of runs still alive are left alone. It
// reports each removal on w and returns how many things it removed.
func Clean(w io.Writer) (int, error) {
	dir := journalDir()
	paths, err := filepath.Glob(filepath.Join(dir, "run-*.journal"))
	if err != nil {
		return 0, err
	}
	removed := 0
	var errs []error
	for _, path := range paths {
		pid, start, ok := parseJournalName(filepath.Base(path))
		if !ok {
			continue
		}
		if st, err := startTime(pid); err == nil && st == start {
			fmt.Fprintf(w, "run %d is still running: left alone\n", pid)
			continue
		}
		objs, tmps, err := readJournal(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		gone, rmErrs := removeObjects(objs)
		for _, e := range gone {
			fmt.Fprintf(w, "removed %s %s key=%s (id %d), left by run %d\n", e.kind.noun(), e.name, keyText(e.key), e.id, pid)
		}
		removed += len(gone)
		errs = append(errs, rmErrs...)
		n, perrs := cleanPosix(w, path, pid)
		removed += n
		errs = append(errs, perrs...)
		failed := len(rmErrs) > 0 || len(perrs) > 0
		for _, t := range tmps {
			// Only what looks like a tmp directory of ipcsh's own.
			if !strings.HasPrefix(filepath.Base(t), "ipcsh-") || !filepath.IsAbs(t) {
				continue
			}
			if _, err := os.Lstat(t); err != nil {
				continue
			}
			if err := os.RemoveAll(t); err != nil {
				errs = append(errs, err)
				failed = true
				continue
			}
			fmt.Fprintf(w, "removed directory %s, left by run %d\n", t, pid)
			removed++
		}
		if !failed {
			_ = os.Remove(path)
		}
	}
	return removed, errors.Join(errs...)
}

// parseJournalName reads run-PID-START-N.journal.
func parseJournalName(base string) (pid int, start string, ok bool) {
	s, ok := strings.CutPrefix(base, "run-")
	if !ok {
		return 0, "", false
	}
	s, ok = strings.CutSuffix(s, ".journal")
	if !ok {
		return 0, "", false
	}
	p, rest, ok := strings.Cut(s, "-")
	if !ok {
		return 0, "", false
	}
	start, _, _ = strings.Cut(rest, "-")
	pid, err := strconv.Atoi(p)
	return pid, start, err == nil
}
