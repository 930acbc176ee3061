package interp

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// The deadlock report explains (LANGUAGE.md §5, issue 18): for each
// blocked process, the object it waits on and that object's state as the
// kernel shows it at that moment, who could release it, and — when all of
// those are blocked in turn — the cycle, as a line a person reads. What it
// cannot know it says it does not know, rather than guess.
//
// Three sources, each exact about what it says:
//   - the board: each process writes there what it blocks on (blockObj);
//   - the kernel: semctl, msgctl, and /proc/PID/fd for who holds a pipe;
//   - the events the run printed: who posted a semaphore or sent to a
//     queue (a process under `quiet` prints none, so "no line shows" is
//     all that absence can say).

// blockObj is what a blocking call waits on.
type blockObj struct {
	tag  string // "sem:ID", "msg:ID", "pipe:INO", "fifo:INO", "open:PATH", "proc:NAME"
	how  string // "read", "write", "send", "recv", "wait", "open-r", "open-w", "p", "z", "op"
	n    int64  // a semaphore's index, a message type
	name string // the handle as the script names it: s, q, p.r, a FIFO's path
}

// put writes o into a board slot's field as a C string, fields split by a
// unit separator. It runs before every blocking call, so it builds the
// text in place rather than in a new string.
func (o blockObj) put(dst []byte) {
	b := dst[: 0 : len(dst)-1] // room for the NUL; append past it would reallocate, and is cut
	if o.tag != "" {
		b = append(b, o.tag...)
		b = append(b, 0x1f)
		b = append(b, o.how...)
		b = append(b, 0x1f)
		b = strconv.AppendInt(b, o.n, 10)
		b = append(b, 0x1f)
		if o.name != "" && o.name == tagObject(o.tag) {
			// A path said once: the field must hold a FIFO's path under
			// a long TMPDIR whole, or the report would cut it.
			b = append(b, sameAsTag)
		} else {
			b = append(b, o.name...)
		}
	}
	n := copy(dst[:len(dst)-1], b)
	dst[n] = 0
}

func decodeBlockObj(s string) blockObj {
	f := strings.SplitN(s, "\x1f", 4)
	if len(f) != 4 {
		return blockObj{}
	}
	n, _ := strconv.ParseInt(f[2], 10, 64)
	name := f[3]
	if name == sameAsTagText {
		name = tagObject(f[0])
	}
	return blockObj{tag: f[0], how: f[1], n: n, name: name}
}

// sameAsTag stands for a name that is the tag's own object ("open:PATH"
// and the path).
const (
	sameAsTag     = 0x1e
	sameAsTagText = "\x1e"
)

// tagObject is what follows the kind in a tag: "open:/tmp/f" → "/tmp/f".
func tagObject(tag string) string {
	return tag[strings.IndexByte(tag, ':')+1:]
}

func openHow(flags int) string {
	if flags&unix.O_ACCMODE == unix.O_RDONLY {
		return "open-r"
	}
	return "open-w"
}

// semBlockObj names the semaphore a semop waits on: the first operation
// that can block (a decrement, or a wait for zero).
func semBlockObj(h *semHandle, ops []ipc.Sembuf) blockObj {
	o := blockObj{tag: h.tag, how: "op", name: h.name}
	for _, op := range ops {
		if op.Op <= 0 {
			o.n = int64(op.Num)
			o.how = "p"
			if op.Op == 0 {
				o.how = "z"
			}
			break
		}
	}
	return o
}

// history is what the printed events say about who released what: the
// processes that posted each semaphore (tag and index) or sent to each
// queue, and the types sent. The supervisor writes it; the stall watcher
// reads it.
type history struct {
	mu      sync.Mutex
	posters map[string]map[string]bool // "sem:ID/IDX" or "msg:ID" -> process names
	types   map[string]map[int64]bool  // "msg:ID" -> message types sent
}

func newHistory() *history {
	return &history{posters: map[string]map[string]bool{}, types: map[string]map[int64]bool{}}
}

func (h *history) add(key, proc string) {
	if h.posters[key] == nil {
		h.posters[key] = map[string]bool{}
	}
	h.posters[key][proc] = true
}

// record notes the event if it released something.
func (h *history) record(e *Event) {
	if e.Kind != EvCall || e.Obj == "" || e.Err {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case strings.HasPrefix(e.Obj, "sem:"), strings.HasPrefix(e.Obj, "psem:"):
		// Ops: "0:1 1:-1" for semop, "0=5" for a set.
		for _, op := range strings.Fields(e.Ops) {
			i, d, ok := strings.Cut(op, ":")
			if !ok {
				i, d, ok = strings.Cut(op, "=")
			}
			if v, err := strconv.Atoi(d); ok && err == nil && v > 0 {
				h.add(e.Obj+"/"+i, e.Proc)
			}
		}
	case (strings.HasPrefix(e.Obj, "msg:") || strings.HasPrefix(e.Obj, "mq:")) && e.Verb == "send":
		h.add(e.Obj, e.Proc)
		if h.types[e.Obj] == nil {
			h.types[e.Obj] = map[int64]bool{}
		}
		h.types[e.Obj][e.N] = true
	}
}

func (h *history) who(key string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return sortedKeys(h.posters[key])
}

func (h *history) sentTypes(key string) []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ts []int64
	for t := range h.types[key] {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// waitState is one blocked process as the explanation sees it.
type waitState struct {
	proc  string
	obj   blockObj
	state string   // the object's state, one line
	freer []string // the processes that could release it; nil: unknown
	who   string   // who could release it, in words ("only main posts s[0]")
	what  string   // the wait in a few words, for the chain: "sem s[0] (value 0)"
	self  string   // set when the process itself holds what it waits for
}

// explain adds to a deadlock report the state of what each blocked
// process waits on, and the chain or cycle of waits.
func (r *Runner) explain(rows []stallRow) string {
	members := map[string]int{} // process name -> pid, live processes of the run
	n := int(atomic.LoadUint32(&r.board.header().next))
	for i := 0; i < n; i++ {
		s := r.board.slot(i)
		if st := atomic.LoadUint32(&s.state); st == slotRunning || st == slotBlocked {
			members[cstr(s.name[:])] = int(atomic.LoadInt32(&s.pid))
		}
	}
	blocked := map[string]*waitState{}
	var order []*waitState
	for _, row := range rows {
		ws := &waitState{proc: row.name, obj: row.obj}
		r.describe(ws, members)
		blocked[row.name] = ws
		order = append(order, ws)
	}
	var b strings.Builder
	for _, ws := range order {
		if ws.state != "" {
			fmt.Fprintf(&b, "\n    %s: %s", ws.proc, ws.state)
		}
	}
	// The chain from each process not yet shown in one: follow the only
	// process that could release it while that one is blocked too.
	shown := map[string]bool{}
	for _, ws := range order {
		if shown[ws.proc] || ws.what == "" {
			continue
		}
		line, cycle := chain(ws, blocked, shown)
		if line != "" {
			fmt.Fprintf(&b, "\n  why: %s", line)
			if cycle {
				b.WriteString(": a cycle")
			}
		}
	}
	return b.String()
}

// chain writes the waits starting at ws — "a waits for X ← only b posts
// X ← b waits for Y ← ..." — and says whether it came back to a process
// it passed (a cycle).
func chain(ws *waitState, blocked map[string]*waitState, shown map[string]bool) (string, bool) {
	var parts []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	for cur := ws; ; {
		seen[cur.proc] = true
		shown[cur.proc] = true
		add(cur.proc + " waits for " + cur.what)
		switch {
		case cur.self != "":
			add(cur.self)
			return strings.Join(parts, " ← "), false
		case cur.freer == nil:
			add(cur.who)
			add("ipcsh cannot tell who could end the wait")
			return strings.Join(parts, " ← "), false
		case len(cur.freer) == 0:
			add(cur.who)
			return strings.Join(parts, " ← ") + ": no cycle, but nothing a process of the run does will end it", false
		}
		var live []string
		for _, f := range cur.freer {
			if blocked[f] != nil {
				live = append(live, f)
			}
		}
		add(cur.who)
		if len(live) < len(cur.freer) {
			return strings.Join(parts, " ← ") + ", and not all of them are blocked", false
		}
		if len(live) > 1 {
			return strings.Join(parts, " ← ") + ": each of them is blocked too", false
		}
		next := blocked[live[0]]
		if seen[next.proc] {
			return strings.Join(parts, " ← "), true
		}
		if next.what == "" {
			add(next.proc + " is blocked in a call that ipcsh cannot look into")
			return strings.Join(parts, " ← "), false
		}
		cur = next
	}
}

// describe fills ws from the kernel and the history.
func (r *Runner) describe(ws *waitState, members map[string]int) {
	o := ws.obj
	kind, rest, _ := strings.Cut(o.tag, ":")
	switch kind {
	case "sem":
		r.describeSem(ws, rest, members)
	case "msg":
		r.describeMsg(ws, rest, members)
	case "pipe", "fifo":
		describePipe(ws, rest, members)
	case "open":
		describeOpen(ws, members)
	case "proc":
		ws.what = "its child " + o.name + " to end"
		ws.freer = []string{o.name}
	case "mq":
		r.describeMq(ws, members)
	case "psem":
		r.describePsem(ws, members)
	}
	if r.cfg.Verbose && ws.state != "" {
		ws.state += " [" + o.tag + "]"
	}
}

func (r *Runner) describeSem(ws *waitState, id string, members map[string]int) {
	o := ws.obj
	semid, _ := strconv.Atoi(id)
	idx := int(o.n)
	name := fmt.Sprintf("%s[%d]", o.name, idx)
	val, err := ipc.SemGetVal(semid, idx)
	if err != nil {
		ws.state = fmt.Sprintf("sem %s: cannot be read now (%v)", name, err)
		return
	}
	ncnt, _ := ipc.SemGetNcnt(semid, idx)
	zcnt, _ := ipc.SemGetZcnt(semid, idx)
	last, _ := ipc.SemGetPid(semid, idx)
	ws.state = fmt.Sprintf("sem %s has value %d; %d waiting for it to grow (ncnt), %d for zero (zcnt); last changed by %s", name, val, ncnt, zcnt, r.pidName(last))
	lastName := "" // a process of the run, by name
	if last != 0 {
		lastName = r.board.nameOf(last)
	}
	if o.how == "z" {
		ws.what = fmt.Sprintf("sem %s to reach 0 (value %d)", name, val)
	} else {
		ws.what = fmt.Sprintf("sem %s (value %d)", name, val)
	}
	posters := r.hist.who("sem:" + id + "/" + strconv.Itoa(idx))
	set := map[string]bool{}
	for _, p := range posters {
		if _, ok := members[p]; ok {
			set[p] = true
		}
	}
	switch {
	case len(set) > 0:
		ws.who = listAnd(sortedKeys(set)) + " posted " + name + " in the transcript"
		if len(set) == 1 {
			ws.who = "only " + ws.who
		}
	case lastName != "":
		// Nobody posted it: whoever took it last holds it, as a lock.
		if _, live := members[lastName]; !live {
			ws.freer = []string{}
			ws.who = lastName + " took " + name + " last (sempid) and has ended without posting it"
			return
		}
		set[lastName] = true
		ws.who = lastName + " took " + name + " last (sempid) and has not posted it since"
	default:
		ws.who = "no line of the run posts " + name + " (a process under quiet prints none)"
		return
	}
	if set[ws.proc] && len(set) == 1 {
		ws.self = ws.proc + " itself is the only one that could post it"
		return
	}
	delete(set, ws.proc)
	ws.freer = sortedKeys(set)
}

// listAnd writes names as "a", "a and b", "a, b and c".
func listAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (r *Runner) pidName(pid int) string {
	if pid == 0 {
		return "nobody yet"
	}
	if n := r.board.nameOf(pid); n != "" {
		if r.cfg.Verbose {
			return n + "[" + strconv.Itoa(pid) + "]"
		}
		return n
	}
	return "another process"
}

func (r *Runner) describeMsg(ws *waitState, id string, members map[string]int) {
	o := ws.obj
	msqid, _ := strconv.Atoi(id)
	ds, err := ipc.MsgctlStat(msqid)
	if err != nil {
		ws.state = fmt.Sprintf("queue %s: cannot be read now (%v)", o.name, err)
		return
	}
	ws.state = fmt.Sprintf("queue %s holds %d messages, %d bytes (of %d); last sent by %s, last received by %s",
		o.name, ds.Qnum, ds.Cbytes, ds.Qbytes, r.pidName(int(ds.Lspid)), r.pidName(int(ds.Lrpid)))
	if o.how == "send" {
		ws.what = fmt.Sprintf("room in queue %s (%d of %d bytes used)", o.name, ds.Cbytes, ds.Qbytes)
		ws.who = "any process that receives from " + o.name
		return
	}
	want := "a message"
	if o.n != 0 {
		want = "a message of type " + strconv.FormatInt(o.n, 10)
	}
	ws.what = fmt.Sprintf("%s on queue %s (%d there)", want, o.name, ds.Qnum)
	senders := map[string]bool{}
	for _, p := range r.hist.who("msg:" + id) {
		if _, ok := members[p]; ok {
			senders[p] = true
		}
	}
	types := r.hist.sentTypes("msg:" + id)
	if o.n > 0 && len(types) > 0 {
		var ts []string
		sent := false
		for _, t := range types {
			ts = append(ts, strconv.FormatInt(t, 10))
			sent = sent || t == o.n
		}
		ws.state += "; types sent in the transcript: " + strings.Join(ts, ", ")
		if !sent {
			ws.freer = []string{}
			ws.who = fmt.Sprintf("no line of the run sends type %d to %s", o.n, o.name)
			return
		}
	}
	if len(senders) == 0 {
		ws.freer = []string{}
		ws.who = "no line of the run sends to " + o.name
		return
	}
	if senders[ws.proc] && len(senders) == 1 {
		ws.self = ws.proc + " itself is the only one that sends to it"
		return
	}
	delete(senders, ws.proc)
	ws.freer = sortedKeys(senders)
	ws.who = listAnd(ws.freer) + " sent to " + o.name + " in the transcript"
	if len(ws.freer) == 1 {
		ws.who = "only " + ws.who
	}
}

// pipeEnds lists which processes of the run hold the pipe (or FIFO) of
// inode ino open, for reading and for writing, from /proc/PID/fd and
// fdinfo, and an fd to read its buffered count through.
func pipeEnds(ino string, members map[string]int) (readers, writers []string, peek string) {
	for name, pid := range members {
		if pid <= 0 {
			continue
		}
		dir := "/proc/" + strconv.Itoa(pid)
		fds, _ := os.ReadDir(dir + "/fd")
		r, w := false, false
		for _, fd := range fds {
			// stat follows the link to the pipe or FIFO itself.
			var st unix.Stat_t
			if unix.Stat(dir+"/fd/"+fd.Name(), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO || strconv.FormatUint(st.Ino, 10) != ino {
				continue
			}
			info, _ := os.ReadFile(dir + "/fdinfo/" + fd.Name())
			if flagsOf(string(info))&unix.O_ACCMODE == unix.O_RDONLY {
				r = true
				peek = dir + "/fd/" + fd.Name()
			} else {
				w = true
			}
		}
		if r {
			readers = append(readers, name)
		}
		if w {
			writers = append(writers, name)
		}
	}
	sort.Strings(readers)
	sort.Strings(writers)
	return readers, writers, peek
}

func flagsOf(fdinfo string) int {
	for _, l := range strings.Split(fdinfo, "\n") {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			return int(n)
		}
	}
	return 0
}

// buffered is the number of bytes in a pipe, read through another
// process's fd for it (FIONREAD on a fresh open of /proc/PID/fd/N).
func buffered(peek string) (int, bool) {
	if peek == "" {
		return 0, false
	}
	fd, err := unix.Open(peek, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	defer unix.Close(fd)
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
	return n, err == nil
}

func describePipe(ws *waitState, ino string, members map[string]int) {
	o := ws.obj
	readers, writers, peek := pipeEnds(ino, members)
	base := strings.TrimSuffix(strings.TrimSuffix(o.name, ".r"), ".w")
	bytes := "bytes buffered not known"
	if n, ok := buffered(peek); ok {
		bytes = fmt.Sprintf("%d bytes buffered", n)
	}
	ws.state = fmt.Sprintf("pipe %s: %s; read end open in %s; write end open in %s", base, bytes, listOr(readers, "no process"), listOr(writers, "no process"))
	holders := writers
	end := "write end"
	if o.how == "write" {
		ws.what = fmt.Sprintf("room in pipe %s (%s)", base, bytes)
		holders, end = readers, "read end"
	} else {
		ws.what = fmt.Sprintf("data in pipe %s (%s)", base, bytes)
	}
	endName := base + ".w"
	if end == "read end" {
		endName = base + ".r"
	}
	set := map[string]bool{}
	for _, h := range holders {
		set[h] = true
	}
	if set[ws.proc] && len(set) == 1 {
		if o.how == "read" {
			ws.self = ws.proc + " itself holds the only open " + endName + ": the read ends only at EOF, which needs it closed"
		} else {
			ws.self = ws.proc + " itself holds the only open " + endName
		}
		return
	}
	also := set[ws.proc]
	delete(set, ws.proc)
	ws.freer = sortedKeys(set)
	if len(ws.freer) == 0 {
		ws.who = "no process holds " + endName + " open"
		return
	}
	ws.who = endName + " is open in " + listAnd(ws.freer)
	if also {
		ws.who += " (and in " + ws.proc + " itself: EOF needs every copy closed)"
	}
}

func describeOpen(ws *waitState, members map[string]int) {
	o := ws.obj
	other := "a writer"
	if o.how == "open-w" {
		other = "a reader"
	}
	ws.what = fmt.Sprintf("%s to open FIFO %s", other, o.name)
	ws.state = fmt.Sprintf("FIFO %s: open(2) waits until %s opens the other end", o.name, other)
	ws.freer = []string{}
	ws.who = "no process of the run opens " + o.name + " for " + map[string]string{"a writer": "writing", "a reader": "reading"}[other]
}

func listOr(names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return strings.Join(names, ", ")
}

// releasers is who the history says released key, among the live
// processes: "only a posted X" or "a and b posted X", or "" and nil.
func (r *Runner) releasers(ws *waitState, key, did, what string, members map[string]int) {
	set := map[string]bool{}
	for _, p := range r.hist.who(key) {
		if _, ok := members[p]; ok {
			set[p] = true
		}
	}
	if len(set) == 0 {
		ws.freer = []string{}
		ws.who = "no line of the run " + did + " " + what
		return
	}
	if set[ws.proc] && len(set) == 1 {
		ws.self = ws.proc + " itself is the only one that " + did + " it"
		return
	}
	delete(set, ws.proc)
	ws.freer = sortedKeys(set)
	ws.who = listAnd(ws.freer) + " " + did + " " + what + " in the transcript"
	if len(ws.freer) == 1 {
		ws.who = "only " + ws.who
	}
}

// describeMq explains a wait on a POSIX queue: its messages now, read
// with mq_getattr on a descriptor of its own, and who sent to it.
func (r *Runner) describeMq(ws *waitState, members map[string]int) {
	o := ws.obj
	if fd, err := ipc.MqOpen(o.name, unix.O_RDONLY|unix.O_NONBLOCK, 0, nil); err == nil {
		a, aerr := ipc.MqGetattr(fd)
		_ = unix.Close(fd)
		if aerr == nil {
			ws.state = fmt.Sprintf("POSIX queue %s holds %d of %d messages (msgsize %d)", o.name, a.Curmsgs, a.Maxmsg, a.Msgsize)
			if o.how == "send" {
				ws.what = fmt.Sprintf("room in POSIX queue %s (%d of %d messages)", o.name, a.Curmsgs, a.Maxmsg)
				ws.who = "any process that receives from " + o.name
				return
			}
			ws.what = fmt.Sprintf("a message on POSIX queue %s (%d there)", o.name, a.Curmsgs)
		}
	}
	if ws.what == "" {
		ws.what = "POSIX queue " + o.name
	}
	if o.how == "send" {
		ws.who = "any process that receives from " + o.name
		return
	}
	r.releasers(ws, o.tag, "sends to", o.name, members)
}

// describePsem explains a wait on a POSIX semaphore: a named one's value
// and waiters, read from its file as glibc lays it out, and who posted it.
func (r *Runner) describePsem(ws *waitState, members map[string]int) {
	o := ws.obj
	label := "POSIX semaphore"
	if o.name != "" {
		label += " " + o.name
		if b, err := os.ReadFile("/dev/shm/sem." + strings.TrimPrefix(o.name, "/")); err == nil && len(b) >= 8 {
			data := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
			ws.state = fmt.Sprintf("%s has value %d; %d waiting", label, uint32(data), data>>32)
			label = fmt.Sprintf("%s (value %d)", label, uint32(data))
		}
	}
	ws.what = label
	r.releasers(ws, o.tag+"/0", "posts", "it", members)
}
