package interp

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// What the three SysV kinds share: how a statement names a key and asks
// for an object (msgget, shmget, semget), the handle that results, and the
// record of what a run created, so that it is removed at the end.

// sysvKind is "msg", "shm" or "sem", as /proc/sysvipc names them.
type sysvKind string

const (
	kMsg sysvKind = "msg"
	kShm sysvKind = "shm"
	kSem sysvKind = "sem"
)

// noun is the kind in a sentence: "queue", "segment", "semaphore set".
func (k sysvKind) noun() string {
	switch k {
	case kMsg:
		return "queue"
	case kShm:
		return "segment"
	}
	return "semaphore set"
}

// sysvObj is the part every SysV handle has: the kernel's id and key, and
// whether this run made it.
type sysvObj struct {
	name    string
	kind    sysvKind
	id      int
	key     int32
	created bool // a create of this run made it (it is journalled)
	keep    bool
	removed bool // rmid or ipcrm by this process
	// tag names the object in events, "msg:ID" (computed once: a busy
	// loop's statements must not format it each time).
	tag string
}

func (o *sysvObj) setTag() { o.tag = string(o.kind) + ":" + strconv.Itoa(o.id) }

func (o *sysvObj) Name() string { return o.name }
func (o *sysvObj) Verbose() string {
	return fmt.Sprintf("%s(%s id %d)", o.name, o.kind, o.id)
}

// field gives every SysV handle its kernel numbers, with or without -v:
// -v changes what the transcript shows, never a value. The key is the 32
// bits read as unsigned, as scripts and ftok() write keys.
func (o *sysvObj) field(name string) (Value, bool) {
	switch name {
	case "id":
		return intV(int64(o.id)), true
	case "key":
		return intV(int64(uint32(o.key))), true
	}
	return Value{}, false
}

// obj gives the common part of any SysV handle.
type sysvHandle interface {
	Handle
	obj() *sysvObj
}

func (o *sysvObj) obj() *sysvObj { return o }

// keyText shows a key as people write it: private, or 32-bit hex.
func keyText(key int32) string {
	if key == 0 {
		return "private"
	}
	return "0x" + strconv.FormatUint(uint64(uint32(key)), 16)
}

// getRequest is what msgget, shmget and semget ask for.
type getRequest struct {
	key           int
	create, excl  bool
	keep, private bool
	mode          uint32
	byID          bool // id=: open the object with IPC id `id` (sysvid.go)
	id            int
}

// request reads the key= and create/excl/keep/mode= of a get statement.
// A key is any 32-bit value (0x80000000 and above too) or `private`.
func (c *command) request() (getRequest, error) {
	if idv, ok := c.opt("id"); ok {
		return c.idRequest(idv)
	}
	v, _ := c.opt("key")
	if v.K != KInt {
		return getRequest{}, errorf(c.pos, "%s: key= expects an int (42, 0x1234, ftok(path, id)) or private, found %s", c.verb, v.typeName())
	}
	if v.I < -1<<31 || v.I > 1<<32-1 {
		return getRequest{}, errorf(c.pos, "%s: key %s does not fit in 32 bits (keys are key_t, a 32-bit int)", c.verb, hexText(v.I))
	}
	mode, err := c.mode(0o600)
	if err != nil {
		return getRequest{}, errorf(c.pos, "%s: %v", c.verb, err)
	}
	// The mode is msgget's msgflg, where 01000 and 02000 are IPC_CREAT and
	// IPC_EXCL. Passed as bits, they would make an object the run does
	// not know it made, and so would never remove: they are the words
	// create and excl. Every other bit goes to the kernel as C passes it.
	if mode&(unix.IPC_CREAT|unix.IPC_EXCL) != 0 {
		return getRequest{}, errorf(c.pos, "%s: mode %s holds IPC_CREAT or IPC_EXCL (01000, 02000): write create or excl instead", c.verb, modeText(int64(mode)))
	}
	r := getRequest{key: int(v.I), create: c.flags["create"], excl: c.flags["excl"], keep: c.flags["keep"], mode: mode}
	r.private = uint32(r.key) == 0
	// excl without create is passed on as C passes IPC_EXCL alone: the
	// kernel ignores it, so a missing key is ENOENT and an existing one opens.
	return r, nil
}

func hexText(n int64) string {
	if n < 0 {
		return "-0x" + strconv.FormatUint(uint64(-n), 16)
	}
	return "0x" + strconv.FormatInt(n, 16)
}

// get opens or creates the object as the request says. It finds out
// whether this statement made the object — that decides semget's init= and
// what the run removes at its end — by asking for an exclusive create
// first, and opening the existing object if the key is taken and the
// script did not insist on excl.
func (p *Proc) get(c *command, kind sysvKind, rq getRequest, get func(flags int) (int, error)) (*sysvObj, error) {
	if rq.byID {
		return p.getByID(c, kind, rq)
	}
	o := &sysvObj{name: c.boundName(), kind: kind, key: int32(uint32(rq.key)), keep: rq.keep}
	var id int
	var err error
	// Opening passes the mode too, as msgget(key, mode) does in C: the
	// kernel checks it against the object's permissions, so a process
	// that may not read or write gets EACCES here, not at its first use.
	mode := int(rq.mode)
	if rq.excl {
		mode |= unix.IPC_EXCL
	}
	switch {
	case rq.private:
		// IPC_PRIVATE always makes a new object, with or without create.
		id, err = get(unix.IPC_CREAT | mode)
		o.created = err == nil
	case rq.create:
		id, err = get(unix.IPC_CREAT | unix.IPC_EXCL | mode)
		o.created = err == nil
		if err == unix.EEXIST && !rq.excl {
			id, err = get(mode)
		}
	default:
		id, err = get(mode)
	}
	if err != nil {
		return nil, p.fail(c, PhaseOnce, err, p.explainGet(kind, rq, err))
	}
	o.id = id
	o.setTag()
	if o.created {
		if err := p.run.journal.created(o, unix.Getpid()); err != nil {
			// An object nobody would remove is worse than a failed statement.
			rmid(kind, id)
			return nil, errorf(c.pos, "%s: cannot record the new %s for clean-up: %v", c.verb, kind.noun(), err)
		}
	}
	return o, nil
}

func (p *Proc) explainGet(kind sysvKind, rq getRequest, err error) string {
	switch err {
	case unix.ENOENT:
		return fmt.Sprintf("no %s has key %s (add create to make one)", kind.noun(), keyText(int32(uint32(rq.key))))
	case unix.EEXIST:
		return fmt.Sprintf("key %s already has a %s (drop excl, or ipcrm it)", keyText(int32(uint32(rq.key))), kind.noun())
	case unix.EACCES:
		if st, ok := findByKey(kind, int32(uint32(rq.key))); ok {
			return fmt.Sprintf("the %s with key %s has mode 0%o, owner uid %d; this process is uid %d", kind.noun(), keyText(st.Key), st.Mode&0o777, st.Owner, unix.Geteuid())
		}
	case unix.ENOSPC:
		return fmt.Sprintf("the system's limit on %ss is reached (/proc/sys/kernel/%s)", kind.noun(), map[sysvKind]string{kMsg: "msgmni", kShm: "shmmni", kSem: "sem"}[kind])
	}
	return ""
}

func findByKey(kind sysvKind, key int32) (ipc.SysVObject, bool) {
	all, err := ipc.ListSysV()
	if err != nil {
		return ipc.SysVObject{}, false
	}
	for _, o := range all {
		if o.Kind == string(kind) && o.Key == key {
			return o, true
		}
	}
	return ipc.SysVObject{}, false
}

// unreadable looks up an object that this process opened but may not
// read: IPC_STAT needs read permission, opening with mode=0 does not (C's
// shmget(key, 0, 0) succeeds on anyone's segment). /proc/sysvipc shows
// every object to everyone, so the size is still known.
func unreadable(kind sysvKind, id int, err error) (ipc.SysVObject, bool) {
	if err != unix.EACCES {
		return ipc.SysVObject{}, false
	}
	all, lerr := ipc.ListSysV()
	if lerr != nil {
		return ipc.SysVObject{}, false
	}
	for _, o := range all {
		if o.Kind == string(kind) && o.ID == id {
			return o, true
		}
	}
	return ipc.SysVObject{}, false
}

// rmid removes an object by id, whatever its kind.
func rmid(kind sysvKind, id int) error {
	switch kind {
	case kMsg:
		return ipc.MsgctlRmid(id)
	case kShm:
		return ipc.ShmctlRmid(id)
	}
	return ipc.SemctlRmid(id)
}

// sysvParam returns positional parameter i as a SysV object of kind.
func (c *command) sysvParam(i int, kind sysvKind) (*sysvObj, Value, error) {
	v := c.param(i)
	if v.K == KHandle {
		if h, ok := v.R.(sysvHandle); ok && h.obj().kind == kind {
			return h.obj(), v, nil
		}
	}
	return nil, v, errorf(c.pos, "%s: expected a %s, found %s", c.verb, kind.noun(), v.typeName())
}

// idErr explains the errors of a call on an object that existed once.
func (o *sysvObj) idErr(err error) string {
	switch err {
	case unix.EIDRM:
		return fmt.Sprintf("%s was removed while this process waited on it", o.name)
	case unix.EINVAL:
		if o.removed {
			return fmt.Sprintf("%s was removed by this process", o.name)
		}
		if !o.exists() {
			return fmt.Sprintf("%s no longer exists (removed by another process, or ipcrm)", o.name)
		}
	}
	return ""
}

// exists says whether the object's id still names an object of its kind.
func (o *sysvObj) exists() bool {
	var err error
	switch o.kind {
	case kMsg:
		_, err = ipc.MsgctlStat(o.id)
	case kShm:
		_, err = ipc.ShmctlStat(o.id)
	default:
		_, err = ipc.SemctlStat(o.id)
	}
	return err == nil
}

// execIpcrm removes a queue, segment or semaphore set now.
func execIpcrm(p *Proc, c *command) (Value, error) {
	if err := c.eval(p); err != nil {
		return Value{}, err
	}
	v := c.param(0)
	h, ok := v.R.(sysvHandle)
	if v.K != KHandle || !ok {
		return Value{}, errorf(c.pos, "ipcrm: expected a queue, segment or semaphore set, found %s", v.typeName())
	}
	return Value{}, p.remove(c, h.obj())
}

// remove is IPC_RMID for ipcrm and the rmid of msgctl, shmctl, semctl. It
// publishes: removing wakes every waiter with EIDRM.
func (p *Proc) remove(c *command, o *sysvObj) error {
	p.publish(c)
	if err := rmid(o.kind, o.id); err != nil {
		return p.fail(c, PhasePublish, err, o.idErr(err))
	}
	o.removed = true
	return nil
}

// execIpcs lists the SysV objects of this run, or with `all` of the system.
func execIpcs(p *Proc, c *command) (Value, error) {
	all, err := ipc.ListSysV()
	if err != nil {
		return Value{}, p.fail(c, PhaseOnce, err, "reading /proc/sysvipc")
	}
	verbose := p.run.cfg.Verbose
	var rows []Value
	var lines []string
	show := func(o ipc.SysVObject, name string) {
		rec := objRecord(o, name)
		rows = append(rows, Value{K: KRecord, R: rec})
		// One line per object, its name first when the run bound one.
		line := rec.render(verbose)
		if name != "" {
			line = name + ": " + strings.TrimPrefix(line, "name="+name+" ")
		}
		lines = append(lines, line)
	}
	if c.flags["all"] {
		for _, o := range all {
			show(o, "")
		}
	} else {
		for _, m := range p.runObjects() {
			for _, o := range all {
				if o.Kind == string(m.kind) && o.ID == m.id {
					show(o, m.name)
				}
			}
		}
	}
	rows, lines = p.ipcsPosix(c.flags["all"], rows, lines)
	if p.emitting() {
		p.done(c, PhaseOnce, plural(len(rows), "object"))
		for _, l := range lines {
			p.emit(EvDetail, PhaseOnce, c.pos, "", "  "+l)
		}
	}
	return Value{K: KList, R: &List{Items: rows}}, nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// objRecord is one line of ipcs. It shows the id only with -v, as the
// transcript does everywhere; the name is the one this run bound, if any.
func objRecord(o ipc.SysVObject, name string) *Record {
	r := &Record{}
	add := func(n string, v Value) {
		r.Names = append(r.Names, n)
		r.Values = append(r.Values, v)
	}
	if name != "" {
		add("name", strV(name))
	}
	add("kind", strV(o.Kind))
	add("key", strV(keyText(o.Key)))
	// The id is in the record with or without -v (-v changes what is
	// shown, never a value); only its display depends on -v.
	add("id", intV(int64(o.ID)))
	r.Display = map[string]string{"id": ""}
	add("mode", modeV(int64(o.Mode&0o777)))
	switch o.Kind {
	case string(kMsg):
		add("messages", intV(int64(o.Count)))
		add("bytes", intV(int64(o.Size)))
	case string(kShm):
		add("size", intV(int64(o.Size)))
		add("nattch", intV(int64(o.Nattch)))
		if o.Mode&ipc.SHM_DEST != 0 {
			add("status", strV("removed"))
		}
	case string(kSem):
		add("nsems", intV(int64(o.Count)))
	}
	return r
}

// runObjects is what `ipcs` shows: the objects created by any process of
// the run (the journal), then those this process opened, each once.
func (p *Proc) runObjects() []*sysvObj {
	var out []*sysvObj
	seen := map[string]bool{}
	add := func(o *sysvObj) {
		k := string(o.kind) + ":" + strconv.Itoa(o.id)
		if !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	for _, e := range p.run.journal.entries() {
		add(&sysvObj{name: e.name, kind: e.kind, id: e.id, key: e.key})
	}
	for _, o := range p.sysv {
		add(o)
	}
	return out
}

// statRecord builds the record of msgctl/shmctl/semctl stat.
func statRecord(names []string, vals ...Value) *Record {
	return &Record{Names: names, Values: vals}
}

// ownerText is the uid a permission error is about.
func ownerText(perm ipc.IpcPerm) string {
	return fmt.Sprintf("mode 0%o, owner uid %d; this process is uid %d", perm.Mode&0o777, perm.Uid, unix.Geteuid())
}

// joinInts renders semaphore values as the transcript shows them.
func joinInts(vals []uint16) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strconv.Itoa(int(v))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
