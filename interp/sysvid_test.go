package interp

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestGetByID(t *testing.T) {
	out, err := run(t, `msgget q key=private create
msgget r id=q.id
send r "via id"
recv q
expect r.key == q.key && r.id == q.id
shmget seg key=private size=4KiB create
shmget s2 id=seg.id
attach a s2
a[0:2] = "hi"
attach b seg
expect b[0:2] == "hi" && s2.key == seg.key
semget s key=private nsems=3 create
semget t id=s.id
sem set t[2] 5
sem get s[2]
msgctl q rmid
try msgget gone id=q.id
try semget neg id=-1
spawn c { msgget mine id=r.id; print mine.id == r.id }
wait c
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := lines(
		`main: msgget q key=private create -> created`,
		`main: msgget r id=q.id -> opened`,
		`main: send r "via id"`,
		`main: recv q -> type=1 "via id"`,
		`main: shmget seg key=private size=4096 create -> created`,
		`main: shmget s2 id=seg.id -> opened`,
		`main: attach a s2 -> 4096 bytes`,
		`main: attach b seg -> 4096 bytes`,
		`main: semget s key=private nsems=3 create -> created`,
		`main: semget t id=s.id -> opened`,
		`main: sem set t[2] 5`,
		`main: sem get s[2] -> 5`,
		`main: msgctl q rmid`,
		`main: msgget gone id=q.id -> error EINVAL (invalid argument)`,
		`main: semget neg id=-1 -> error EINVAL (invalid argument)`,
		`main: spawn c`,
	)
	if !strings.HasPrefix(out, want) {
		t.Errorf("transcript:\n%s\nwant it to start with\n%s", out, want)
	}
	// The queue is gone: the child's open by its id is the kernel's EINVAL.
	if !strings.Contains(out, "c: msgget mine id=r.id -> error EINVAL (invalid argument)\n") {
		t.Errorf("transcript:\n%s", out)
	}
}

func TestGetByIDErrors(t *testing.T) {
	for _, c := range []struct{ src, msg string }{
		{`msgget q id="5"`, "t.ipc:1:1: msgget: id= expects an int (an IPC id, such as q.id), found string"},
		{`shmget s id=0x100000000`, "t.ipc:1:1: shmget: id 4294967296 does not fit in an int (IPC ids are ints)"},
	} {
		_, err := run(t, c.src)
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s: got %v, want %s", c.src, err, c.msg)
		}
	}
	// Outside try, EINVAL stops the script (exit 1) and names the kind.
	_, err := run(t, "msgget q key=private create\nmsgctl q rmid\nmsgget r id=q.id")
	if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "t.ipc:3:1: msgget r id=q.id: EINVAL (invalid argument): no queue has this id") {
		t.Errorf("got %v", err)
	}
}
