package interp

import (
	"fmt"
	"math"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
)

// Opening a SysV object by id (LANGUAGE.md §3, `msgget q id=EXPR`): a C
// program handed an id just uses it; ipcsh asks IPC_STAT once, so that an
// id naming no object of the kind fails here, with the kernel's EINVAL,
// rather than at the first send, and so that the handle has its key.

// idRequest reads id= and mode= (kept for the transcript; the kernel
// checks permissions at each use of an id, as it does for C).
func (c *command) idRequest(v Value) (getRequest, error) {
	if v.K != KInt {
		return getRequest{}, errorf(c.pos, "%s: id= expects an int (an IPC id, such as q.id), found %s", c.verb, v.typeName())
	}
	// The id goes to the kernel as an int: a wider value would be cut to
	// another id, and the script would open an object it did not name.
	if v.I < math.MinInt32 || v.I > math.MaxInt32 {
		return getRequest{}, errorf(c.pos, "%s: id %d does not fit in an int (IPC ids are ints)", c.verb, v.I)
	}
	return getRequest{byID: true, id: int(v.I)}, nil
}

// statKey asks IPC_STAT of the object with the id, and returns its key.
func statKey(kind sysvKind, id int) (int32, error) {
	var perm ipc.IpcPerm
	var err error
	switch kind {
	case kMsg:
		var ds ipc.MsqidDs
		ds, err = ipc.MsgctlStat(id)
		perm = ds.Perm
	case kShm:
		var ds ipc.ShmidDs
		ds, err = ipc.ShmctlStat(id)
		perm = ds.Perm
	default:
		var ds ipc.SemidDs
		ds, err = ipc.SemctlStat(id)
		perm = ds.Perm
	}
	if o, ok := unreadable(kind, id, err); ok {
		// Not readable by this process, but there: C could still use it.
		return o.Key, nil
	}
	return perm.Key, err
}

func (p *Proc) getByID(c *command, kind sysvKind, rq getRequest) (*sysvObj, error) {
	key, err := statKey(kind, rq.id)
	if err != nil {
		explain := ""
		if err == unix.EINVAL {
			explain = fmt.Sprintf("no %s has this id (removed, or the id of another kind)", kind.noun())
		}
		return nil, p.fail(c, PhaseOnce, err, explain)
	}
	o := &sysvObj{name: c.boundName(), kind: kind, id: rq.id, key: key}
	o.setTag()
	return o, nil
}
