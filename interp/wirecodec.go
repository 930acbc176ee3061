package interp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"ipcsh/lang"
)

// The start record's own binary form. It used to be gob, which carries
// bytes as they are too, but gob costs every process that links it an
// init of its type tables, and each spawn a type description sent by the
// parent and compiled by the child: about a tenth of a spawn+wait cycle's
// CPU (perf, BENCHMARKS.md). This form is fields in a fixed order: ints as
// varints, strings and byte counts as a length then the bytes untouched,
// pointers and the like behind a presence byte. Parent and child are the
// same binary (/proc/self/exe), so no version travels with it; the first
// byte still says what follows, to refuse anything else.

const startTag = 0x53 // 'S'

type wireWriter struct{ b []byte }

func (w *wireWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *wireWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

func (w *wireWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *wireWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *wireWriter) strs(ss []string) {
	w.uint(uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *wireWriter) ints(v []int) {
	w.uint(uint64(len(v)))
	for _, x := range v {
		w.int(int64(x))
	}
}

func (w *wireWriter) pos(p lang.Pos) {
	w.str(p.Filename)
	w.int(int64(p.Offset))
	w.int(int64(p.Line))
	w.int(int64(p.Column))
}

func (w *wireWriter) values(vs []wireValue) {
	w.uint(uint64(len(vs)))
	for i := range vs {
		w.value(&vs[i])
	}
}

func (w *wireWriter) value(v *wireValue) {
	w.b = append(w.b, byte(v.K))
	w.int(v.I)
	w.str(v.S)
	w.values(v.List)
	w.bool(v.Msg != nil)
	if m := v.Msg; m != nil {
		w.int(m.Type)
		w.str(m.Text)
		w.int(m.Prio)
		w.bool(m.Posix)
	}
	w.bool(v.Rec != nil)
	if r := v.Rec; r != nil {
		w.strs(r.Names)
		w.values(r.Values)
		w.bool(r.Display != nil)
		keys := make([]string, 0, len(r.Display))
		for k := range r.Display {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same record gives the same bytes
		w.uint(uint64(len(keys)))
		for _, k := range keys {
			w.str(k)
			w.str(r.Display[k])
		}
	}
	w.int(int64(v.H))
}

func (w *wireWriter) handle(h *wireHandle) {
	w.str(h.Kind)
	w.str(h.Name)
	w.int(int64(h.FD))
	w.bool(h.Closed)
	w.bool(h.Nonblock)
	w.bool(h.Pollable)
	w.str(h.Obj)
	w.int(int64(h.R))
	w.int(int64(h.W))
	w.int(int64(h.Pid))
	w.int(int64(h.Slot))
	w.bool(h.Exec)
	w.str(h.Sysv)
	w.int(int64(h.ID))
	w.int(int64(h.Key))
	w.int(int64(h.Size))
	w.int(int64(h.Seg))
	w.uint(h.Addr)
	w.bool(h.Rdonly)
	w.bool(h.Private)
	w.str(h.Path)
	w.bool(h.Gone)
	w.ints(h.Members)
	w.values(h.Keys)
}

func encodeStart(rec *startRecord) ([]byte, error) {
	w := &wireWriter{b: make([]byte, 0, 256+len(rec.Src))}
	w.b = append(w.b, startTag)
	w.str(rec.Name)
	w.str(rec.Src)
	w.pos(rec.Base)
	w.str(rec.Code)
	w.strs(rec.Names)
	w.values(rec.Values)
	w.uint(uint64(len(rec.Handles)))
	for i := range rec.Handles {
		w.handle(&rec.Handles[i])
	}
	w.str(rec.Errname)
	w.int(int64(rec.Quiet))
	w.bool(rec.Verbose)
	w.strs(rec.Args)
	w.str(rec.Tmp)
	w.int(int64(rec.EventFD))
	w.int(int64(rec.BoardFD))
	w.int(int64(rec.Slot))
	w.int(int64(rec.Pgid))
	w.str(rec.Journal)
	w.uint(uint64(len(rec.Procs)))
	for _, p := range rec.Procs {
		w.str(p.Src)
		w.pos(p.Base)
		w.str(p.Code)
	}
	w.ints(rec.Ignored)
	return w.b, nil
}

var errBadRecord = errors.New("malformed")

// wireReader reads what wireWriter wrote. The first error sticks and every
// later read returns zero values, so decodeStart checks once at the end.
type wireReader struct {
	b   []byte
	err error
}

func (r *wireReader) fail() {
	if r.err == nil {
		r.err = errBadRecord
	}
	r.b = nil
}

func (r *wireReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *wireReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count is a length that must fit in what is left: each element takes at
// least one byte, so a corrupt count cannot make a huge allocation.
func (r *wireReader) count() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *wireReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *wireReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail()
	return false
}

func (r *wireReader) str() string {
	n := r.count()
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *wireReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *wireReader) ints() []int {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(r.int())
	}
	return out
}

func (r *wireReader) pos() lang.Pos {
	return lang.Pos{Filename: r.str(), Offset: int(r.int()), Line: int(r.int()), Column: int(r.int())}
}

func (r *wireReader) values(depth int) []wireValue {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]wireValue, n)
	for i := range out {
		out[i] = r.value(depth)
	}
	return out
}

// maxWireDepth bounds the nesting of lists and records a record may claim, so
// that bytes that are not a record cannot exhaust the stack.
const maxWireDepth = 1000

func (r *wireReader) value(depth int) wireValue {
	if depth > maxWireDepth {
		r.fail()
		return wireValue{}
	}
	v := wireValue{K: Kind(r.byte()), I: r.int(), S: r.str(), List: r.values(depth + 1)}
	if r.bool() {
		v.Msg = &Msg{Type: r.int(), Text: r.str(), Prio: r.int(), Posix: r.bool()}
	}
	if r.bool() {
		rec := &wireRecord{Names: r.strs(), Values: r.values(depth + 1)}
		hasDisplay := r.bool()
		n := r.count()
		if hasDisplay {
			rec.Display = make(map[string]string, n)
		}
		for range n {
			k, d := r.str(), r.str()
			if rec.Display != nil {
				rec.Display[k] = d
			}
		}
		v.Rec = rec
	}
	v.H = int(r.int())
	return v
}

func (r *wireReader) handle() wireHandle {
	return wireHandle{
		Kind: r.str(), Name: r.str(), FD: int(r.int()), Closed: r.bool(), Nonblock: r.bool(), Pollable: r.bool(),
		Obj: r.str(), R: int(r.int()), W: int(r.int()), Pid: int(r.int()), Slot: int(r.int()), Exec: r.bool(),
		Sysv: r.str(), ID: int(r.int()), Key: int32(r.int()), Size: int(r.int()), Seg: int(r.int()), Addr: r.uint(),
		Rdonly: r.bool(), Private: r.bool(), Path: r.str(), Gone: r.bool(), Members: r.ints(), Keys: r.values(1),
	}
}

func decodeStart(b []byte) (*startRecord, error) {
	r := &wireReader{b: b}
	if r.byte() != startTag {
		return nil, fmt.Errorf("start record: %w", errBadRecord)
	}
	rec := &startRecord{Name: r.str(), Src: r.str(), Base: r.pos(), Code: r.str(), Names: r.strs(), Values: r.values(0)}
	if n := r.count(); n > 0 {
		rec.Handles = make([]wireHandle, n)
		for i := range rec.Handles {
			rec.Handles[i] = r.handle()
		}
	}
	rec.Errname = r.str()
	rec.Quiet = int(r.int())
	rec.Verbose = r.bool()
	rec.Args = r.strs()
	rec.Tmp = r.str()
	rec.EventFD = int(r.int())
	rec.BoardFD = int(r.int())
	rec.Slot = int(r.int())
	rec.Pgid = int(r.int())
	rec.Journal = r.str()
	if n := r.count(); n > 0 {
		rec.Procs = make([]procWire, n)
		for i := range rec.Procs {
			rec.Procs[i] = procWire{Src: r.str(), Base: r.pos(), Code: r.str()}
		}
	}
	rec.Ignored = r.ints()
	if r.err == nil && len(r.b) != 0 {
		r.err = errBadRecord // trailing bytes: not what encodeStart wrote
	}
	if r.err != nil {
		return nil, fmt.Errorf("start record: %w", r.err)
	}
	return rec, nil
}
