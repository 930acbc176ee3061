package interp

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vs makes built-in arguments: Go ints become ints, strings strings,
// Values stay as they are.
func vs(args ...any) []Value {
	out := make([]Value, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case int:
			out[i] = intV(int64(a))
		case int64:
			out[i] = intV(a)
		case rune: // 'A', as a script writes ord("A")
			out[i] = intV(int64(a))
		case string:
			out[i] = strV(a)
		case bool:
			out[i] = boolV(a)
		case Value:
			out[i] = a
		default:
			panic(fmt.Sprintf("vs: a %T", a))
		}
	}
	return out
}

func TestPackSizeof(t *testing.T) {
	for _, c := range []struct {
		format string
		want   int64
	}{
		{"i32 i64", 16}, // LANGUAGE.md's example: padding inside
		{"u8", 1},
		{"u8 u16", 4},
		{"i64 i8", 16}, // tail padding to the i64
		{"u8 u16 u8", 6},
		{"i16 i8", 4},
		{"packed i32 i64", 12},
		{"packed i64 i8", 9},
		{"s3", 3},
		{"s3 u32", 8},
		{"s3 u8", 4}, // text aligns to 1, like char[3]
		{"x3", 3},
		{"u8 x3 u32", 8},
		{"u32 x1", 8}, // padding counts towards the size, then tail padding
		{"u32be u8", 8},
		{"u8 u64le", 16}, // le/be align like their base type
		{"u8 u16be", 4},
		{"packed u8 u64be", 9},
		{"a:u8\tb:u16\n", 4},          // any white space separates fields
		{"  id:u32   name:s10  ", 16}, // and may lead or trail
		{"packed:u8 u32", 8},          // a field named packed is just a field
	} {
		got, err := builtinSizeof(vs(c.format))
		if err != nil {
			t.Errorf("sizeof(%q): %v", c.format, err)
			continue
		}
		if got.K != KInt || got.I != c.want {
			t.Errorf("sizeof(%q) = %v, want %d", c.format, got.text(false), c.want)
		}
	}
}

// ne writes ints in this machine's order, for expectations of native fields.
func ne(size int, v uint64) string {
	b := make([]byte, size)
	switch size {
	case 2:
		binary.NativeEndian.PutUint16(b, uint16(v))
	case 4:
		binary.NativeEndian.PutUint32(b, uint32(v))
	case 8:
		binary.NativeEndian.PutUint64(b, v)
	}
	return string(b)
}

func TestPackBytes(t *testing.T) {
	for _, c := range []struct {
		format string
		args   []Value
		want   string
	}{
		{"i32 i64", vs(1, 2), ne(4, 1) + "\x00\x00\x00\x00" + ne(8, 2)},
		{"u16be u32le", vs(0x0102, 0x03040506), "\x01\x02\x00\x00\x06\x05\x04\x03"},
		{"i8", vs(-1), "\xff"},
		{"i8 i8", vs(-128, 127), "\x80\x7f"},
		{"u8", vs(255), "\xff"},
		{"i16be", vs(-2), "\xff\xfe"},
		{"u16le", vs(65535), "\xff\xff"},
		{"i32be", vs(math.MinInt32), "\x80\x00\x00\x00"},
		{"u32be", vs(4294967295), "\xff\xff\xff\xff"},
		{"i64be", vs(int64(math.MinInt64)), "\x80\x00\x00\x00\x00\x00\x00\x00"},
		// u64 packs any int as its bits.
		{"u64le", vs(-1), "\xff\xff\xff\xff\xff\xff\xff\xff"},
		{"u64be", vs(int64(math.MinInt64)), "\x80\x00\x00\x00\x00\x00\x00\x00"},
		{"u64", vs(int64(math.MaxInt64)), ne(8, math.MaxInt64)},
		// sN pads with NUL; inner NULs are kept.
		{"s5", vs("ab"), "ab\x00\x00\x00"},
		{"s3", vs("abc"), "abc"},
		{"s4", vs("a\x00b"), "a\x00b\x00"},
		{"s2", vs(""), "\x00\x00"},
		// Padding, explicit and implicit, is NUL; xN takes no value.
		{"u8 x2 u8", vs(1, 2), "\x01\x00\x00\x02"},
		{"u8be u16be", vs(1, 2), "\x01\x00\x00\x02"},
		{"u16be u8", vs(0x0102, 3), "\x01\x02\x03\x00"},
		{"packed u8 u16be", vs(1, 2), "\x01\x00\x02"},
		{"packed u8 u32be u8", vs(1, 0x0a0b0c0d, 2), "\x01\x0a\x0b\x0c\x0d\x02"},
		// A message packs as its text.
		{"s4", []Value{{K: KMsg, R: &Msg{Type: 1, Text: "hey"}}}, "hey\x00"},
	} {
		got, err := builtinPack(append(vs(c.format), c.args...))
		if err != nil {
			t.Errorf("pack(%q): %v", c.format, err)
			continue
		}
		if got.K != KStr || got.S != c.want {
			t.Errorf("pack(%q) = %q, want %q", c.format, got.S, c.want)
		}
	}
}

func TestPackUnpackRecord(t *testing.T) {
	for _, c := range []struct {
		format, input string
		names         string // space-separated
		want          []Value
	}{
		{"a:u8 u8", "\x01\x02", "a _1", vs(1, 2)},
		// _N counts value fields, named ones too, padding not.
		{"a:u8 u8 x2 u16be", "\x01\x02\x00\x00\x00\x03", "a _1 _2", vs(1, 2, 3)},
		{"u8 a:u8", "\x05\x06", "_0 a", vs(5, 6)},
		{"i8 u8", "\xff\xff", "_0 _1", vs(-1, 255)},
		{"i16be u16be", "\xff\xfe\xff\xfe", "_0 _1", vs(-2, 65534)},
		{"i32le u32le", "\xff\xff\xff\xff\xff\xff\xff\xff", "_0 _1", vs(-1, 4294967295)},
		{"i64be", "\x80\x00\x00\x00\x00\x00\x00\x00", "_0", vs(int64(math.MinInt64))},
		// u64 unpacks to the int with the same bits.
		{"u64be", "\xff\xff\xff\xff\xff\xff\xff\xfe", "_0", vs(-2)},
		{"u64le", "\x00\x00\x00\x00\x00\x00\x00\x80", "_0", vs(int64(math.MinInt64))},
		// Trailing NULs of sN are dropped, inner ones kept.
		{"s6", "a\x00b\x00\x00\x00", "_0", vs("a\x00b")},
		{"s3", "abc", "_0", vs("abc")},
		{"s3", "\x00\x00\x00", "_0", vs("")},
		// Padding bytes are skipped whatever they hold.
		{"u8 u32be", "\x01\xee\xee\xee\x00\x00\x00\x02", "_0 _1", vs(1, 2)},
		{"id:i32 n:i64", ne(4, 7) + "\x00\x00\x00\x00" + ne(8, uint64(1<<63|5)), "id n", vs(7, int64(-1<<63|5))},
	} {
		got, err := builtinUnpack(vs(c.format, c.input))
		if err != nil {
			t.Errorf("unpack(%q, %q): %v", c.format, c.input, err)
			continue
		}
		r, ok := got.R.(*Record)
		if got.K != KRecord || !ok {
			t.Errorf("unpack(%q) gave a %s", c.format, got.typeName())
			continue
		}
		if strings.Join(r.Names, " ") != c.names {
			t.Errorf("unpack(%q) names %q, want %q", c.format, r.Names, c.names)
		}
		for i, w := range c.want {
			if i >= len(r.Values) {
				t.Errorf("unpack(%q) has no field %d", c.format, i)
				break
			}
			if !equal(r.Values[i], w) {
				t.Errorf("unpack(%q).%s = %s, want %s", c.format, r.Names[i], r.Values[i].quote(false), w.quote(false))
			}
		}
		// Packing the record's values gives the input back, padding
		// zeroed.
		back, err := builtinPack(append(vs(c.format), r.Values...))
		if err != nil {
			t.Errorf("pack(%q) of unpacked values: %v", c.format, err)
		} else if want := zeroPadding(t, c.format, c.input); back.S != want {
			t.Errorf("pack(unpack(%q, %q)) = %q, want %q", c.format, c.input, back.S, want)
		}
	}
	// The record shows as print shows a stat record.
	r, err := builtinUnpack(vs("id:u32be name:s8 u8", "\x00\x00\x00\x2aworker\x00\x00\x09\x00\x00\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.text(false), "id=42 name=worker _2=9"; got != want {
		t.Errorf("print of a record: %q, want %q", got, want)
	}
	// A message unpacks as its text.
	r, err = builtinUnpack([]Value{strV("u16be"), {K: KMsg, R: &Msg{Type: 1, Text: "\x01\x02"}}})
	if err != nil || r.R.(*Record).Values[0].I != 0x0102 {
		t.Errorf("unpack of a message: %v %v", r.text(false), err)
	}
}

// zeroPadding returns s with the bytes no value field covers set to NUL,
// as pack writes them.
func zeroPadding(t *testing.T, format, s string) string {
	t.Helper()
	l, err := parsePackFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(s))
	for _, fi := range l.values {
		f := l.fields[fi]
		copy(out[f.off:f.off+f.size], s[f.off:f.off+f.size])
	}
	return string(out)
}

func TestPackErrors(t *testing.T) {
	const types = "types are i8 u8 i16 u16 i32 u32 i64 u64 (native order, or with le or be: u32be), sN (N bytes of text), xN (N bytes of padding)"
	for _, c := range []struct {
		fn   string
		args []Value
		want string
	}{
		// Format typos: the word and its byte offset in the format.
		{"sizeof", vs("i32 q16"), `sizeof: format field "q16" at byte 4 of the format: unknown type "q16" (did you mean i16?); ` + types},
		{"pack", vs("a:u8 b:i23", 1, 2), `pack: format field "b:i23" at byte 5 of the format: unknown type "i23" (did you mean i32?); ` + types},
		{"sizeof", vs("U32BE"), `sizeof: format field "U32BE" at byte 0 of the format: unknown type "U32BE" (did you mean u32be?); ` + types},
		{"sizeof", vs("u32eb"), `sizeof: format field "u32eb" at byte 0 of the format: unknown type "u32eb" (did you mean u32be?); ` + types},
		{"sizeof", vs("int"), `sizeof: format field "int" at byte 0 of the format: unknown type "int"; ` + types},
		{"sizeof", vs("s"), `sizeof: format field "s" at byte 0 of the format: unknown type "s"; ` + types},
		{"sizeof", vs("s-1"), `sizeof: format field "s-1" at byte 0 of the format: unknown type "s-1"; ` + types},
		{"sizeof", vs("u8 a:"), `sizeof: format field "a:" at byte 3 of the format: a type is missing after the colon; ` + types},
		{"sizeof", vs("1a:u8"), `sizeof: format field "1a:u8" at byte 0 of the format: the name "1a" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)`},
		{"sizeof", vs(":u8"), `sizeof: format field ":u8" at byte 0 of the format: the name "" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)`},
		{"sizeof", vs("u8 pad:x4"), `sizeof: format field "pad:x4" at byte 3 of the format: padding takes no value and no name; write x4`},
		{"sizeof", vs("a:u8 a:u16"), `sizeof: format field "a:u16" at byte 5 of the format: the field name a is already used at byte 0 of the format`},
		{"sizeof", vs("u8 _0:u8"), `sizeof: format field "_0:u8" at byte 3 of the format: the field name _0 is already used at byte 0 of the format`},
		{"sizeof", vs("u8 packed"), `sizeof: format field "packed" at byte 3 of the format: packed must be the first word of the format (it applies to the whole struct)`},
		{"sizeof", vs("packed packed u8"), `sizeof: format field "packed" at byte 7 of the format: packed must be the first word of the format (it applies to the whole struct)`},
		{"sizeof", vs("s0"), `sizeof: format field "s0" at byte 0 of the format: s0 has no bytes; the size must be at least 1`},
		{"sizeof", vs("u8 x0"), `sizeof: format field "x0" at byte 3 of the format: x0 has no bytes; the size must be at least 1`},
		{"sizeof", vs("s99999999999999999999"), `sizeof: format field "s99999999999999999999" at byte 0 of the format: s99999999999999999999 is more than a format may hold (1073741824 bytes)`},
		{"sizeof", vs("s2000000000"), `sizeof: format field "s2000000000" at byte 0 of the format: s2000000000 is more than a format may hold (1073741824 bytes)`},
		{"sizeof", vs("x600000000 u8 s600000000"), `sizeof: format field "s600000000" at byte 14 of the format: the format would be more than 1073741824 bytes`},
		{"sizeof", vs(""), `sizeof: the format has no fields; write them as [name:]TYPE separated by spaces, such as "id:u32 name:s16"`},
		{"unpack", vs("packed", ""), `unpack: the format has no fields; write them as [name:]TYPE separated by spaces, such as "id:u32 name:s16"`},
		// Arguments.
		{"sizeof", nil, `sizeof: the first argument is the format, such as "id:u32 name:s16"`},
		{"pack", vs(16, 1), `pack: the format must be a string, found int`},
		{"sizeof", vs("u8", "u8"), `sizeof: takes only the format, found 2 arguments`},
		{"pack", vs("a:u8 x1 u16"), `pack: the format has 2 value fields (a _1), found 0 values`},
		{"pack", vs("a:u8 x1 u16", 1, 2, 3), `pack: the format has 2 value fields (a _1), found 3 values`},
		{"unpack", vs("u8"), `unpack: takes the format and one string, found 1 arguments`},
		{"unpack", vs("u8", 1), `unpack: expected a string of bytes to unpack, found int`},
		// Values that do not fit: the field, its type and its byte offset.
		{"pack", vs("a:u8 b:u8", 1, 256), `pack: field b (u8 at byte 1): 256 does not fit (0..255)`},
		{"pack", vs("u8", -1), `pack: field _0 (u8 at byte 0): -1 does not fit (0..255)`},
		{"pack", vs("x3 i8", 128), `pack: field _0 (i8 at byte 3): 128 does not fit (-128..127)`},
		{"pack", vs("i8", -129), `pack: field _0 (i8 at byte 0): -129 does not fit (-128..127)`},
		{"pack", vs("u8 n:i16be", 0, 32768), `pack: field n (i16be at byte 2): 32768 does not fit (-32768..32767)`},
		{"pack", vs("u16", 65536), `pack: field _0 (u16 at byte 0): 65536 does not fit (0..65535)`},
		{"pack", vs("u8 i32", 0, -2147483649), `pack: field _1 (i32 at byte 4): -2147483649 does not fit (-2147483648..2147483647)`},
		{"pack", vs("u32le", 4294967296), `pack: field _0 (u32le at byte 0): 4294967296 does not fit (0..4294967295)`},
		{"pack", vs("packed u8 u32", 0, -1), `pack: field _1 (u32 at byte 1): -1 does not fit (0..4294967295)`},
		{"pack", vs("id:u32 name:s4", 1, "hello"), `pack: field name (s4 at byte 4): the string is 5 bytes, longer than 4`},
		{"pack", vs("u8 s4", 1, 2), `pack: field _1 (s4 at byte 1): expected a string, found int`},
		{"pack", vs("n:i32", "1"), `pack: field n (i32 at byte 0): expected an int, found string`},
		{"pack", vs("n:i32", true), `pack: field n (i32 at byte 0): expected an int, found bool`},
		// Input of the wrong length: both lengths, and where short input ends.
		{"unpack", vs("a:u32 b:i64", "\x01\x02\x03\x04\x05"), `unpack: the input is 5 bytes, the format is 16: it ends in field b (i64 at byte 8)`},
		{"unpack", vs("a:u32 b:i64", "\x01\x02"), `unpack: the input is 2 bytes, the format is 16: it ends in field a (u32 at byte 0)`},
		{"unpack", vs("a:u8 x4 b:u8", "\x01\x02"), `unpack: the input is 2 bytes, the format is 6: it ends in padding (x4 at byte 1)`},
		{"unpack", vs("a:i64 b:u8", "123456789"), `unpack: the input is 9 bytes, the format is 16: it ends in the tail padding at byte 9`},
		{"unpack", vs("a:u8", ""), `unpack: the input is 0 bytes, the format is 1: it ends in field a (u8 at byte 0)`},
		{"unpack", vs("a:u16", "abc"), `unpack: the input is 3 bytes, the format is 2 (to unpack its start, slice it: s[0:2])`},
	} {
		var err error
		switch c.fn {
		case "pack":
			_, err = builtinPack(c.args)
		case "unpack":
			_, err = builtinUnpack(c.args)
		case "sizeof":
			_, err = builtinSizeof(c.args)
		}
		if err == nil {
			t.Errorf("%s%s: no error, want %s", c.fn, showArgs(c.args), c.want)
		} else if err.Error() != c.want {
			t.Errorf("%s%s:\n got %s\nwant %s", c.fn, showArgs(c.args), err, c.want)
		}
	}
}

func showArgs(args []Value) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.quote(false)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// TestPackLayoutMatchesC builds testdata/packlayout.c with this machine's C
// compiler and holds sizeof, the field offsets and the packed bytes of
// every struct in it against what the C compiler made of the same struct.
func TestPackLayoutMatchesC(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) in $PATH")
	}
	bin := filepath.Join(t.TempDir(), "packlayout")
	if out, err := exec.Command(cc, "-std=c11", "-Wall", "-Werror", "-o", bin, filepath.Join("testdata", "packlayout.c")).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("packlayout: %v", err)
	}
	// Each struct of the C file, as a format, with the values its main sets.
	cases := map[string]struct {
		format string
		vals   []Value
	}{
		"example":   {"i32 i64", vs(1, 2)},
		"mixed":     {"a:i8 b:i32 c:i16 d:i64", vs(-1, -100000, 300, -5000000000)},
		"tail":      {"a:i64 b:u8", vs(0x0102030405060708, 255)},
		"shorts":    {"a:u8 b:u16 c:u8", vs(7, 65535, 9)},
		"text":      {"a:s3 b:i16 c:s1 d:i64 e:u8", vs("ab", -2, "z", 42, 128)},
		"request":   {"id:u32 name:s10 n:i16", vs(4000000000, "a\x00b", -32768)},
		"pad":       {"a:u8 x3 b:u32 x1 c:u16", vs(1, 2, 3)},
		"padend":    {"a:u32 b:u8 x2", vs(0xdeadbeef, 0x7f)},
		"extremes":  {"a:u64 b:i64 c:u32 d:i16 e:i8", vs(int64(-0x7fffffffffffffff), int64(math.MinInt64), 4294967295, -32768, -128)},
		"endian":    {"a:u16be b:u32le c:i64be d:u8 e:i32be", vs(0x0102, 0x03040506, -3, 0xaa, -123456)},
		"packed":    {"packed a:u8 b:u32 c:u16 d:u64", vs(1, 0x01020304, 0xfffe, -1)},
		"packedend": {"packed a:u8 b:u64be c:i16le d:s3", vs(200, int64(math.MinInt64), -300, "xyz")},
		"chars":     {"a:u8 b:s3", vs('A', "hi")},
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		w := strings.Fields(line)
		if len(w) != 4 {
			t.Fatalf("packlayout printed %q", line)
		}
		c, ok := cases[w[0]]
		if !ok {
			t.Errorf("struct %s of packlayout.c has no format in this test", w[0])
			continue
		}
		seen++
		cSize, _ := strconv.Atoi(w[1])
		cBytes, err := hex.DecodeString(w[3])
		if err != nil {
			t.Fatal(err)
		}
		size, err := builtinSizeof(vs(c.format))
		if err != nil {
			t.Errorf("%s: sizeof(%q): %v", w[0], c.format, err)
			continue
		}
		if size.I != int64(cSize) {
			t.Errorf("%s: sizeof(%q) = %d, C says %d", w[0], c.format, size.I, cSize)
		}
		l, _ := parsePackFormat(c.format)
		var offs []string
		for _, fi := range l.values {
			offs = append(offs, strconv.Itoa(l.fields[fi].off))
		}
		if got := strings.Join(offs, ","); got != w[2] {
			t.Errorf("%s: offsets of %q are %s, C says %s", w[0], c.format, got, w[2])
		}
		packed, err := builtinPack(append(vs(c.format), c.vals...))
		if err != nil {
			t.Errorf("%s: pack: %v", w[0], err)
			continue
		}
		if packed.S != string(cBytes) {
			t.Errorf("%s: pack(%q) =\n %x\nC wrote\n %x", w[0], c.format, packed.S, cBytes)
		}
		// What C wrote unpacks to the values C was given.
		rec, err := builtinUnpack(vs(c.format, string(cBytes)))
		if err != nil {
			t.Errorf("%s: unpack: %v", w[0], err)
			continue
		}
		for i, v := range rec.R.(*Record).Values {
			if !equal(v, c.vals[i]) {
				t.Errorf("%s: unpack(%q).%s = %s, C was given %s", w[0], c.format, rec.R.(*Record).Names[i], v.quote(false), c.vals[i].quote(false))
			}
		}
	}
	if seen != len(cases) {
		t.Errorf("packlayout printed %d structs, the test knows %d", seen, len(cases))
	}
	_ = os.Remove(bin)
}

// TestPackLongFormatErrors: a long word in a format built at run time is
// cut in the message, and is an error at once, not after a search for the
// type it might have meant.
func TestPackLongFormatErrors(t *testing.T) {
	word := strings.Repeat("q", 1<<20)
	start := time.Now()
	_, err := builtinSizeof(vs("u8 " + word))
	if took := time.Since(start); took > time.Second {
		t.Errorf("the error took %v", took)
	}
	want := `sizeof: format field "` + strings.Repeat("q", 32) + `…" at byte 3 of the format: unknown type "` + strings.Repeat("q", 32) + `…"; types are`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v\nwant %s...", err, want)
	}
}
