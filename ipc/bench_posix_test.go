package ipc

import (
	"testing"
)

// Round trips between this process and a C program that echoes with
// glibc's calls: what a POSIX semaphore or queue costs on this side next
// to C on the other, with and without an Interrupter. (bench/ compares
// whole programs; this isolates the layer.)

func BenchmarkPosixSemPingPong(b *testing.B) {
	bin := cProgram(b, "psem")
	for _, name := range []string{"nil", "Interrupter"} {
		b.Run(name, func(b *testing.B) {
			var it *Interrupter
			if name == "Interrupter" {
				it = NewInterrupter()
			}
			shm, mem := newShm(b)
			ping := mustSemInit(b, mem[0:32], 0)
			pong := mustSemInit(b, mem[32:64], 0)
			startC(b, bin, "shm", shm, "0", "pong")
			for b.Loop() {
				if err := ping.Post(); err != nil {
					b.Fatal(err)
				}
				if err := pong.Wait(it); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPosixMqPingPong(b *testing.B) {
	bin := cProgram(b, "pmq")
	for _, name := range []string{"nil", "Interrupter"} {
		b.Run(name, func(b *testing.B) {
			var it *Interrupter
			if name == "Interrupter" {
				it = NewInterrupter()
			}
			pingName, ping := newMq(b, 1, 16)
			pongName, pong := newMq(b, 1, 16)
			startC(b, bin, pingName, "open", "pong="+pongName)
			msg, buf := []byte("ping"), make([]byte, 16)
			for b.Loop() {
				if err := MqTimedsend(ping, msg, 0, nil, it); err != nil {
					b.Fatal(err)
				}
				if _, _, err := MqTimedreceive(pong, buf, nil, it); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
