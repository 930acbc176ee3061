package interp

// The binary-data built-ins (LANGUAGE.md §2, version 0.2):
//
//	pack(FORMAT, V...)  -> string   builtinPack(args)   args[0] is FORMAT
//	unpack(FORMAT, S)   -> record   builtinUnpack(args)
//	sizeof(FORMAT)      -> int      builtinSizeof(args)
//
// Each returns a plain error whose text starts with the built-in's name
// and names the field (by name and byte offset) or both lengths; the
// caller adds the statement's position.
//
// FORMAT is what a C programmer would write as a struct, one field per
// word: `[name:]TYPE`, TYPE one of i8 u8 i16 u16 i32 u32 i64 u64 (native
// byte order, or with the suffix le or be), sN (N bytes of text), xN (N
// bytes of padding, no value). `packed` as the first word turns alignment
// off, as __attribute__((packed)) does. The layout is the one the C
// compiler of this machine gives the same struct: every int field aligned
// to its natural alignment, the size rounded up to the largest one; the
// alignments come from Go's own, which follow the platform's C ABI (on
// 386 an int64 in a struct aligns to 4, as in gcc -m32).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// maxPackSize bounds sizeof(FORMAT): a format is a struct for a message or
// a FIFO, and a typo such as s10000000000 should be an error, not an
// allocation that takes the machine's memory.
const maxPackSize = 1 << 30

type byteOrder uint8

const (
	orderNative byteOrder = iota
	orderLE
	orderBE
)

// packField is one word of a FORMAT, placed.
type packField struct {
	name  string // "" for padding (xN)
	typ   string // the TYPE as written: u32be, s8, x3
	kind  byte   // 'i' signed, 'u' unsigned, 's' text, 'x' padding
	size  int    // bytes
	align int
	order byteOrder
	off   int // byte offset in the packed string
}

// packLayout is a parsed FORMAT. It is never changed after parsing, so one
// layout serves every call with the same format.
type packLayout struct {
	fields []packField
	values []int // indexes into fields of the fields that take a value
	size   int
	packed bool
}

// intTypes are the int TYPEs with their size; the alignment is the
// platform's for a Go (and C) integer of that size.
var intTypes = map[string]struct {
	kind  byte
	size  int
	align int
}{
	"i8":  {'i', 1, int(unsafe.Alignof(int8(0)))},
	"u8":  {'u', 1, int(unsafe.Alignof(uint8(0)))},
	"i16": {'i', 2, int(unsafe.Alignof(int16(0)))},
	"u16": {'u', 2, int(unsafe.Alignof(uint16(0)))},
	"i32": {'i', 4, int(unsafe.Alignof(int32(0)))},
	"u32": {'u', 4, int(unsafe.Alignof(uint32(0)))},
	"i64": {'i', 8, int(unsafe.Alignof(int64(0)))},
	"u64": {'u', 8, int(unsafe.Alignof(uint64(0)))},
}

// typeList is the list of valid TYPEs, for the error about one that is not.
const typeList = "i8 u8 i16 u16 i32 u32 i64 u64 (native order, or with le or be: u32be), sN (N bytes of text), xN (N bytes of padding)"

// Parsed formats are kept, since a script packs with the same format in a
// loop; the count bounds the cache when formats are built at run time.
var (
	layoutCache sync.Map // string -> *packLayout
	layoutCount atomic.Int32
)

const maxCachedLayouts = 512

// layoutOf parses FORMAT, or finds it parsed. fn names the built-in for
// the error.
func layoutOf(fn, format string) (*packLayout, error) {
	if l, ok := layoutCache.Load(format); ok {
		return l.(*packLayout), nil
	}
	l, err := parsePackFormat(format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	if layoutCount.Load() < maxCachedLayouts {
		if _, had := layoutCache.LoadOrStore(format, l); !had {
			layoutCount.Add(1)
		}
	}
	return l, nil
}

// parsePackFormat parses and lays out a FORMAT. Its errors name the word
// and its byte offset in the format, since the field has no place yet.
func parsePackFormat(format string) (*packLayout, error) {
	l := &packLayout{}
	seen := map[string]int{} // name -> byte offset in the format
	off, maxAlign := 0, 1
	first := true
	for at := 0; at < len(format); {
		// Words are separated by any white space, as in C.
		if isSpace(format[at]) {
			at++
			continue
		}
		end := at
		for end < len(format) && !isSpace(format[end]) {
			end++
		}
		word, wordAt := format[at:end], at
		at = end
		bad := func(msg string, args ...any) error {
			return fmt.Errorf("format field %q at byte %d of the format: %s", shorten(word), wordAt, fmt.Sprintf(msg, args...))
		}
		if word == "packed" {
			if !first {
				return nil, bad("packed must be the first word of the format (it applies to the whole struct)")
			}
			l.packed, first = true, false
			continue
		}
		first = false
		name, typ := "", word
		if i := strings.IndexByte(word, ':'); i >= 0 {
			name, typ = word[:i], word[i+1:]
			if !isIdent(name) {
				return nil, bad("the name %q is not an identifier ([A-Za-z_][A-Za-z0-9_]*)", shorten(name))
			}
		}
		f := packField{name: name, typ: typ}
		switch {
		case typ == "":
			return nil, bad("a type is missing after the colon; types are %s", typeList)
		case (typ[0] == 's' || typ[0] == 'x') && len(typ) > 1 && isDigits(typ[1:]):
			n, err := strconv.Atoi(typ[1:])
			if err != nil || n > maxPackSize {
				return nil, bad("%s is more than a format may hold (%d bytes)", shorten(typ), maxPackSize)
			}
			if n == 0 {
				return nil, bad("%s0 has no bytes; the size must be at least 1", typ[:1])
			}
			f.kind, f.size, f.align = typ[0], n, 1
		default:
			base, order := typ, orderNative
			if strings.HasSuffix(typ, "le") {
				base, order = typ[:len(typ)-2], orderLE
			} else if strings.HasSuffix(typ, "be") {
				base, order = typ[:len(typ)-2], orderBE
			}
			it, ok := intTypes[base]
			if !ok {
				if s := nearestType(typ); s != "" {
					return nil, bad("unknown type %q (did you mean %s?); types are %s", typ, s, typeList)
				}
				return nil, bad("unknown type %q; types are %s", shorten(typ), typeList)
			}
			f.kind, f.size, f.align, f.order = it.kind, it.size, it.align, order
		}
		if f.kind == 'x' {
			if name != "" {
				return nil, bad("padding takes no value and no name; write %s", typ)
			}
		} else {
			if name == "" {
				name = "_" + strconv.Itoa(len(l.values))
				f.name = name
			}
			if prev, dup := seen[name]; dup {
				return nil, bad("the field name %s is already used at byte %d of the format", name, prev)
			}
			seen[name] = wordAt
		}
		if l.packed {
			f.align = 1
		}
		off = alignUp(off, f.align)
		f.off = off
		off += f.size
		if off > maxPackSize {
			return nil, bad("the format would be more than %d bytes", maxPackSize)
		}
		maxAlign = max(maxAlign, f.align)
		if f.kind != 'x' {
			l.values = append(l.values, len(l.fields))
		}
		l.fields = append(l.fields, f)
	}
	if len(l.fields) == 0 {
		return nil, errors.New("the format has no fields; write them as [name:]TYPE separated by spaces, such as \"id:u32 name:s16\"")
	}
	// Tail padding: in an array of the struct, every element is aligned.
	l.size = alignUp(off, maxAlign)
	return l, nil
}

// shorten cuts a word of the format for an error message: a format built
// at run time can be long, and the byte offset says where the word is.
func shorten(s string) string {
	if len(s) <= 32 {
		return s
	}
	return s[:32] + "…"
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// nearestType suggests the int type a typo most likely meant (i23 → i32,
// u32BE → u32be), or "" when none is close.
func nearestType(typ string) string {
	if len(typ) > 8 { // no typo of a five-letter type; and the distance costs len(typ)
		return ""
	}
	best, bestD := "", 3
	lower := strings.ToLower(typ)
	for base := range intTypes {
		for _, suffix := range []string{"", "le", "be"} {
			cand := base + suffix
			d := editDistance(lower, cand)
			if lower != typ && lower == cand {
				d = 0
			}
			if d < bestD || d == bestD && cand < best {
				best, bestD = cand, d
			}
		}
	}
	if bestD > 1 && len(typ) <= 3 { // too short for a distance of 2 to mean anything
		return ""
	}
	return best
}

// editDistance is the Damerau (optimal string alignment) distance, so a
// swap of two digits counts as one edit.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// describe names a field for errors: its name, type and place.
func (f *packField) describe() string {
	return fmt.Sprintf("field %s (%s at byte %d)", f.name, f.typ, f.off)
}

func (f *packField) endian() binary.ByteOrder {
	switch f.order {
	case orderLE:
		return binary.LittleEndian
	case orderBE:
		return binary.BigEndian
	}
	return binary.NativeEndian
}

// bounds is the range of ints a field holds. A u64 holds every int: the
// language's ints are 64 bits, and a u64 keeps their bits.
func (f *packField) bounds() (lo, hi int64) {
	bits := uint(f.size * 8)
	switch {
	case bits == 64:
		return math.MinInt64, math.MaxInt64
	case f.kind == 'i':
		return -1 << (bits - 1), 1<<(bits-1) - 1
	}
	return 0, 1<<bits - 1
}

// formatArg checks the FORMAT argument of a built-in.
func formatArg(fn string, args []Value) (string, error) {
	if len(args) == 0 {
		return "", fmt.Errorf("%s: the first argument is the format, such as \"id:u32 name:s16\"", fn)
	}
	s, ok := textOf(args[0])
	if !ok {
		return "", fmt.Errorf("%s: the format must be a string, found %s", fn, args[0].typeName())
	}
	return s, nil
}

// builtinSizeof is sizeof(FORMAT): the bytes pack gives and unpack wants.
func builtinSizeof(args []Value) (Value, error) {
	format, err := formatArg("sizeof", args)
	if err != nil {
		return Value{}, err
	}
	if len(args) != 1 {
		return Value{}, fmt.Errorf("sizeof: takes only the format, found %d arguments", len(args))
	}
	l, err := layoutOf("sizeof", format)
	if err != nil {
		return Value{}, err
	}
	return intV(int64(l.size)), nil
}

// builtinPack is pack(FORMAT, V...): one value per field that is not
// padding, in order; padding and unused bytes are NUL.
func builtinPack(args []Value) (Value, error) {
	format, err := formatArg("pack", args)
	if err != nil {
		return Value{}, err
	}
	l, err := layoutOf("pack", format)
	if err != nil {
		return Value{}, err
	}
	vals := args[1:]
	if len(vals) != len(l.values) {
		return Value{}, fmt.Errorf("pack: the format has %d value fields (%s), found %d values", len(l.values), l.valueNames(), len(vals))
	}
	buf := make([]byte, l.size)
	for vi, fi := range l.values {
		f := &l.fields[fi]
		v := vals[vi]
		dst := buf[f.off : f.off+f.size]
		if f.kind == 's' {
			s, ok := textOf(v)
			if !ok {
				return Value{}, fmt.Errorf("pack: %s: expected a string, found %s", f.describe(), v.typeName())
			}
			if len(s) > f.size {
				return Value{}, fmt.Errorf("pack: %s: the string is %d bytes, longer than %d", f.describe(), len(s), f.size)
			}
			copy(dst, s)
			continue
		}
		if v.K != KInt {
			return Value{}, fmt.Errorf("pack: %s: expected an int, found %s", f.describe(), v.typeName())
		}
		if lo, hi := f.bounds(); v.I < lo || v.I > hi {
			return Value{}, fmt.Errorf("pack: %s: %d does not fit (%d..%d)", f.describe(), v.I, lo, hi)
		}
		switch f.size {
		case 1:
			dst[0] = byte(v.I)
		case 2:
			f.endian().PutUint16(dst, uint16(v.I))
		case 4:
			f.endian().PutUint32(dst, uint32(v.I))
		case 8:
			f.endian().PutUint64(dst, uint64(v.I))
		}
	}
	return strV(string(buf)), nil
}

func (l *packLayout) valueNames() string {
	names := make([]string, len(l.values))
	for i, fi := range l.values {
		names[i] = l.fields[fi].name
	}
	return strings.Join(names, " ")
}

// builtinUnpack is unpack(FORMAT, S): a record of the value fields, in
// order. S must be exactly sizeof(FORMAT) bytes: a message or a read with
// more or fewer is a protocol mismatch the script should see, and slicing
// (s[0:n]) says which part is meant.
func builtinUnpack(args []Value) (Value, error) {
	format, err := formatArg("unpack", args)
	if err != nil {
		return Value{}, err
	}
	if len(args) != 2 {
		return Value{}, fmt.Errorf("unpack: takes the format and one string, found %d arguments", len(args))
	}
	s, ok := textOf(args[1])
	if !ok {
		return Value{}, fmt.Errorf("unpack: expected a string of bytes to unpack, found %s", args[1].typeName())
	}
	l, err := layoutOf("unpack", format)
	if err != nil {
		return Value{}, err
	}
	if len(s) < l.size {
		// Name the field the input ends in: that is where a short read
		// or a sender's smaller struct shows.
		for _, f := range l.fields {
			if f.off+f.size > len(s) {
				what := f.describe()
				if f.kind == 'x' {
					what = fmt.Sprintf("padding (%s at byte %d)", f.typ, f.off)
				}
				return Value{}, fmt.Errorf("unpack: the input is %d bytes, the format is %d: it ends in %s", len(s), l.size, what)
			}
		}
		return Value{}, fmt.Errorf("unpack: the input is %d bytes, the format is %d: it ends in the tail padding at byte %d", len(s), l.size, len(s))
	}
	if len(s) > l.size {
		return Value{}, fmt.Errorf("unpack: the input is %d bytes, the format is %d (to unpack its start, slice it: s[0:%d])", len(s), l.size, l.size)
	}
	rec := &Record{Names: make([]string, len(l.values)), Values: make([]Value, len(l.values))}
	for vi, fi := range l.values {
		f := &l.fields[fi]
		src := s[f.off : f.off+f.size]
		rec.Names[vi] = f.name
		var v Value
		switch {
		case f.kind == 's':
			v = strV(strings.TrimRight(src, "\x00"))
		case f.size == 1 && f.kind == 'i':
			v = intV(int64(int8(src[0])))
		case f.size == 1:
			v = intV(int64(src[0]))
		case f.size == 2 && f.kind == 'i':
			v = intV(int64(int16(f.endian().Uint16([]byte(src)))))
		case f.size == 2:
			v = intV(int64(f.endian().Uint16([]byte(src))))
		case f.size == 4 && f.kind == 'i':
			v = intV(int64(int32(f.endian().Uint32([]byte(src)))))
		case f.size == 4:
			v = intV(int64(f.endian().Uint32([]byte(src))))
		default: // 8 bytes, signed or not: the int with the same bits
			v = intV(int64(f.endian().Uint64([]byte(src))))
		}
		rec.Values[vi] = v
	}
	return Value{K: KRecord, R: rec}, nil
}

// textOf is a string argument's bytes: a string, or a message's text.
func textOf(v Value) (string, bool) {
	switch v.K {
	case KStr:
		return v.S, true
	case KMsg:
		return v.R.(*Msg).Text, true
	}
	return "", false
}
