package interp

import (
	"io"
	"testing"

	"ipcsh/lang"
)

// benchRun compiles src once and runs it b.N times in one session,
// reporting ns per loop iteration (iters per run).
func benchRun(b *testing.B, src string, iters int) {
	prog, err := lang.Parse("bench.ipc", src)
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(Config{Stdout: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.Run(prog); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(iters), "ns/iter")
}

// The target: an iteration of a counting loop in ≤ 20 ns, faster
// than Python (~25 ns) and Perl (~24 ns) on this machine.
func BenchmarkQuietRepeatAdd(b *testing.B) {
	benchRun(b, "let x = 0\nquiet repeat 1000000 { x += 1 }\n", 1000000)
}

func BenchmarkRepeatAddExpr(b *testing.B) {
	benchRun(b, "let x = 0\nlet y = 2\nquiet repeat 1000000 { x = x + y * 3 }\n", 1000000)
}

func BenchmarkForLoop(b *testing.B) {
	benchRun(b, "let x = 0\nquiet for i in 1..1000000 { x += i }\n", 1000000)
}

// A pipe round trip in one process under quiet: the cost of a statement
// that makes system calls, without the transcript.
func BenchmarkQuietPipeWriteRead(b *testing.B) {
	benchRun(b, "pipe p\nquiet repeat 10000 { write p.w \"x\"; read p.r 1 }\nclose p.r\nclose p.w\n", 10000)
}
