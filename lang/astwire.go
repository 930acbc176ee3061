package lang

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A spawned child runs a block its parent has already parsed and checked.
// Parsing it again would make every child build participle's parser,
// which is about a quarter of a spawn's CPU (BENCHMARKS.md): the child
// gets the parent's statements in this binary form instead, and never
// builds a parser at all.
//
// The form follows the AST's Go types by reflection, so a field added to
// a node travels without a change here (TestStmtWireEveryScript decodes
// every block of every script in the repo and compares it with a parse
// of the block's text). Parent and child are the same binary, so no type
// description travels: fields in declaration order, ints as varints,
// strings as a length and the bytes, a pointer as 0 (nil), 1 (a new
// object, its fields follow) or 2+k (the k-th object already sent: the
// checker makes a command's Opts point at the Options in its Args, and
// the sharing survives), an Expr as the index of its node type, and a
// *Spec by name, looked up in this binary's statement table.

const stmtsTag = 0x41 // 'A'

// exprTypes are the node types an Expr may hold, in a fixed order: an
// Expr travels as its index here.
var exprTypes = []reflect.Type{
	reflect.TypeFor[*Ident](),
	reflect.TypeFor[*Literal](),
	reflect.TypeFor[*ParenExpr](),
	reflect.TypeFor[*UnaryExpr](),
	reflect.TypeFor[*BinaryExpr](),
	reflect.TypeFor[*DotExpr](),
	reflect.TypeFor[*IndexExpr](),
	reflect.TypeFor[*SliceExpr](),
	reflect.TypeFor[*CallExpr](),
}

var specType = reflect.TypeFor[*Spec]()

// EncodeStmts gives stmts in the binary form DecodeStmts reads.
func EncodeStmts(stmts []*Stmt) []byte {
	e := &astEncoder{b: []byte{stmtsTag}, seen: map[ptrKey]int{}}
	e.value(reflect.ValueOf(stmts))
	return e.b
}

// DecodeStmts reads what EncodeStmts wrote in this same binary. Other
// bytes give an error, never a panic (FuzzDecodeStmts).
func DecodeStmts(b []byte) (stmts []*Stmt, err error) {
	if len(b) == 0 || b[0] != stmtsTag {
		return nil, errors.New("not a statement record")
	}
	d := &astDecoder{b: b[1:]}
	v := reflect.ValueOf(&stmts).Elem()
	if err := d.value(v); err != nil {
		return nil, err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the statements", len(d.b))
	}
	return stmts, nil
}

type astEncoder struct {
	b    []byte
	seen map[ptrKey]int // pointer → its index among the objects sent
}

// ptrKey tells apart pointers of different types to one address (a node
// and the span at its start).
type ptrKey struct {
	t reflect.Type
	p uintptr
}

func (e *astEncoder) uint(u uint64) { e.b = binary.AppendUvarint(e.b, u) }

func (e *astEncoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *astEncoder) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			e.value(v.Field(i))
		}
	case reflect.Pointer:
		if v.IsNil() {
			e.uint(0)
			return
		}
		if v.Type() == specType {
			e.uint(1)
			e.str(v.Interface().(*Spec).Name)
			return
		}
		key := ptrKey{v.Type(), v.Pointer()}
		if k, ok := e.seen[key]; ok {
			e.uint(uint64(2 + k))
			return
		}
		e.seen[key] = len(e.seen)
		e.uint(1)
		e.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			e.uint(0)
			return
		}
		k := slices.Index(exprTypes, v.Elem().Type())
		if k < 0 {
			panic(fmt.Sprintf("lang: an Expr of type %s has no index in exprTypes", v.Elem().Type()))
		}
		e.uint(uint64(1 + k))
		e.value(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.uint(0)
			return
		}
		e.uint(uint64(1 + v.Len()))
		for i := range v.Len() {
			e.value(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			e.uint(0)
			return
		}
		e.uint(uint64(1 + v.Len()))
		if v.Type().Key().Kind() != reflect.String {
			panic(fmt.Sprintf("lang: the AST has a %s, which EncodeStmts cannot send in a fixed order", v.Type()))
		}
		keys := v.MapKeys()
		// Sorted, so that one block always gives the same bytes.
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			e.value(k)
			e.value(v.MapIndex(k))
		}
	case reflect.String:
		e.str(v.String())
	case reflect.Bool:
		if v.Bool() {
			e.uint(1)
		} else {
			e.uint(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = binary.AppendVarint(e.b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.uint(v.Uint())
	default:
		panic(fmt.Sprintf("lang: the AST has a %s, which EncodeStmts cannot send", v.Type()))
	}
}

type astDecoder struct {
	b    []byte
	objs []reflect.Value // the objects read so far, for back-references
}

var errShort = errors.New("statement record ends early")

func (d *astDecoder) uint() (uint64, error) {
	u, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errShort
	}
	d.b = d.b[n:]
	return u, nil
}

// count reads a length, which cannot be more than the bytes left: a
// garbled length must not make a huge allocation.
func (d *astDecoder) count() (int, error) {
	u, err := d.uint()
	if err != nil {
		return 0, err
	}
	if u > uint64(len(d.b)) {
		return 0, errShort
	}
	return int(u), nil
}

func (d *astDecoder) str() (string, error) {
	n, err := d.count()
	if err != nil {
		return "", err
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s, nil
}

func (d *astDecoder) value(v reflect.Value) error {
	if v.Kind() != reflect.Struct && !v.CanSet() {
		return fmt.Errorf("the AST has an unexported %s, which DecodeStmts cannot set", v.Type())
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if err := d.value(v.Field(i)); err != nil {
				return err
			}
		}
	case reflect.Pointer:
		u, err := d.uint()
		switch {
		case err != nil:
			return err
		case u == 0:
			return nil
		case v.Type() == specType:
			name, err := d.str()
			if err != nil {
				return err
			}
			spec := Lookup(name)
			if spec == nil {
				return fmt.Errorf("no statement %q", name)
			}
			v.Set(reflect.ValueOf(spec))
		case u == 1:
			p := reflect.New(v.Type().Elem())
			d.objs = append(d.objs, p)
			v.Set(p)
			return d.value(p.Elem())
		default:
			k := u - 2
			if k >= uint64(len(d.objs)) || d.objs[k].Type() != v.Type() {
				return errors.New("bad back-reference in a statement record")
			}
			v.Set(d.objs[k])
		}
	case reflect.Interface:
		u, err := d.uint()
		switch {
		case err != nil:
			return err
		case u == 0:
			return nil
		case u > uint64(len(exprTypes)):
			return fmt.Errorf("no expression type %d", u)
		}
		// The node's pointer follows, as any pointer: it may be one
		// already read.
		x := reflect.New(exprTypes[u-1]).Elem()
		if err := d.value(x); err != nil {
			return err
		}
		if x.IsNil() {
			return errors.New("a nil expression node in a statement record")
		}
		v.Set(x)
	case reflect.Slice:
		n, err := d.count()
		if err != nil || n == 0 {
			return err
		}
		n--
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			if err := d.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		n, err := d.count()
		if err != nil || n == 0 {
			return err
		}
		n--
		m := reflect.MakeMapWithSize(v.Type(), n)
		for range n {
			k := reflect.New(v.Type().Key()).Elem()
			x := reflect.New(v.Type().Elem()).Elem()
			if err := d.value(k); err != nil {
				return err
			}
			if err := d.value(x); err != nil {
				return err
			}
			m.SetMapIndex(k, x)
		}
		v.Set(m)
	case reflect.String:
		s, err := d.str()
		if err != nil {
			return err
		}
		v.SetString(s)
	case reflect.Bool:
		u, err := d.uint()
		if err != nil {
			return err
		}
		v.SetBool(u != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, n := binary.Varint(d.b)
		if n <= 0 {
			return errShort
		}
		d.b = d.b[n:]
		if v.OverflowInt(x) {
			return errors.New("an int out of range in a statement record")
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := d.uint()
		if err != nil {
			return err
		}
		if v.OverflowUint(u) {
			return errors.New("an int out of range in a statement record")
		}
		v.SetUint(u)
	default:
		return fmt.Errorf("the AST has a %s", v.Type())
	}
	return nil
}
