package golden

import (
	"reflect"
	"testing"
)

// Members of a family are processes of their own: w[1] and w["b"] are
// projected apart, each in its own order.
func TestProjectFamilyMembers(t *testing.T) {
	a := "main: spawn w[1]\nmain: spawn w[\"b\"]\nw[1]: exit 0\nw[\"b\"]: print x\nw[\"b\"]: exit 0\nmain: wait w[1] -> 0\n"
	b := "main: spawn w[1]\nmain: spawn w[\"b\"]\nw[\"b\"]: print x\nw[1]: exit 0\nw[\"b\"]: exit 0\nmain: wait w[1] -> 0\n"
	if Project(a) != Project(b) {
		t.Errorf("members interleaved differently, yet projections differ:\n%s---\n%s", Project(a), Project(b))
	}
	if got := Processes(a); !reflect.DeepEqual(got, []string{"main", "w[1]", `w["b"]`}) {
		t.Errorf("Processes = %q", got)
	}
	swapped := "main: spawn w[1]\nmain: spawn w[\"b\"]\nw[1]: exit 0\nw[\"b\"]: exit 0\nw[\"b\"]: print x\nmain: wait w[1] -> 0\n"
	if Project(a) == Project(swapped) {
		t.Error("two lines of one member swapped, yet the projections are equal")
	}
}
