package interp

// The format built-in (LANGUAGE.md §2, version 0.2):
//
//	format(F, V...) -> string   builtinFormat(args)   args[0] is F
//
// Its result is a value, so it is the same with and without -v (which
// changes what is shown, never a value): %s gives what print shows
// without -v, and %q quotes as the transcript does but never shortens a
// long string (the transcript cuts it at 64 bytes and gives its length).
//
// printf, as a C programmer knows it, for the values the language has:
// %d %o (ints), %x %X (ints, or a string's bytes in hex), %s (any value,
// as print shows it), %q (any value, quoted as the transcript shows it),
// %c (an int 0..255 as one byte), %%. Flags - + space # 0, a width and a
// .precision go between % and the verb. Widths and precisions count
// bytes, as in C, since strings are bytes. Errors start with "format:"
// and name the verb and its byte offset in F.

import (
	"fmt"
	"strconv"
	"strings"
)

// maxFormatWidth is Go's own limit for a width or precision; beyond it fmt
// writes %!(BADWIDTH) into the text, which must never reach a script.
const maxFormatWidth = 1_000_000

func builtinFormat(args []Value) (Value, error) {
	if len(args) == 0 {
		return Value{}, fmt.Errorf("format: the first argument is the text with verbs, such as \"%%-8s %%5d\"")
	}
	f, ok := textOf(args[0])
	if !ok {
		return Value{}, fmt.Errorf("format: the first argument must be a string, found %s", args[0].typeName())
	}
	vals := args[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		start := i
		i++
		flags := ""
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			flags += f[i : i+1]
			i++
		}
		// A width or precision: -1 when none is written.
		num := func(what string) (int, error) {
			j := i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			if j == i {
				return -1, nil
			}
			n, err := strconv.Atoi(f[j:i])
			if err != nil || n > maxFormatWidth {
				return 0, fmt.Errorf("format: the %s in %s at byte %d is more than %d", what, f[start:i], start, maxFormatWidth)
			}
			return n, nil
		}
		width, err := num("width")
		if err != nil {
			return Value{}, err
		}
		prec := -1
		if i < len(f) && f[i] == '.' {
			i++
			if prec, err = num("precision"); err != nil {
				return Value{}, err
			}
			prec = max(prec, 0) // "%.s", as in C: precision 0
		}
		if i >= len(f) {
			return Value{}, fmt.Errorf("format: %q at byte %d has no verb; verbs are %%d %%x %%o %%s %%q %%c, and %%%% for a %%", f[start:], start)
		}
		verb := f[i]
		spec := f[start : i+1]
		if verb == '%' {
			if len(spec) != 2 {
				return Value{}, fmt.Errorf("format: %s at byte %d: %%%% takes no flags, width or precision", spec, start)
			}
			b.WriteByte('%')
			continue
		}
		if strings.IndexByte("dxXosqc", verb) < 0 {
			return Value{}, fmt.Errorf("format: unknown verb %s at byte %d; verbs are %%d %%x %%o %%s %%q %%c, and %%%% for a %%", spec, start)
		}
		if next >= len(vals) {
			return Value{}, fmt.Errorf("format: %s at byte %d has no value: %d verbs need values, %d given", spec, start, countVerbs(f), len(vals))
		}
		v := vals[next]
		next++
		wrong := func(want string) error {
			return fmt.Errorf("format: %s at byte %d (value %d) needs %s, found %s", spec, start, next, want, v.typeName())
		}
		switch verb {
		case 'd', 'o':
			if v.K != KInt {
				return Value{}, wrong("an int")
			}
			b.WriteString(fmt.Sprintf(spec, v.I))
		case 'x', 'X':
			if v.K == KInt {
				b.WriteString(fmt.Sprintf(spec, v.I))
			} else if t, ok := textOf(v); ok {
				b.WriteString(fmt.Sprintf(spec, t))
			} else {
				return Value{}, wrong("an int or a string")
			}
		case 'c':
			if v.K != KInt {
				return Value{}, wrong("an int (a byte, 0..255; for a string use %s)")
			}
			if v.I < 0 || v.I > 255 {
				return Value{}, fmt.Errorf("format: %s at byte %d (value %d): %d is not a byte (0..255)", spec, start, next, v.I)
			}
			padBytes(&b, string([]byte{byte(v.I)}), flags, width, -1)
		case 's':
			padBytes(&b, v.text(false), flags, width, prec)
		case 'q':
			// The precision cuts the string before it is quoted, so the
			// quotes and escapes stay whole.
			if prec >= 0 && v.K == KStr && len(v.S) > prec {
				v.S = v.S[:prec]
			} else if prec >= 0 && v.K == KMsg && len(v.R.(*Msg).Text) > prec {
				m := *v.R.(*Msg)
				m.Text = m.Text[:prec]
				v.R = &m
			}
			padBytes(&b, v.quoteBy(false, strconv.Quote), flags, width, -1)
		}
	}
	if next < len(vals) {
		return Value{}, fmt.Errorf("format: %d values given, but the format has %d verbs", len(vals), next)
	}
	return strV(b.String()), nil
}

// padBytes writes s cut to prec bytes (if prec >= 0) and padded with
// blanks to width bytes, on the left or, with the - flag, on the right.
func padBytes(b *strings.Builder, s, flags string, width, prec int) {
	if prec >= 0 && len(s) > prec {
		s = s[:prec]
	}
	pad := ""
	if width > len(s) {
		pad = strings.Repeat(" ", width-len(s))
	}
	if strings.Contains(flags, "-") {
		b.WriteString(s)
		b.WriteString(pad)
		return
	}
	b.WriteString(pad)
	b.WriteString(s)
}

// countVerbs counts the verbs of F that take a value, for the error that
// says how many values were needed.
func countVerbs(f string) int {
	n := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("-+ #0123456789.", f[j]) >= 0 {
			j++
		}
		if j < len(f) && f[j] != '%' {
			n++
		}
		i = j
	}
	return n
}
