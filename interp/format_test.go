package interp

import (
	"strconv"
	"strings"
	"testing"
)

// fakeHandle stands for a kernel object in values that only get shown.
type fakeHandle struct{}

func (fakeHandle) Name() string    { return "p.r" }
func (fakeHandle) Kind() string    { return "fd" }
func (fakeHandle) Verbose() string { return "p.r(fd 3)" }

func TestFormat(t *testing.T) {
	msg := Value{K: KMsg, R: &Msg{Type: 2, Text: "hi\n"}}
	rec := Value{K: KRecord, R: &Record{Names: []string{"id", "name"}, Values: vs(7, "a b")}}
	list := Value{K: KList, R: &List{Items: vs(1, "x")}}
	long := strings.Repeat("a", 70)
	for _, c := range []struct {
		verbose bool
		args    []Value
		want    string
	}{
		{false, vs("plain"), "plain"},
		{false, vs("%d|%5d|%-5d|%05d|%+d|% d", 42, 42, 42, -42, 42, 42), "42|   42|42   |-0042|+42| 42"},
		{false, vs("%.3d", 7), "007"},
		{false, vs("%x %X %#x %08x", 255, 255, 255, 0xbeef), "ff FF 0xff 0000beef"},
		// A negative int in hex keeps its sign, as hex() shows it.
		{false, vs("%x %#x", -31, -31), "-1f -0x1f"},
		{false, vs("%o %#o", 0600, 0600), "600 0600"},
		{false, []Value{strV("%o %d"), modeV(0644), modeV(0644)}, "644 420"},
		// %x of a string is its bytes in hex.
		{false, vs("%x|% x|%X", "\x00\xffA", "ab", "\xde\xad"), "00ff41|61 62|DEAD"},
		{false, []Value{strV("%x"), msg}, "68690a"},
		// %s shows any value as print does.
		{false, vs("[%s] [%s] [%s]", "a\tb", 12, true), "[a\tb] [12] [true]"},
		{false, []Value{strV("%s|%s|%s|%s"), msg, rec, list, modeV(0600)}, "hi\n|id=7 name=\"a b\"|[1 x]|0600"},
		{false, []Value{strV("%s"), handleV(fakeHandle{})}, "p.r"},
		// A value: -v (which shows "p.r(fd 3)") does not change it.
		{true, []Value{strV("%s"), handleV(fakeHandle{})}, "p.r"},
		{false, vs("%6s|%-6s|%.2s|%-6.2s|%.s", "abc", "abc", "abc", "abc", "abc"), "   abc|abc   |ab|ab    |"},
		// Widths and precisions count bytes: "é" is two.
		{false, vs("%4s|%.1s", "é", "é"), "  é|\xc3"},
		// %q quotes as the transcript does.
		{false, vs("%q %q %q", "a\"b\n", 5, false), `"a\"b\n" 5 false`},
		// ... but never shortens a long string, as the transcript does.
		{true, vs("%q", strings.Repeat("x", 100)), strconv.Quote(strings.Repeat("x", 100))},
		{false, []Value{strV("%q"), msg}, `type=2 "hi\n"`},
		{false, []Value{strV("%q"), list}, `[1 "x"]`},
		{false, vs("%q", long), strconv.Quote(long)},
		{false, vs("%.2q|%8q|%-6q|", "abc", "ab", "ab"), `"ab"|    "ab"|"ab"  |`},
		// %c is one byte.
		{false, vs("%c%c%c|%3c|%-3c|", 'h', 'i', 0, 'x', 255), "hi\x00|  x|\xff  |"},
		{false, vs("100%% %d%%", 5), "100% 5%"},
		{false, vs(""), ""},
		// The examples of docs/builtins-binary.md.
		{false, vs("%-6s|%5d|%05d|%+d", "abc", 42, -42, 42), "abc   |   42|-0042|+42"},
		{false, vs("%.2s|%6.2s|", "abc", "abc"), "ab|    ab|"},
		{false, vs("%s %s", true, 12), "true 12"},
		{false, vs("%c%c", 104, 105), "hi"},
		{false, vs("%x", "\x80\x7f"), "807f"},
		{false, vs("%q", "\x01\x02\x00\x00\x06\x05\x04\x03"), `"\x01\x02\x00\x00\x06\x05\x04\x03"`},
	} {
		got, err := builtinFormat(c.args)
		if err != nil {
			t.Errorf("format%s: %v", showArgs(c.args), err)
			continue
		}
		if got.K != KStr || got.S != c.want {
			t.Errorf("format%s = %q, want %q", showArgs(c.args), got.S, c.want)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	const verbs = "verbs are %d %x %o %s %q %c, and %% for a %"
	for _, c := range []struct {
		args []Value
		want string
	}{
		{nil, `format: the first argument is the text with verbs, such as "%-8s %5d"`},
		{vs(5), `format: the first argument must be a string, found int`},
		{vs("n=%d", "5"), `format: %d at byte 2 (value 1) needs an int, found string`},
		{vs("%s %d", 1, true), `format: %d at byte 3 (value 2) needs an int, found bool`},
		{vs("%o", "x"), `format: %o at byte 0 (value 1) needs an int, found string`},
		{vs("%08x", false), `format: %08x at byte 0 (value 1) needs an int or a string, found bool`},
		{vs("%c", "a"), `format: %c at byte 0 (value 1) needs an int (a byte, 0..255; for a string use %s), found string`},
		{vs("ab%c", 256), `format: %c at byte 2 (value 1): 256 is not a byte (0..255)`},
		{vs("%c", -1), `format: %c at byte 0 (value 1): -1 is not a byte (0..255)`},
		{vs("%d %s %x", 1), `format: %s at byte 3 has no value: 3 verbs need values, 1 given`},
		{vs("%d %%", 1, 2), `format: 2 values given, but the format has 1 verbs`},
		{vs("x", 1), `format: 1 values given, but the format has 0 verbs`},
		{vs("%y", 1), `format: unknown verb %y at byte 0; ` + verbs},
		{vs("a %-5v", 1), `format: unknown verb %-5v at byte 2; ` + verbs},
		{vs("50%"), `format: "%" at byte 2 has no verb; ` + verbs},
		{vs("%-08.3"), `format: "%-08.3" at byte 0 has no verb; ` + verbs},
		{vs("%5%"), `format: %5% at byte 0: %% takes no flags, width or precision`},
		{vs("%1000001d", 1), `format: the width in %1000001 at byte 0 is more than 1000000`},
		{vs("%.99999999999999999999s", "x"), `format: the precision in %.99999999999999999999 at byte 0 is more than 1000000`},
	} {
		_, err := builtinFormat(c.args)
		if err == nil {
			t.Errorf("format%s: no error, want %s", showArgs(c.args), c.want)
		} else if err.Error() != c.want {
			t.Errorf("format%s:\n got %s\nwant %s", showArgs(c.args), err, c.want)
		}
	}
}

// Durations in the transcript are shown in the largest unit that divides
// them, and zero as a script writes it.
func TestFormatDuration(t *testing.T) {
	for ns, want := range map[int64]string{0: "0s", 1: "1ns", 1500: "1500ns", 2000: "2us", 20e6: "20ms", 90e9: "90s", 120e9: "2m", 7200e9: "2h"} {
		if got := formatDuration(ns); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", ns, got, want)
		}
	}
}
