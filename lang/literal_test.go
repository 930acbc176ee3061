package lang

import (
	"math"
	"testing"
)

// The values of literals, as the interpreter computes them from the
// tokens' text (and `int("0x1f")` from a string). TestLiterals checks that
// each form reaches the AST as one token.

func TestParseInt(t *testing.T) {
	good := []struct {
		text string
		want int64
	}{
		{"0", 0}, {"42", 42}, {"-42", -42}, {"+7", 7},
		{"0x1f", 31}, {"0X1F", 31}, {"0xdead_beef", 0xdeadbeef},
		{"0b101", 5}, {"0B1_0", 2},
		{"0o644", 0o644}, {"0O17", 15},
		{"0600", 0o600}, {"00", 0}, {"007", 7}, {"0_7", 7},
		{"1_000_000", 1000000},
		{"9223372036854775807", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64},
		{"0x7fffffffffffffff", math.MaxInt64},
	}
	for _, tt := range good {
		if got, err := ParseInt(tt.text); err != nil || got != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d", tt.text, got, err, tt.want)
		}
	}
	bad := []struct{ text, want string }{
		{"", "digits expected, with _ only between digits"},
		{"-", "digits expected, with _ only between digits"},
		{"0x", "digits expected, with _ only between digits"},
		{"_1", "digits expected, with _ only between digits"},
		{"1_", "digits expected, with _ only between digits"},
		{"1__0", "digits expected, with _ only between digits"},
		{"0x_1", "digits expected, with _ only between digits"},
		{"09", "a leading 0 means octal, and 8 and 9 are not octal digits"},
		{"0b2", "not a valid base-2 number"},
		{"0o8", "not a valid base-8 number"},
		{"0xg", "not a valid base-16 number"},
		{"12a", "not a valid base-10 number"},
		{"9223372036854775808", "out of the 64-bit range"},
		{"-9223372036854775809", "out of the 64-bit range"},
		{"0x1_0000_0000_0000_0000", "out of the 64-bit range"},
	}
	for _, tt := range bad {
		if got, err := ParseInt(tt.text); err == nil || err.Error() != tt.want {
			t.Errorf("ParseInt(%q) = %d, %v; want error %q", tt.text, got, err, tt.want)
		}
	}
}

func TestParseUnit(t *testing.T) {
	good := []struct {
		text string
		want int64
	}{
		{"512B", 512}, {"4KiB", 4 << 10}, {"1MiB", 1 << 20}, {"1GiB", 1 << 30}, {"0x10KiB", 16 << 10},
		{"7ns", 7}, {"500us", 500_000}, {"10ms", 10_000_000}, {"2s", 2_000_000_000},
		{"1m", 60_000_000_000}, {"1h", 3_600_000_000_000}, {"1_500ms", 1_500_000_000},
		{"8589934591GiB", 8589934591 << 30},
	}
	for _, tt := range good {
		if got, err := ParseUnit(tt.text); err != nil || got != tt.want {
			t.Errorf("ParseUnit(%q) = %d, %v; want %d", tt.text, got, err, tt.want)
		}
	}
	bad := []struct{ text, want string }{
		{"10", `unknown unit ""`},
		{"10xs", `unknown unit "xs"`},
		{"4kib", `unknown unit "kib"`},
		{"8589934592GiB", "out of the 64-bit range"},
		{"99999999999h", "out of the 64-bit range"},
		{"1__0ms", "digits expected, with _ only between digits"},
		{"0b12s", "not a valid base-2 number"},
	}
	for _, tt := range bad {
		if got, err := ParseUnit(tt.text); err == nil || err.Error() != tt.want {
			t.Errorf("ParseUnit(%q) = %d, %v; want error %q", tt.text, got, err, tt.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	good := []struct{ lit, want string }{
		{`""`, ""},
		{`"abc"`, "abc"},
		{`"a\nb"`, "a\nb"},
		{`"\t\r\0"`, "\t\r\x00"},
		{`"\\"`, `\`},
		{`"\""`, `"`},
		{`"\x41\x7A\xff"`, "Az\xff"},
		{`"é"`, "é"},
		// Strings are bytes: \xff is one byte, not the rune U+00FF.
		{`"\xc3\xa9"`, "é"},
	}
	for _, tt := range good {
		if got, err := Unquote(tt.lit); err != nil || got != tt.want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", tt.lit, got, err, tt.want)
		}
	}
	bad := []struct{ lit, want string }{
		{`abc`, "not a string literal"},
		{`"`, "not a string literal"},
		{`"abc`, "not a string literal"},
		{`"\"`, `a lone \ at the end`},
		{`"\q"`, `unknown escape \q (known: \n \t \r \0 \\ \" \xHH)`},
		{`"\x4"`, `\x needs two hex digits`},
		{`"\xg0"`, `\x needs two hex digits`},
	}
	for _, tt := range bad {
		if got, err := Unquote(tt.lit); err == nil || err.Error() != tt.want {
			t.Errorf("Unquote(%s) = %q, %v; want error %q", tt.lit, got, err, tt.want)
		}
	}
}
