package interp

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of a value.
type Kind uint8

const (
	KUndef Kind = iota
	KInt
	KStr
	KBool
	KList
	KMsg
	KRecord
	KHandle
)

var kindNames = [...]string{"unset", "int", "string", "bool", "list", "message", "record", "handle"}

func (k Kind) String() string { return kindNames[k] }

// Value is one value of the language. It is a plain struct, not an
// interface, so the hot path (`x += 1`) neither allocates nor boxes: ints and
// bools live in I, strings in S, everything else behind R.
type Value struct {
	K Kind
	I int64
	S string
	R any // *List, *Msg, *Record, Handle
}

// List is the type of `args` and `sem getall`.
type List struct{ Items []Value }

// Msg is a SysV message: `.type` and `.text`; in string context, its text.
// A POSIX message (Posix) has `.prio` instead of `.type`.
type Msg struct {
	Type  int64
	Text  string
	Prio  int64
	Posix bool
}

// Record holds the fields of a stat result, in display order.
type Record struct {
	Names  []string
	Values []Value
	// Display shows a field as text instead of its value, except under -v:
	// a pid as the name of the run's process that has it. An empty text
	// leaves the field out of the rendering (an IPC id), never out of the
	// record: -v changes what is shown, not the values.
	Display map[string]string
}

// Get returns a field by name.
func (r *Record) Get(name string) (Value, bool) {
	for i, n := range r.Names {
		if n == name {
			return r.Values[i], true
		}
	}
	return Value{}, false
}

// Handle is a kernel object bound to a name: an fd, a pipe, later a
// process, queue, segment, semaphore set, attachment or mapping. It prints as
// the name it was bound to.
type Handle interface {
	// Name is what the transcript shows (`p.r`, `seg`).
	Name() string
	// Kind names the handle's type in errors ("fd", "pipe").
	Kind() string
	// Verbose is the name with its kernel numbers, for -v (`p.r(fd 3)`).
	Verbose() string
}

func intV(i int64) Value { return Value{K: KInt, I: i} }

// modeTag in the S of an int marks it as a permission mode (`st.mode`):
// an int in every computation and comparison, shown in octal (0600) as
// the transcript and C programmers write modes. Arithmetic makes plain
// ints. It rides in S so that it crosses to children with the value.
const modeTag = "mode"

func modeV(m int64) Value { return Value{K: KInt, I: m, S: modeTag} }

// procName is the process name a pid field shows (its S), or "" for any
// other value: a mode's tag is no name.
func (v Value) procName() string {
	if v.K != KInt || v.S == modeTag {
		return ""
	}
	return v.S
}

// modeText writes a mode as C's "%#o" does: 0600, and 0 for none.
func modeText(m int64) string {
	if m == 0 {
		return "0"
	}
	return "0" + strconv.FormatInt(m, 8)
}
func strV(s string) Value    { return Value{K: KStr, S: s} }
func handleV(h Handle) Value { return Value{K: KHandle, R: h} }

func boolV(b bool) Value {
	if b {
		return Value{K: KBool, I: 1}
	}
	return Value{K: KBool}
}

// typeName names a value's type for errors: handles by their kind.
func (v Value) typeName() string {
	if v.K == KHandle {
		return v.R.(Handle).Kind()
	}
	return v.K.String()
}

// truth is the value as a condition: bools, non-zero ints, non-empty strings.
func (v Value) truth() (bool, bool) {
	switch v.K {
	case KBool, KInt:
		return v.I != 0, true
	case KStr:
		return v.S != "", true
	case KMsg:
		return v.R.(*Msg).Text != "", true
	}
	return false, false
}

// text is the value in string context: `print`, `+` with a string, `str()`.
func (v Value) text(verbose bool) string {
	switch v.K {
	case KInt:
		if v.S == modeTag {
			return modeText(v.I)
		}
		if v.S != "" && !verbose { // a pid field of a record, as the record shows it
			return v.S
		}
		return strconv.FormatInt(v.I, 10)
	case KStr:
		return v.S
	case KBool:
		if v.I != 0 {
			return "true"
		}
		return "false"
	case KMsg:
		return v.R.(*Msg).Text
	case KList:
		parts := make([]string, len(v.R.(*List).Items))
		for i, it := range v.R.(*List).Items {
			parts[i] = it.text(verbose)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case KRecord:
		return v.R.(*Record).render(verbose)
	case KHandle:
		name := v.R.(Handle).Name()
		if verbose {
			name = v.R.(Handle).Verbose()
		}
		if v.I > 0 { // one semaphore of a set: s[1]
			name += "[" + strconv.FormatInt(v.I-1, 10) + "]"
		}
		return name
	}
	return "unset"
}

// maxShown is how much of a long string a transcript line shows: lines
// stay readable, and every event fits one atomic pipe write.
const maxShown = 64

// quote renders a value as the transcript shows arguments and results:
// strings as Go's %q, shortened when long.
func (v Value) quote(verbose bool) string { return v.quoteBy(verbose, quoteStr) }

// quoteBy quotes v's strings with q: quoteStr for what is shown, which
// cuts long strings; strconv.Quote for format's %q, which makes a value.
func (v Value) quoteBy(verbose bool, q func(string) string) string {
	switch v.K {
	case KStr:
		return q(v.S)
	case KMsg:
		m := v.R.(*Msg)
		if m.Posix {
			return fmt.Sprintf("prio=%d %s", m.Prio, q(m.Text))
		}
		return fmt.Sprintf("type=%d %s", m.Type, q(m.Text))
	case KList:
		parts := make([]string, len(v.R.(*List).Items))
		for i, it := range v.R.(*List).Items {
			parts[i] = it.quoteBy(verbose, q)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return v.text(verbose)
}

func quoteStr(s string) string {
	if len(s) <= maxShown {
		return strconv.Quote(s)
	}
	cut := maxShown
	for cut > 0 && s[cut]&0xC0 == 0x80 { // keep runes whole
		cut--
	}
	return strconv.Quote(s[:cut])[:len(strconv.Quote(s[:cut]))-1] + `…" (` + strconv.Itoa(len(s)) + " bytes)"
}

func (r *Record) render(verbose bool) string {
	var b strings.Builder
	for i, n := range r.Names {
		d, hasDisplay := r.Display[n]
		hasDisplay = hasDisplay && !verbose
		if hasDisplay && d == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n)
		b.WriteByte('=')
		v := r.Values[i]
		if hasDisplay {
			b.WriteString(d)
		} else if v.K == KStr && isWord(v.S) {
			b.WriteString(v.S) // key=private, kind=msg: a word needs no quotes
		} else {
			b.WriteString(v.quote(verbose))
		}
	}
	return b.String()
}

// equal is `==` (LANGUAGE.md §2): values of different types are unequal,
// never an error; a message equals the string of its text, and a pid
// that shows as a process name equals that name as well as the number.
func equal(a, b Value) bool {
	if n := a.procName(); n != "" && isText(b) {
		return n == b.text(false)
	}
	if n := b.procName(); n != "" && isText(a) {
		return n == a.text(false)
	}
	if isText(a) && isText(b) && a.K != b.K {
		return a.text(false) == b.text(false)
	}
	if a.K != b.K {
		return false
	}
	switch a.K {
	case KInt, KBool:
		return a.I == b.I
	case KStr:
		return a.S == b.S
	case KHandle:
		return a.R == b.R && a.I == b.I
	case KMsg:
		return *a.R.(*Msg) == *b.R.(*Msg)
	case KList:
		x, y := a.R.(*List).Items, b.R.(*List).Items
		return len(x) == len(y) && equalAll(x, y)
	case KRecord:
		x, y := a.R.(*Record), b.R.(*Record)
		return slices.Equal(x.Names, y.Names) && equalAll(x.Values, y.Values)
	}
	return false // unset: an error before it gets here
}

func equalAll(x, y []Value) bool {
	for i := range x {
		if !equal(x[i], y[i]) {
			return false
		}
	}
	return true
}

// isWord says whether s can be shown without quotes in a record: letters,
// digits and a few marks, nothing that could be mistaken for a separator.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.:/+-,", c) >= 0) {
			return false
		}
	}
	return true
}
