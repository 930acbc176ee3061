package interp

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMessageQueueTranscript(t *testing.T) {
	before := sysvIDs(t)
	out, err := run(t, `msgget q key=private create
send q "low" type=5
send q "high" type=1
send q "other" type=9
let m = recv q type=-5
expect m.type == 1 && m.text == "high"
recv q type=9 except
recv q
try recv q nowait
msgctl q stat
`)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		`main: msgget q key=private create -> created`,
		`main: send q "low" type=5`,
		`main: send q "high" type=1`,
		`main: send q "other" type=9`,
		`main: recv q type=-5 -> type=1 "high"`,
		`main: recv q type=9 except -> type=5 "low"`,
		`main: recv q -> type=9 "other"`,
		`main: recv q nowait -> error ENOMSG (no message of desired type)`,
		`main: msgctl q stat -> key=private mode=0600 qnum=0 cbytes=0 qbytes=16384 lspid=main lrpid=main`,
	)
	if out != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", out, want)
	}
	noNewObjects(t, before)
}

func TestMessageErrorsExplained(t *testing.T) {
	before := sysvIDs(t)
	for _, tc := range []struct{ src, want string }{
		{`msgget q key=private; send q "x" type=0`, `send q "x" type=0: EINVAL (invalid argument): a message's type must be at least 1, found 0`},
		{`msgget q key=private; send q "0123456789"; recv q max=4`, `recv q max=4: E2BIG (argument list too long): the message is longer than max=4 bytes (add noerror to truncate it)`},
		{`msgget q key=private; recv q timeout=20ms`, `recv q timeout=20ms: EAGAIN (resource temporarily unavailable): no message came within 20ms`},
		{`msgget q key=0x7ea1ea5e`, `msgget q key=0x7ea1ea5e: ENOENT (no such file or directory): no queue has key 0x7ea1ea5e (add create to make one)`},
		{`msgget q key=private; msgctl q rmid; send q "x"`, `send q "x": EINVAL (invalid argument): q was removed by this process`},
	} {
		_, err := run(t, tc.src)
		if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant …%s", tc.src, err, tc.want)
		}
	}
	// noerror truncates instead.
	out, err := run(t, `msgget q key=private; send q "0123456789"; recv q max=4 noerror`)
	if err != nil || !strings.Contains(out, `-> type=1 "0123"`) {
		t.Errorf("noerror: %v\n%s", err, out)
	}
	noNewObjects(t, before)
}

// TestRemovedWhileWaiting: EIDRM reaches a receiver when another process
// removes the queue, and says so.
func TestRemovedWhileWaiting(t *testing.T) {
	before := sysvIDs(t)
	_, err := run(t, `msgget q key=private
semget s key=private
spawn remover { sem p s; sleep 20ms; ipcrm q }
sem v s
recv q
`)
	if !errors.Is(err, unix.EIDRM) || !strings.Contains(err.Error(), "q was removed while this process waited on it") {
		t.Errorf("got %v, want EIDRM explained", err)
	}
	noNewObjects(t, before)
}
