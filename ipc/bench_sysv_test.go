package ipc

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// Round trips between this process and a helper process, as between two
// ipcsh processes: send and wait for the echo. Each runs with and without
// Interrupters on both sides, to show what the cancellation machinery
// costs on the hot path. A C program doing the same is the yardstick (see
// the report of the issue that asked for 1.3x of C).

func BenchmarkMsgPingPong(b *testing.B) {
	for _, name := range []string{"nil", "Interrupter"} {
		b.Run(name, func(b *testing.B) {
			var it *Interrupter
			if name == "Interrupter" {
				it = NewInterrupter()
			}
			q, err := Msgget(unix.IPC_PRIVATE, unix.IPC_CREAT|0o600)
			if err != nil {
				b.Fatal(err)
			}
			defer MsgctlRmid(q)
			echo := startEcho(b, "msg-echo", q, it != nil)
			buf := make([]byte, MsgHeader+16)
			msg := []byte("ping")
			for b.Loop() {
				if err := Msgsnd(q, 1, msg, 0, it); err != nil {
					b.Fatal(err)
				}
				if _, _, err := Msgrcv(q, buf, 2, 0, it); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			MsgctlRmid(q) // the echo ends with EIDRM
			echo.Wait()
		})
	}
}

func BenchmarkSemPingPong(b *testing.B) {
	for _, name := range []string{"nil", "Interrupter"} {
		b.Run(name, func(b *testing.B) {
			var it *Interrupter
			if name == "Interrupter" {
				it = NewInterrupter()
			}
			s, err := Semget(unix.IPC_PRIVATE, 2, unix.IPC_CREAT|0o600)
			if err != nil {
				b.Fatal(err)
			}
			defer SemctlRmid(s)
			echo := startEcho(b, "sem-echo", s, it != nil)
			v0, p1 := []Sembuf{{Num: 0, Op: 1}}, []Sembuf{{Num: 1, Op: -1}}
			for b.Loop() {
				if err := Semop(s, v0, -1, it); err != nil {
					b.Fatal(err)
				}
				if err := Semop(s, p1, -1, it); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			SemctlRmid(s)
			echo.Wait()
		})
	}
}

// startEcho starts a helper that answers until the object is removed.
func startEcho(b *testing.B, cmd string, id int, interrupter bool) *exec.Cmd {
	c := exec.Command(os.Args[0], "-test.run=^$", strconv.Itoa(id))
	c.Env = append(os.Environ(), helperEnv+"="+cmd, "IPC_TEST_INTERRUPTER="+strconv.FormatBool(interrupter))
	c.Stderr = os.Stderr
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	return c
}

// echo answers msg type 1 with type 2, or a V on semaphore 0 with a V on
// semaphore 1, until the object is removed.
func echo(cmd string, id int) error {
	var it *Interrupter
	if os.Getenv("IPC_TEST_INTERRUPTER") == "true" {
		it = NewInterrupter()
	}
	switch cmd {
	case "msg-echo":
		buf := make([]byte, MsgHeader+16)
		for {
			_, n, err := Msgrcv(id, buf, 1, 0, it)
			if err == unix.EIDRM || err == unix.EINVAL {
				return nil
			} else if err != nil {
				return err
			}
			if err := Msgsnd(id, 2, buf[MsgHeader:MsgHeader+n], 0, it); err != nil {
				return nil // removed meanwhile
			}
		}
	default: // sem-echo
		p0, v1 := []Sembuf{{Num: 0, Op: -1}}, []Sembuf{{Num: 1, Op: 1}}
		for {
			err := Semop(id, p0, -1, it)
			if err == unix.EIDRM || err == unix.EINVAL {
				return nil
			} else if err != nil {
				return err
			}
			if err := Semop(id, v1, -1, it); err != nil {
				return nil
			}
		}
	}
}
