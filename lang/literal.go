package lang

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

var sizeUnits = map[string]int64{
	"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
}

var durationUnits = map[string]int64{
	"ns": int64(time.Nanosecond), "us": int64(time.Microsecond), "µs": int64(time.Microsecond),
	"ms": int64(time.Millisecond), "s": int64(time.Second), "m": int64(time.Minute), "h": int64(time.Hour),
}

// splitNumber splits "4KiB" into its digits and unit and checks the digits.
func splitNumber(text string) (digits, unit string, err error) {
	digits = text
	body, base := text, 10
	if len(text) > 1 && text[0] == '0' {
		switch text[1] | 0x20 {
		case 'x':
			body, base = text[2:], 16
		case 'b':
			body, base = text[2:], 2
		case 'o':
			body, base = text[2:], 8
		}
	}
	// The unit starts at the first letter that cannot be a digit of this
	// base. A decimal digit never starts a unit: in 0b12 the 2 is a bad
	// digit, not a unit "2".
	i := 0
	for i < len(body) && (body[i] == '_' || isDigit(body[i]) || digitVal(body[i]) < base) {
		i++
	}
	unit = body[i:]
	digits = text[:len(text)-len(unit)]
	if _, err := ParseInt(digits); err != nil {
		return "", "", err
	}
	return digits, unit, nil
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 99
}

// ParseInt reads an integer literal as LANGUAGE.md §1 defines it: decimal,
// 0x, 0b, 0o, C-style octal with a leading zero, `_` between digits.
func ParseInt(text string) (int64, error) {
	s := text
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	base, cOctal := 10, false
	switch {
	case len(s) > 1 && s[0] == '0' && s[1]|0x20 == 'x':
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0' && s[1]|0x20 == 'b':
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0' && s[1]|0x20 == 'o':
		base, s = 8, s[2:]
	case len(s) > 1 && s[0] == '0':
		// The leading 0 stays a digit, so 0_600 has its _ between digits.
		base, cOctal = 8, true
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, errors.New("digits expected, with _ only between digits")
	}
	s = strings.ReplaceAll(s, "_", "")
	u, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, errors.New("out of the 64-bit range")
		}
		if cOctal && strings.ContainsAny(s, "89") {
			return 0, errors.New("a leading 0 means octal, and 8 and 9 are not octal digits")
		}
		return 0, errors.New("not a valid base-" + strconv.Itoa(base) + " number")
	}
	if neg {
		if u > 1<<63 {
			return 0, errors.New("out of the 64-bit range")
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, errors.New("out of the 64-bit range")
	}
	return int64(u), nil
}

// ParseUnit reads a size or duration literal ("4KiB", "10ms") into bytes or
// nanoseconds.
func ParseUnit(text string) (int64, error) {
	digits, unit, err := splitNumber(text)
	if err != nil {
		return 0, err
	}
	n, _ := ParseInt(digits)
	mul := sizeUnits[unit]
	if mul == 0 {
		mul = durationUnits[unit]
	}
	if mul == 0 {
		return 0, errors.New("unknown unit " + strconv.Quote(unit))
	}
	if n > math.MaxInt64/mul {
		return 0, errors.New("out of the 64-bit range")
	}
	return n * mul, nil
}

// Unquote decodes a string literal with the escapes of LANGUAGE.md §1:
// \n \t \r \0 \\ \" \xHH. Strings are bytes: \xff is one byte, not a rune.
func Unquote(lit string) (string, error) {
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", errors.New("not a string literal")
	}
	s := lit[1 : len(lit)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", errors.New("a lone \\ at the end")
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\':
			b.WriteByte('\\')
		case '"':
			b.WriteByte('"')
		case 'x':
			if i+2 >= len(s) {
				return "", errors.New(`\x needs two hex digits`)
			}
			hi, lo := digitVal(s[i+1]), digitVal(s[i+2])
			if hi > 15 || lo > 15 {
				return "", errors.New(`\x needs two hex digits`)
			}
			b.WriteByte(byte(hi<<4 | lo))
			i += 2
		default:
			return "", errors.New("unknown escape \\" + string(s[i]) + ` (known: \n \t \r \0 \\ \" \xHH)`)
		}
	}
	return b.String(), nil
}
