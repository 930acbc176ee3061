package interp

// Byte-string built-ins (LANGUAGE.md §2, version 0.2):
//
//	ord(s)       -> int     builtinOrd(s)        the first byte, 0..255
//	chr(n)       -> string  builtinChr(n)        one byte, n in 0..255
//	find(s, sub) -> int     builtinFind(s, sub)  byte index of sub, or -1
//	trim(s)      -> string  builtinTrim(s)       without leading and trailing white space
//	int(s)                  parseIntText(s)      as before, white space around allowed
//
// Strings are bytes, as in C: indexes and lengths count bytes, and white
// space is C's isspace() set, so a line read from a FIFO ("42\n") or a
// field padded with blanks by a C program trims the way it would there.
// A message counts as its text. Errors start with the built-in's name;
// the caller adds the position.

import (
	"fmt"
	"strings"

	"ipcsh/lang"
)

// spaceBytes is C's isspace() in the "C" locale.
const spaceBytes = " \t\n\v\f\r"

func builtinOrd(s Value) (Value, error) {
	t, ok := textOf(s)
	if !ok {
		return Value{}, fmt.Errorf("ord: expected a string, found %s", s.typeName())
	}
	if t == "" {
		return Value{}, fmt.Errorf("ord: the string is empty; it has no first byte")
	}
	return intV(int64(t[0])), nil
}

func builtinChr(n Value) (Value, error) {
	if n.K != KInt {
		return Value{}, fmt.Errorf("chr: expected an int, found %s", n.typeName())
	}
	if n.I < 0 || n.I > 255 {
		return Value{}, fmt.Errorf("chr: %d is not a byte (0..255)", n.I)
	}
	return strV(string([]byte{byte(n.I)})), nil
}

func builtinFind(s, sub Value) (Value, error) {
	t, ok1 := textOf(s)
	u, ok2 := textOf(sub)
	if !ok1 || !ok2 {
		return Value{}, fmt.Errorf("find: expected (string, string), found (%s, %s)", s.typeName(), sub.typeName())
	}
	return intV(int64(strings.Index(t, u))), nil
}

func builtinTrim(s Value) (Value, error) {
	t, ok := textOf(s)
	if !ok {
		return Value{}, fmt.Errorf("trim: expected a string, found %s", s.typeName())
	}
	return strV(trimSpace(t)), nil
}

func trimSpace(s string) string { return strings.Trim(s, spaceBytes) }

// parseIntText reads a string as int() does: an integer literal, with
// white space around it allowed (a number read from a pipe ends in a
// newline) but not inside it.
func parseIntText(s string) (int64, error) {
	return lang.ParseInt(trimSpace(s))
}
