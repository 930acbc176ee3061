package interp

import (
	"testing"
)

func TestStrFuncs(t *testing.T) {
	msg := Value{K: KMsg, R: &Msg{Type: 1, Text: " 42\n"}}
	for _, c := range []struct {
		name string
		got  func() (Value, error)
		want Value
	}{
		{`ord("A")`, func() (Value, error) { return builtinOrd(strV("A")) }, intV(65)},
		{`ord("\xff")`, func() (Value, error) { return builtinOrd(strV("\xffz")) }, intV(255)},
		{`ord("\x00")`, func() (Value, error) { return builtinOrd(strV("\x00")) }, intV(0)},
		{`ord("é")`, func() (Value, error) { return builtinOrd(strV("é")) }, intV(0xc3)}, // a byte, not a rune
		{`ord(msg)`, func() (Value, error) { return builtinOrd(msg) }, intV(' ')},
		{`chr(65)`, func() (Value, error) { return builtinChr(intV(65)) }, strV("A")},
		{`chr(0)`, func() (Value, error) { return builtinChr(intV(0)) }, strV("\x00")},
		{`chr(255)`, func() (Value, error) { return builtinChr(intV(255)) }, strV("\xff")},
		{`find("hello", "l")`, func() (Value, error) { return builtinFind(strV("hello"), strV("l")) }, intV(2)},
		{`find("hello", "lo")`, func() (Value, error) { return builtinFind(strV("hello"), strV("lo")) }, intV(3)},
		{`find("hello", "x")`, func() (Value, error) { return builtinFind(strV("hello"), strV("x")) }, intV(-1)},
		{`find("hello", "")`, func() (Value, error) { return builtinFind(strV("hello"), strV("")) }, intV(0)},
		{`find("", "")`, func() (Value, error) { return builtinFind(strV(""), strV("")) }, intV(0)},
		{`find("a\x00b", "\x00")`, func() (Value, error) { return builtinFind(strV("a\x00b"), strV("\x00")) }, intV(1)},
		{`find("héllo", "l")`, func() (Value, error) { return builtinFind(strV("héllo"), strV("l")) }, intV(3)}, // bytes
		{`find(msg, "2")`, func() (Value, error) { return builtinFind(msg, strV("2")) }, intV(2)},
		{`trim(" \t a b \r\n\v\f")`, func() (Value, error) { return builtinTrim(strV(" \t a b \r\n\v\f")) }, strV("a b")},
		{`trim("")`, func() (Value, error) { return builtinTrim(strV("")) }, strV("")},
		{`trim("  ")`, func() (Value, error) { return builtinTrim(strV("  ")) }, strV("")},
		{`trim("x\x00")`, func() (Value, error) { return builtinTrim(strV("x\x00 ")) }, strV("x\x00")},      // NUL is not space
		{`trim("\u00a0x")`, func() (Value, error) { return builtinTrim(strV("\u00a0x")) }, strV("\u00a0x")}, // C's isspace
		{`trim(msg)`, func() (Value, error) { return builtinTrim(msg) }, strV("42")},
	} {
		got, err := c.got()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.K != c.want.K || got.I != c.want.I || got.S != c.want.S {
			t.Errorf("%s = %s, want %s", c.name, got.quote(false), c.want.quote(false))
		}
	}
}

func TestStrFuncErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{second(builtinOrd(strV(""))), "ord: the string is empty; it has no first byte"},
		{second(builtinOrd(intV(65))), "ord: expected a string, found int"},
		{second(builtinChr(intV(256))), "chr: 256 is not a byte (0..255)"},
		{second(builtinChr(intV(-1))), "chr: -1 is not a byte (0..255)"},
		{second(builtinChr(strV("A"))), "chr: expected an int, found string"},
		{second(builtinFind(strV("a"), intV(1))), "find: expected (string, string), found (string, int)"},
		{second(builtinFind(boolV(true), strV("a"))), "find: expected (string, string), found (bool, string)"},
		{second(builtinTrim(intV(1))), "trim: expected a string, found int"},
	} {
		if c.err == nil {
			t.Errorf("no error, want %s", c.want)
		} else if c.err.Error() != c.want {
			t.Errorf("got %s, want %s", c.err, c.want)
		}
	}
}

func second(_ Value, err error) error { return err }

func TestStrIntWithSpace(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"42", 42},
		{" 42\n", 42},
		{"\t-7 ", -7},
		{"\r\n0x1f\r\n", 31},
		{" 0600", 0600},
		{"1_000 ", 1000},
	} {
		got, err := parseIntText(c.in)
		if err != nil || got != c.want {
			t.Errorf("int(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	// White space inside a number, or nothing but white space, is still
	// not an integer.
	for _, in := range []string{"4 2", " ", "", "- 5", "42x", "\x0042"} {
		if n, err := parseIntText(in); err == nil {
			t.Errorf("int(%q) = %d, want an error", in, n)
		}
	}
}
