package interp

import (
	"math/rand"
	"reflect"
	"testing"
)

// fillRandom sets every field of v (a pointer) to random data, through
// reflection: a field added to the start record, a value or a handle
// that the codec forgets makes TestStartRecordEveryField fail.
func fillRandom(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 3 || rng.Intn(4) == 0 {
			return // nil
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRandom(rng, v.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i), depth)
			}
		}
	case reflect.Slice:
		if depth > 3 || rng.Intn(3) == 0 {
			return // nil: the codec gives nil for an empty slice, as gob did
		}
		n := 1 + rng.Intn(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := 0; i < n; i++ {
			fillRandom(rng, v.Index(i), depth+1)
		}
	case reflect.Map:
		if rng.Intn(3) == 0 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for i := rng.Intn(3); i > 0; i-- {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillRandom(rng, k, depth+1)
			fillRandom(rng, e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		v.SetString(genBytes(rng))
	case reflect.Bool:
		v.SetBool(rng.Intn(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x := rng.Int63() - rng.Int63()
		if rng.Intn(4) == 0 {
			x = []int64{0, -1, 1<<63 - 1, -1 << 63}[rng.Intn(4)]
		}
		v.SetInt(x << (64 - v.Type().Bits()) >> (64 - v.Type().Bits())) // what fits
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x := rng.Uint64()
		v.SetUint(x << (64 - v.Type().Bits()) >> (64 - v.Type().Bits()))
	default:
		panic("fillRandom: add a case for " + v.Kind().String())
	}
}

func TestStartRecordEveryField(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	for i := 0; i < 3000; i++ {
		var rec startRecord
		fillRandom(rng, reflect.ValueOf(&rec).Elem(), 0)
		b, err := encodeStart(&rec)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeStart(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(&rec, back) {
			t.Fatalf("case %d: the record changed on the way:\n sent %#v\n  got %#v", i, &rec, back)
		}
		// Every shorter prefix is refused, and refused without a panic.
		for _, cut := range []int{0, 1, len(b) / 2, len(b) - 1} {
			if cut < len(b) {
				if _, err := decodeStart(b[:cut]); err == nil {
					t.Fatalf("case %d: a record cut at %d of %d bytes was accepted", i, cut, len(b))
				}
			}
		}
	}
}

// FuzzDecodeStart: bytes that are not a start record give an error, never
// a panic or a huge allocation; a record that decodes encodes back to the
// same bytes.
func FuzzDecodeStart(f *testing.F) {
	b, _ := encodeStart(&startRecord{Name: "c", Src: "exit 0", Values: []wireValue{{K: KList, List: []wireValue{{K: KInt, I: -1}}}}})
	f.Add(b)
	f.Add([]byte{startTag, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeStart(b)
		if err != nil {
			return
		}
		again, _ := encodeStart(rec)
		if back, err := decodeStart(again); err != nil || !reflect.DeepEqual(rec, back) {
			t.Fatalf("decoded record does not survive a second trip: %v", err)
		}
	})
}
