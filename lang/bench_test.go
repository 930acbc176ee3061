package lang

import (
	"strings"
	"testing"
)

// benchChunk is a slice of a realistic script: the examples' statements,
// nested blocks, expressions of every precedence level, memory views,
// SysV statements with options, exec words, comments and blank lines.
// Every line is one line of the generated script.
const benchChunk = `# a pipe to itself, then to a child
pipe p nonblock
write p.w "hello, " + str(n) + "\n"
let line = read p.r line
let rest = read p.r 4KiB
expect rest == ", pipe\n", "the rest of the stream"
try seek p.r 0
if err != "" && len(line) > 0 || !ok {
  print "seek said", err, hex(0x1f + 0b101 * 0o644 % 0600)
} else if n >= 10 {
  n -= 1
} else {
  break
}
for i in 1..args[0] {
  sem op s 0:-1 1:+1 undo nowait
  a.i64[i] = a.i64[i - 1] * 2 + (i % 3)
  atomic a.i64[0] += 1
}
msgget q key=ftok(tmp + "/k", 7) create excl mode=0600
send q "job " + str(i) type=2 nowait
let m = recv q type=-5 except noerror max=8192 timeout=500ms
shmget seg key=private size=1MiB create
attach at seg rdonly rnd
spawn child {
  write p.w a[0:5]
  exit 3
}
spawn ls exec ls -l /tmp (tmp + "/x") stdout=p.w stderr=p.w
wait child
quiet {
  repeat 1_000 { sem p s[1]; sem v s[1] }
}
while m.type < 10 && !done { m = recv q nowait; continue }
open f tmp + "/digits" rdwr create trunc mode=0644
mmap map tmp + "/map" size=4KiB shared create
sleep 10ms

`

// benchScript repeats benchChunk until the script has at least n lines
// (whole chunks, so every block closes) and returns it with its line count.
func benchScript(n int) (string, int) {
	per := strings.Count(benchChunk, "\n")
	reps := (n + per - 1) / per
	return strings.Repeat(benchChunk, reps), reps * per
}

// BenchmarkParse10kLines: parse speed matters for the REPL, which parses
// its whole buffer again on every line, and for large generated scripts.
// Issue 7's target is 100,000 lines/s.
func BenchmarkParse10kLines(b *testing.B) {
	src, lines := benchScript(10_000)
	if _, err := Parse("bench.ipc", src); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("bench.ipc", src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkLex10kLines is the lexer's share of BenchmarkParse10kLines:
// what a parser that did not backtrack would start from.
func BenchmarkLex10kLines(b *testing.B) {
	src, lines := benchScript(10_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := scan("bench.ipc", src, Pos{Filename: "bench.ipc", Line: 1, Column: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
