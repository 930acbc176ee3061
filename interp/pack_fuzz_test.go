package interp

import (
	"encoding/binary"
	"strings"
	"testing"
)

// FuzzPackFormat feeds the FORMAT parser any text, and every format it
// accepts through both round trips: bytes → unpack → pack gives the bytes
// back (padding zeroed), and values → pack → unpack gives the values back.
// The seed corpus is in testdata/fuzz/FuzzPackFormat.
func FuzzPackFormat(f *testing.F) {
	f.Fuzz(func(t *testing.T, format string, data []byte) {
		l, err := parsePackFormat(format)
		_, serr := builtinSizeof(vs(format))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "format field ") && !strings.HasPrefix(msg, "the format has no fields") {
				t.Fatalf("parse %q: error names no field: %s", format, msg)
			}
			if serr == nil || serr.Error() != "sizeof: "+msg {
				t.Fatalf("sizeof(%q) = %v, the parser says %s", format, serr, msg)
			}
			return
		}
		if serr != nil {
			t.Fatalf("sizeof(%q): %v, the parser accepts it", format, serr)
		}
		checkLayout(t, format, l)

		// The same layout from its canonical text: the parser reads what
		// it is documented to read, whatever the spacing.
		again, err := parsePackFormat(canonical(l))
		if err != nil {
			t.Fatalf("canonical form %q of %q: %v", canonical(l), format, err)
		}
		if canonical(again) != canonical(l) || again.size != l.size {
			t.Fatalf("%q and its canonical form %q lay out differently", format, canonical(l))
		}

		if l.size > 1<<16 {
			return // the layout is checked; packing a huge one proves nothing more
		}
		// bytes → unpack → pack
		in := make([]byte, l.size)
		for i := range in {
			if len(data) > 0 {
				in[i] = data[i%len(data)] ^ byte(i/len(data))
			}
		}
		rec, err := builtinUnpack(vs(format, string(in)))
		if err != nil {
			t.Fatalf("unpack(%q, %d bytes): %v", format, len(in), err)
		}
		back, err := builtinPack(append(vs(format), rec.R.(*Record).Values...))
		if err != nil {
			t.Fatalf("pack(%q) of what it unpacked: %v", format, err)
		}
		if want := zeroPadding(t, format, string(in)); back.S != want {
			t.Fatalf("pack(unpack(%q, %x)) = %x, want %x", format, in, back.S, want)
		}

		// values → pack → unpack
		vals := make([]Value, len(l.values))
		for vi, fi := range l.values {
			f := l.fields[fi]
			var word [8]byte
			for i := range word {
				if len(data) > 0 {
					word[i] = data[(vi*8+i)%len(data)] + byte(vi)
				}
			}
			u := binary.LittleEndian.Uint64(word[:])
			switch {
			case f.kind == 's':
				n := int(u % uint64(f.size+1))
				s := make([]byte, n)
				for i := range s {
					s[i] = byte(u>>(i%8*8)) | 1 // no NUL: unpack would drop a trailing one
				}
				vals[vi] = strV(string(s))
			case f.kind == 'u' && f.size < 8:
				vals[vi] = intV(int64(u & (1<<(f.size*8) - 1)))
			case f.size < 8: // signed: sign-extend the low bytes
				shift := 64 - f.size*8
				vals[vi] = intV(int64(u<<shift) >> shift)
			default:
				vals[vi] = intV(int64(u))
			}
		}
		packed, err := builtinPack(append(vs(format), vals...))
		if err != nil {
			t.Fatalf("pack(%q, %s): %v", format, showArgs(vals), err)
		}
		if len(packed.S) != l.size {
			t.Fatalf("pack(%q) gave %d bytes, sizeof is %d", format, len(packed.S), l.size)
		}
		for i := range packed.S {
			if packed.S[i] != 0 && !covered(l, i) {
				t.Fatalf("pack(%q): padding byte %d is %#x, not NUL", format, i, packed.S[i])
			}
		}
		rec, err = builtinUnpack(vs(format, packed.S))
		if err != nil {
			t.Fatalf("unpack(%q) of what it packed: %v", format, err)
		}
		for i, v := range rec.R.(*Record).Values {
			if !equal(v, vals[i]) {
				t.Fatalf("unpack(pack(%q)).%s = %s, packed %s", format, rec.R.(*Record).Names[i], v.quote(false), vals[i].quote(false))
			}
		}
	})
}

// checkLayout holds a parsed layout to C's rules: fields in order without
// overlap, each at a multiple of its alignment, the size the end of the
// last field rounded up to the largest alignment, names unique.
func checkLayout(t *testing.T, format string, l *packLayout) {
	t.Helper()
	end, maxAlign := 0, 1
	names := map[string]bool{}
	for i, f := range l.fields {
		if f.size < 1 || f.align < 1 || f.off < end || f.off%f.align != 0 || f.off-end >= f.align {
			t.Fatalf("%q: field %d %+v after byte %d", format, i, f, end)
		}
		if l.packed && f.align != 1 {
			t.Fatalf("%q: packed, but field %d aligns to %d", format, i, f.align)
		}
		if f.kind != 'x' {
			if names[f.name] || !isIdent(f.name) {
				t.Fatalf("%q: field name %q repeated or not an identifier", format, f.name)
			}
			names[f.name] = true
		}
		end = f.off + f.size
		maxAlign = max(maxAlign, f.align)
	}
	if l.size < end || l.size%maxAlign != 0 || l.size-end >= maxAlign {
		t.Fatalf("%q: size %d, fields end at %d, alignment %d", format, l.size, end, maxAlign)
	}
	if len(names) != len(l.values) {
		t.Fatalf("%q: %d names for %d value fields", format, len(names), len(l.values))
	}
}

// canonical writes a layout back as a format: one space between fields,
// every value field named.
func canonical(l *packLayout) string {
	var words []string
	if l.packed {
		words = append(words, "packed")
	}
	for _, f := range l.fields {
		if f.kind == 'x' {
			words = append(words, f.typ)
		} else {
			words = append(words, f.name+":"+f.typ)
		}
	}
	return strings.Join(words, " ")
}

func covered(l *packLayout, i int) bool {
	for _, fi := range l.values {
		if f := l.fields[fi]; i >= f.off && i < f.off+f.size {
			return true
		}
	}
	return false
}
