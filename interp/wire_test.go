package interp

import (
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// A spawned child must get every value bit for bit (LANGUAGE.md §1:
// strings are bytes). These tests cross values through the start
// record's encoding, then through real children.

// genValue makes a random value of depth at most d: every kind but
// handles, which the end-to-end test below covers.
func genValue(rng *rand.Rand, d int) Value {
	k := rng.Intn(6)
	if d <= 0 && k >= 3 {
		k = rng.Intn(3)
	}
	switch k {
	case 0:
		edges := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt32 + 1, math.MinInt32 - 1}
		if rng.Intn(5) == 0 {
			return modeV(rng.Int63n(07777))
		}
		if rng.Intn(2) == 0 {
			return intV(edges[rng.Intn(len(edges))])
		}
		return intV(rng.Int63() - rng.Int63())
	case 1:
		return strV(genBytes(rng))
	case 2:
		return boolV(rng.Intn(2) == 0)
	case 3:
		return Value{K: KMsg, R: &Msg{Type: rng.Int63() - rng.Int63(), Text: genBytes(rng)}}
	case 4:
		n := rng.Intn(4)
		items := make([]Value, n)
		for i := range items {
			items[i] = genValue(rng, d-1)
		}
		return Value{K: KList, R: &List{Items: items}}
	}
	r := &Record{Display: map[string]string{}}
	for i := rng.Intn(4); i > 0; i-- {
		name := genBytes(rng)
		r.Names = append(r.Names, name)
		r.Values = append(r.Values, genValue(rng, d-1))
		if rng.Intn(3) == 0 {
			r.Display[name] = genBytes(rng)
		}
	}
	return Value{K: KRecord, R: r}
}

// genBytes is a string of random bytes: empty, every byte value, invalid
// UTF-8, NULs.
func genBytes(rng *rand.Rand) string {
	switch rng.Intn(4) {
	case 0:
		return ""
	case 1:
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		return string(b)
	}
	b := make([]byte, rng.Intn(40))
	for i := range b {
		b[i] = byte(rng.Intn(256))
	}
	return string(b)
}

// crossValues sends values through the start record as a spawn does and
// returns what the child would rebuild.
func crossValues(t *testing.T, vals []Value, src string) ([]Value, *startRecord) {
	t.Helper()
	enc := &wireEncoder{index: map[Handle]int{}}
	rec := &startRecord{Name: "c", Src: src, Args: []string{src}, Tmp: src}
	for _, v := range vals {
		rec.Values = append(rec.Values, enc.value(v))
	}
	b, err := encodeStart(rec)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeStart(b)
	if err != nil {
		t.Fatal(err)
	}
	dec := &wireDecoder{wires: back.Handles, built: make([]Handle, len(back.Handles))}
	out := make([]Value, len(back.Values))
	for i, w := range back.Values {
		out[i] = dec.value(w)
	}
	return out, back
}

// sameValue compares two values as the language does, field by field,
// treating empty and nil maps alike (an empty map does not cross).
func sameValue(a, b Value) bool {
	if a.K != b.K || a.I != b.I || a.S != b.S {
		return false
	}
	switch a.K {
	case KList:
		x, y := a.R.(*List).Items, b.R.(*List).Items
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
	case KMsg:
		return *a.R.(*Msg) == *b.R.(*Msg)
	case KRecord:
		x, y := a.R.(*Record), b.R.(*Record)
		if len(x.Names) != len(y.Names) || len(x.Values) != len(y.Values) {
			return false
		}
		for i := range x.Names {
			if x.Names[i] != y.Names[i] || !sameValue(x.Values[i], y.Values[i]) {
				return false
			}
		}
		for _, n := range x.Names {
			if x.Display[n] != y.Display[n] {
				return false
			}
		}
	}
	return true
}

func TestStartRecordCarriesValuesBitForBit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		vals := []Value{genValue(rng, 3), genValue(rng, 3)}
		src := genBytes(rng)
		got, rec := crossValues(t, vals, src)
		for j := range vals {
			if !sameValue(vals[j], got[j]) {
				t.Fatalf("case %d: value %d changed on the way:\n sent %#v\n  got %#v", i, j, vals[j], got[j])
			}
		}
		if rec.Src != src || !reflect.DeepEqual(rec.Args, []string{src}) || rec.Tmp != src {
			t.Fatalf("case %d: the block's source, args or tmp changed: %q", i, src)
		}
	}
}

// FuzzStartRecord: any bytes and ints sent to a child come back as they were.
func FuzzStartRecord(f *testing.F) {
	f.Add("a\x80\xffb", int64(math.MinInt64), true)
	f.Add("", int64(math.MaxInt64), false)
	f.Add("\xed\xa0\x80\x00\xc0", int64(0), true)
	f.Fuzz(func(t *testing.T, s string, i int64, b bool) {
		rec := &Record{Names: []string{s}, Values: []Value{strV(s)}, Display: map[string]string{s: s}}
		vals := []Value{strV(s), intV(i), boolV(b), {K: KMsg, R: &Msg{Type: i, Text: s}}, {K: KRecord, R: rec},
			{K: KList, R: &List{Items: []Value{strV(s), intV(i)}}}}
		got, back := crossValues(t, vals, s)
		for j := range vals {
			if !sameValue(vals[j], got[j]) {
				t.Fatalf("value %d changed: sent %#v got %#v", j, vals[j], got[j])
			}
		}
		if back.Src != s {
			t.Fatalf("source changed: %q -> %q", s, back.Src)
		}
	})
}

// TestChildGetsValuesBitForBit sends real children every byte value,
// invalid UTF-8, the ends of int64, bools, a message with binary text, a
// record and handles, through each way a child can start: from the warm
// pool, by re-exec (no pool), and a child's own spawn (always a re-exec).
func TestChildGetsValuesBitForBit(t *testing.T) {
	var lit strings.Builder
	for i := 0; i < 256; i++ {
		lit.WriteString(`\x` + string("0123456789abcdef"[i>>4]) + string("0123456789abcdef"[i&15]))
	}
	all := `"` + lit.String() + `"`
	prelude := `let all = ` + all + `
msgget q key=private create
send q "\xff\x00\x80" type=7
let m = recv q
let st = msgctl q stat
let bad = "a\x80\xffb"
let empty = ""
let lo = -9223372036854775807 - 1
let hi = 9223372036854775807
let yes = true
let no = false
pipe p
`
	checks := `expect len(all) == 256 && all == ` + all + `
expect all[128:130] == "\x80\x81"
expect bad == "a\x80\xffb" && len(bad) == 4
expect empty == "" && len(empty) == 0
expect lo == -9223372036854775807 - 1 && hi == 9223372036854775807
expect yes == true && no == false
expect m.type == 7 && m.text == "\xff\x00\x80" && len(m.text) == 3
expect st.qnum == 0
write p.w "ok"
`
	ways := map[string]string{
		"pool":   "sleep 300ms\nspawn c {\n" + checks + "}\nclose p.w\n",
		"nested": "spawn outer {\n spawn c {\n" + checks + "}\n close p.w\n wait c\n}\nclose p.w\n",
	}
	for name, body := range ways {
		t.Run(name, func(t *testing.T) {
			out, err := run(t, prelude+body+"let got = read p.r 2\nexpect got == \"ok\"\nwait\n")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
	t.Run("re-exec", func(t *testing.T) {
		t.Setenv("IPCSH_NO_POOL", "1")
		out, err := run(t, prelude+"spawn c {\n"+checks+"}\nclose p.w\nlet got = read p.r 2\nexpect got == \"ok\"\nwait\n")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	})
}
