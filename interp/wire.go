package interp

import (
	"fmt"

	"ipcsh/lang"
)

// A spawned child starts from a start record: the block's source with its
// position in the file, a copy of every variable, and the handle table.
// Handles cross by kind: each kind writes what the child needs to rebuild
// it (an fd number, a shmid and address later), and the child rebuilds
// every handle once, so `p.r` in two variables is still one handle.

type startRecord struct {
	Name    string       `json:"name"`
	Src     string       `json:"src"`
	Base    lang.Pos     `json:"base"`
	Code    string       `json:"code"` // the block's statements, lang.EncodeStmts
	Names   []string     `json:"names"`
	Values  []wireValue  `json:"values"`
	Handles []wireHandle `json:"handles"`
	Errname string       `json:"err"`
	Quiet   int          `json:"quiet"`
	Verbose bool         `json:"verbose"`
	Args    []string     `json:"args"`
	Tmp     string       `json:"tmp"`
	EventFD int          `json:"eventfd"`
	BoardFD int          `json:"boardfd"`
	Slot    int          `json:"slot"`
	Pgid    int          `json:"pgid"`
	Journal string       `json:"journal"`
	Procs   []procWire   `json:"procs,omitempty"`   // the procedures the block may call
	Ignored []int        `json:"ignored,omitempty"` // signals set to SIG_IGN: a forked child keeps them
}

type wireValue struct {
	K    Kind        `json:"k"`
	I    int64       `json:"i,omitempty"`
	S    string      `json:"s,omitempty"`
	List []wireValue `json:"l,omitempty"`
	Msg  *Msg        `json:"m,omitempty"`
	Rec  *wireRecord `json:"r,omitempty"`
	H    int         `json:"h,omitempty"` // index into Handles, for KHandle
}

type wireRecord struct {
	Names   []string          `json:"n"`
	Values  []wireValue       `json:"v"`
	Display map[string]string `json:"d,omitempty"`
}

// wireHandle is one handle as it crosses into a child. Kind selects the
// decoder; the other fields are the kind's own.
type wireHandle struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	FD     int    `json:"fd,omitempty"`
	Closed bool   `json:"closed,omitempty"`
	// Nonblock and Pollable are an fd's fdHandle fields of the same names.
	Nonblock bool   `json:"nonblock,omitempty"`
	Pollable bool   `json:"pollable,omitempty"`
	Obj      string `json:"obj,omitempty"`
	R        int    `json:"r,omitempty"` // pipe ends: indexes into Handles
	W        int    `json:"w,omitempty"`
	Pid      int    `json:"pid,omitempty"`
	Slot     int    `json:"slot,omitempty"`
	Exec     bool   `json:"exec,omitempty"`
	// SysV objects: the kind ("msg", "shm", "sem"), id and key, the size
	// of a segment or set; and memory: the segment (an index into Handles)
	// or mapped file, the address to attach or map at, and the protection.
	Sysv    string `json:"sysv,omitempty"`
	ID      int    `json:"id,omitempty"`
	Key     int32  `json:"key,omitempty"`
	Size    int    `json:"size,omitempty"`
	Seg     int    `json:"seg,omitempty"`
	Addr    uint64 `json:"addr,omitempty"`
	Rdonly  bool   `json:"rdonly,omitempty"`
	Private bool   `json:"private,omitempty"`
	Path    string `json:"path,omitempty"`
	Gone    bool   `json:"gone,omitempty"`
	// A family: its members (indexes into Handles) and their keys.
	Members []int       `json:"members,omitempty"`
	Keys    []wireValue `json:"keys,omitempty"`
}

// crosser is implemented by every handle kind that a child can inherit.
type crosser interface {
	wire(e *wireEncoder) wireHandle
}

type wireEncoder struct {
	index   map[Handle]int
	handles []wireHandle
}

func (e *wireEncoder) handle(h Handle) int {
	if i, ok := e.index[h]; ok {
		return i
	}
	i := len(e.handles)
	e.index[h] = i
	e.handles = append(e.handles, wireHandle{}) // reserve: pipes refer to their ends
	e.handles[i] = h.(crosser).wire(e)
	return i
}

func (e *wireEncoder) value(v Value) wireValue {
	w := wireValue{K: v.K, I: v.I, S: v.S}
	switch v.K {
	case KList:
		for _, it := range v.R.(*List).Items {
			w.List = append(w.List, e.value(it))
		}
	case KMsg:
		w.Msg = v.R.(*Msg)
	case KRecord:
		r := v.R.(*Record)
		wr := &wireRecord{Names: r.Names}
		for _, x := range r.Values {
			wr.Values = append(wr.Values, e.value(x))
		}
		wr.Display = r.Display
		w.Rec = wr
	case KHandle:
		w.H = e.handle(v.R.(Handle))
	}
	return w
}

// handleDecoders rebuild handles in the child, by kind.
var handleDecoders map[string]func(w wireHandle, d *wireDecoder) Handle

func init() {
	handleDecoders = map[string]func(w wireHandle, d *wireDecoder) Handle{
		"fd": func(w wireHandle, d *wireDecoder) Handle {
			return &fdHandle{name: w.Name, fd: w.FD, closed: w.Closed, nonblock: w.Nonblock, pollable: w.Pollable, obj: w.Obj}
		},
		"pipe": func(w wireHandle, d *wireDecoder) Handle {
			return &pipeHandle{name: w.Name, r: d.handle(w.R).(*fdHandle), w: d.handle(w.W).(*fdHandle)}
		},
		"sysv": func(w wireHandle, d *wireDecoder) Handle {
			// The child uses the parent's object; removing it at the end
			// of the run stays the journal's job, not the child's.
			o := sysvObj{name: w.Name, kind: sysvKind(w.Sysv), id: w.ID, key: w.Key}
			o.setTag()
			switch o.kind {
			case kMsg:
				return &queueHandle{o}
			case kShm:
				return &segHandle{sysvObj: o, size: w.Size}
			}
			return &semHandle{sysvObj: o, nsems: w.Size}
		},
		"mem":    func(w wireHandle, d *wireDecoder) Handle { return d.memory(w) },
		"family": decodeFamily,
		"proc": func(w wireHandle, d *wireDecoder) Handle {
			// A sibling or parent: the child may signal it but not wait for it.
			return &procHandle{name: w.Name, pid: w.Pid, slot: w.Slot, exec: w.Exec, foreign: true}
		},
	}
	for kind, dec := range posixDecoders {
		handleDecoders[kind] = dec
	}
}

type wireDecoder struct {
	wires []wireHandle
	built []Handle
	// mems are the attachments and mappings made again in the child;
	// errs what could not be (a segment removed meanwhile).
	mems  []*memHandle
	psems []*psemHandle // named POSIX semaphores mapped again
	errs  []error
}

func (d *wireDecoder) handle(i int) Handle {
	if d.built[i] == nil {
		w := d.wires[i]
		dec := handleDecoders[w.Kind]
		if dec == nil {
			panic(fmt.Sprintf("interp: no decoder for handle kind %q", w.Kind))
		}
		d.built[i] = dec(w, d)
	}
	return d.built[i]
}

func (d *wireDecoder) value(w wireValue) Value {
	v := Value{K: w.K, I: w.I, S: w.S}
	switch w.K {
	case KList:
		items := make([]Value, len(w.List))
		for i, it := range w.List {
			items[i] = d.value(it)
		}
		v.R = &List{Items: items}
	case KMsg:
		v.R = w.Msg
	case KRecord:
		r := &Record{Names: w.Rec.Names}
		for _, x := range w.Rec.Values {
			r.Values = append(r.Values, d.value(x))
		}
		r.Display = w.Rec.Display
		v.R = r
	case KHandle:
		v.R = d.handle(w.H)
	}
	return v
}

// The record travels in a binary form of its own (wirecodec.go), not
// JSON: a Go string is bytes, and the record carries them as they are,
// where JSON would turn every byte that is not valid UTF-8 into U+FFFD and
// so hand the child a different value.

func (h *procHandle) wire(*wireEncoder) wireHandle {
	return wireHandle{Kind: "proc", Name: h.name, Pid: h.pid, Slot: h.slot, Exec: h.exec}
}

func (h *fdHandle) wire(*wireEncoder) wireHandle {
	return wireHandle{Kind: "fd", Name: h.name, FD: h.fd, Closed: h.closed, Nonblock: h.nonblock, Pollable: h.pollable, Obj: h.obj}
}

func (o *sysvObj) wire(*wireEncoder) wireHandle {
	return wireHandle{Kind: "sysv", Name: o.name, Sysv: string(o.kind), ID: o.id, Key: o.key}
}

func (h *segHandle) wire(e *wireEncoder) wireHandle {
	w := h.sysvObj.wire(e)
	w.Size = h.size
	return w
}

func (h *semHandle) wire(e *wireEncoder) wireHandle {
	w := h.sysvObj.wire(e)
	w.Size = h.nsems
	return w
}

func (h *memHandle) wire(e *wireEncoder) wireHandle {
	w := wireHandle{Kind: "mem", Name: h.name, Sysv: h.kind, ID: h.shmid, FD: h.fd, Size: len(h.mem),
		Addr: uint64(h.addr()), Rdonly: h.rdonly, Private: h.private, Path: h.path, Gone: h.gone, Seg: -1}
	if h.seg != nil {
		w.Seg = e.handle(h.seg)
	}
	return w
}

func (h *pipeHandle) wire(e *wireEncoder) wireHandle {
	return wireHandle{Kind: "pipe", Name: h.name, R: e.handle(h.r), W: e.handle(h.w)}
}
