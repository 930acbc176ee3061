package interp

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// What the three POSIX kinds share: a name checked by glibc's rule, an
// open that finds out whether this statement made the object (which
// decides init= and what the run unlinks at its end), and the journal.

// ipcExplain is the explanation an ipc error carries beyond its errno
// (the name rule: "the name "x" does not start with '/' (...)"), or "".
func ipcExplain(err error) string {
	var errno unix.Errno
	if !errors.As(err, &errno) || err == error(errno) {
		return ""
	}
	s := strings.TrimSuffix(err.Error(), ": "+errno.Error())
	// "ipc: mq_open: the name ..." -> "mq_open: the name ..."
	return strings.TrimPrefix(s, "ipc: ")
}

// posixNameOK says whether name follows the rule the ipc functions check
// (ipc/posix.go): a leading '/', then at least one character, no other '/'.
func posixNameOK(name string) bool {
	rest, ok := strings.CutPrefix(name, "/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

// posixName is the statement's POSIX name parameter.
func (c *command) posixName(i int) (string, error) {
	v := c.param(i)
	if v.K != KStr {
		return "", errorf(c.pos, "%s: the name must be a string such as \"/jobs\", found %s", c.verb, v.typeName())
	}
	return v.S, nil
}

// posixOpen opens or creates a POSIX object as create and excl say. As
// for SysV, it learns whether this statement made the object by asking
// for an exclusive create first, and opening what exists when the script
// did not insist on excl. open gets O_CREAT|O_EXCL or neither.
func posixOpen(c *command, open func(creat int) (int, error)) (fd int, created bool, err error) {
	create, excl := c.flags["create"], c.flags["excl"]
	if !create {
		// excl alone goes on as C passes O_EXCL without O_CREAT: ignored.
		fd, err = open(0)
		return fd, false, err
	}
	fd, err = open(unix.O_CREAT | unix.O_EXCL)
	if err == nil {
		return fd, true, nil
	}
	if err == unix.EEXIST && !excl {
		fd, err = open(0)
	}
	return fd, false, err
}

// posixMode reads mode= (default 0600) and refuses bits open(2) would not
// take as permissions.
// posixOpenArgs evaluates an mqopen, semopen or shmopen: the object's
// name and the mode= to create it with.
func (c *command) posixOpenArgs(p *Proc) (string, uint32, error) {
	if err := c.eval(p); err != nil {
		return "", 0, err
	}
	name, err := c.posixName(1)
	if err != nil {
		return "", 0, err
	}
	mode, err := c.posixMode()
	return name, mode, err
}

func (c *command) posixMode() (uint32, error) {
	m, err := c.mode(0o600)
	if err != nil {
		return 0, errorf(c.pos, "%s: %v", c.verb, err)
	}
	return m, nil
}

// posixGetResult is what an open statement shows: whether it made the
// object, and with -v the descriptor.
func (p *Proc) posixGetResult(created bool, fd int) string {
	res := "opened"
	if created {
		res = "created"
	}
	if p.run.cfg.Verbose && fd >= 0 {
		res += fmt.Sprintf(" (fd %d)", fd)
	}
	return res
}

// openHint explains the errors every POSIX open can give.
func openHint(kind posixKind, name string, err error) string {
	if s := ipcExplain(err); s != "" {
		return s
	}
	switch err {
	case unix.ENOENT:
		return fmt.Sprintf("no %s is named %s (add create to make one)", kind.noun(), name)
	case unix.EEXIST:
		return fmt.Sprintf("%s already exists (drop excl, or unlink it)", name)
	case unix.EACCES:
		var st unix.Stat_t
		if unix.Stat(kind.path(name), &st) == nil {
			return fmt.Sprintf("%s has mode 0%o, owner uid %d; this process is uid %d", name, st.Mode&0o777, st.Uid, unix.Geteuid())
		}
	}
	return ""
}

// unlinkStatement is mqunlink, semunlink and shmunlink: it publishes, since
// it changes what every later open by that name finds.
func unlinkStatement(kind posixKind, call func(string) error) execFn {
	return func(p *Proc, c *command) (Value, error) {
		if err := c.eval(p); err != nil {
			return Value{}, err
		}
		name, err := c.posixName(0)
		if err != nil {
			return Value{}, err
		}
		if !posixNameOK(name) {
			// Refused by glibc's rule before any call: nothing was
			// published, so the line comes once, with the error.
			err := call(name)
			return Value{}, p.fail(c, PhaseOnce, err, ipcExplain(err))
		}
		p.publish(c)
		if err := call(name); err != nil {
			hint := ipcExplain(err)
			if err == unix.ENOENT && hint == "" {
				hint = fmt.Sprintf("no %s is named %s", kind.noun(), name)
			}
			return Value{}, p.fail(c, PhasePublish, err, hint)
		}
		return Value{}, nil
	}
}

// journalPosix records a new object; on failure the caller undoes it.
func (p *Proc) journalPosix(c *command, kind posixKind, pname string, ino uint64) error {
	e := posixEntry{kind: kind, ino: ino, keep: c.flags["keep"], pid: unix.Getpid(), name: c.boundName(), pname: pname}
	if err := p.run.journal.createdPosix(e); err != nil {
		return errorf(c.pos, "%s: cannot record the new %s for clean-up: %v", c.verb, kind.noun(), err)
	}
	return nil
}

// closedErr is EBADF for a descriptor the script closed, with where.
func (p *Proc) closedErr(c *command, phase Phase, h *fdHandle) error {
	at := h.closedAt
	return p.fail(c, phase, unix.EBADF, fmt.Sprintf("%s was closed at %s", h.name, posText(at)))
}
