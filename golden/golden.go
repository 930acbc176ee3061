package golden

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Result is what one run of a script produced: the transcript on stdout,
// stderr, and the exit code (128+N when signal N ended it, as a shell
// shows it).
type Result struct {
	Stdout, Stderr string
	Exit           int
}

// Trailer markers of a golden file. Transcript lines all start with a
// process name and a colon, so a line starting with "--- " cannot be one.
const (
	exitMarker   = "--- exit "
	stderrMarker = "--- stderr"
	// noNewline marks output that did not end with a newline, as diff does.
	noNewline = `\ no newline at end`
)

// Format renders a result as a golden file: the transcript exactly, then
// `--- exit N`, then `--- stderr` and stderr when there is any.
func (r Result) Format() string {
	var b strings.Builder
	writeBlock(&b, r.Stdout)
	fmt.Fprintf(&b, "%s%d\n", exitMarker, r.Exit)
	if r.Stderr != "" {
		b.WriteString(stderrMarker + "\n")
		writeBlock(&b, r.Stderr)
	}
	return b.String()
}

func writeBlock(b *strings.Builder, s string) {
	b.WriteString(s)
	if s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteString("\n" + noNewline + "\n")
	}
}

func readBlock(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"+noNewline+"\n"); ok {
		return t
	}
	return s
}

// The regexps are compiled on first use: golden is linked into ipcsh,
// and every start of `ipcsh -c ...` would pay for them at init.
var exitLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^--- exit (-?\d+)\n`) })

// Parse is the inverse of Format. The first `--- exit N` line at the
// start of a line ends the transcript.
func Parse(text string) (Result, error) {
	loc := exitLine().FindStringSubmatchIndex(text)
	if loc == nil {
		return Result{}, errors.New("no `--- exit N` line (a golden file ends with the exit code, then stderr)")
	}
	var r Result
	r.Stdout = readBlock(text[:loc[0]])
	var err error
	if r.Exit, err = strconv.Atoi(text[loc[2]:loc[3]]); err != nil {
		return Result{}, fmt.Errorf("exit code: %v", err)
	}
	rest := text[loc[1]:]
	if rest != "" {
		errText, ok := strings.CutPrefix(rest, stderrMarker+"\n")
		if !ok {
			return Result{}, fmt.Errorf("after the exit line: want `%s`, found %q", stderrMarker, firstLine(rest))
		}
		r.Stderr = readBlock(errText)
	}
	return r, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// ScriptArgs reads the optional first-line comment `# args: a b c`: the
// arguments a golden test passes to its script.
func ScriptArgs(src string) []string {
	first, _, _ := strings.Cut(src, "\n")
	rest, ok := strings.CutPrefix(strings.TrimSpace(first), "#")
	if !ok {
		return nil
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "args:")
	if !ok {
		return nil
	}
	return strings.Fields(rest)
}

// ScriptStall reads a `# stall: DUR` line in the comment block that opens
// a script: a test of a deadlock sets the stall time its report needs,
// instead of waiting out the default for every run.
func ScriptStall(src string) (time.Duration, bool) {
	for _, l := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "#")
		if !ok {
			break
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(rest), "stall:"); ok {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			return d, err == nil && d > 0
		}
	}
	return 0, false
}

// ScriptRunsInDir reports whether the comment block that opens a script
// has a `# runs in its directory: WHY` line: the script names files
// relative to its own directory (its golden test runs it there), so the
// docs show the command that runs it there too.
func ScriptRunsInDir(src string) bool {
	for _, l := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "#")
		if !ok {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(rest), "runs in its directory:") {
			return true
		}
	}
	return false
}

// procPrefix matches the process name that starts a transcript line,
// with the pid that -v adds; a member of a family is `w[1]` or `w["left"]`.
var procPrefix = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*(?:\[(?:-?\d+|"(?:[^"\\]|\\.)*")\])?)(\[\d+\])?: `)
})

// procOf is the process a transcript line belongs to; "" for a line that
// belongs to none (output of a program that wrote to stdout directly).
func procOf(line string) string {
	if m := procPrefix().FindStringSubmatch(line); m != nil {
		return m[1]
	}
	return ""
}

// perProcess splits a transcript into each process's lines, in their
// order, and lists the processes in the order they first appear.
func perProcess(stdout string) (names []string, lines map[string][]string) {
	lines = map[string][]string{}
	for _, l := range splitLines(stdout) {
		p := procOf(l)
		if _, seen := lines[p]; !seen {
			names = append(names, p)
		}
		lines[p] = append(lines[p], l)
	}
	return names, lines
}

// Processes lists the process names of a transcript, in the order they
// first appear.
func Processes(stdout string) []string {
	names, _ := perProcess(stdout)
	return slices.DeleteFunc(names, func(n string) bool { return n == "" })
}

// Project is the first half of LANGUAGE.md §4's view of a transcript for
// comparison: each process's lines in their order, processes sorted by
// name. Equal projections mean the same lines per process, however the
// lines interleaved; the second half, the order of the lines that
// synchronisation related, needs the run's trace (OrderDiff). Lines of no
// process form one group of their own, first.
func Project(stdout string) string {
	names, lines := perProcess(stdout)
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		for _, l := range lines[n] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Same reports whether two runs printed the same lines per process, the
// same stderr and the same exit code: the same transcript when, besides,
// OrderDiff finds no related pair out of order.
func Same(a, b Result) bool {
	return a.Exit == b.Exit && a.Stderr == b.Stderr && Project(a.Stdout) == Project(b.Stdout)
}

// splitLines splits text into lines without their newlines; a last line
// without a newline is marked, so "a" and "a\n" differ.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.Split(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	} else {
		l[len(l)-1] += " " + noNewline
	}
	return l
}

// Diff explains how got differs from want, "" when they are the same
// transcript (Same). Labels name the two sides ("golden", "run 3");
// where, if not nil, gives the script position of a line of got (see
// Trace.Where), so each process's first difference can name the
// statement that printed it.
func Diff(want, got Result, wantLabel, gotLabel string, where func(proc string, i int) string) string {
	var b strings.Builder
	if want.Exit != got.Exit {
		fmt.Fprintf(&b, "exit code: %s %d, %s %d\n", wantLabel, want.Exit, gotLabel, got.Exit)
	}
	wn, wl := perProcess(want.Stdout)
	gn, gl := perProcess(got.Stdout)
	names := wn
	for _, n := range gn {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range names {
		ops := diffLines(wl[n], gl[n])
		first := -1
		for i, op := range ops {
			if op.kind != ' ' {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		label := "process " + n
		if n == "" {
			label = "lines of no process"
		}
		fmt.Fprintf(&b, "%s (- %s, + %s)", label, wantLabel, gotLabel)
		if where != nil && n != "" {
			if pos := firstDiffPos(ops[first:], ops[:first], n, where); pos != "" {
				b.WriteString(", first difference " + pos)
			}
		}
		b.WriteString(":\n")
		writeOps(&b, ops)
	}
	if want.Stderr != got.Stderr {
		fmt.Fprintf(&b, "stderr (- %s, + %s):\n", wantLabel, gotLabel)
		writeOps(&b, diffLines(splitLines(want.Stderr), splitLines(got.Stderr)))
	}
	return b.String()
}

// firstDiffPos names the script position of the first differing line of
// got: the line itself when got has one there, else (got stopped short)
// the last line got printed before it.
func firstDiffPos(from, before []op, proc string, where func(string, int) string) string {
	for _, o := range from {
		if o.kind == '+' {
			if p := where(proc, o.gotIndex); p != "" {
				return "at " + p
			}
			return ""
		}
		if o.kind == ' ' {
			break
		}
	}
	for i := len(before) - 1; i >= 0; i-- {
		if before[i].gotIndex >= 0 {
			if p := where(proc, before[i].gotIndex); p != "" {
				return "after " + p
			}
			return ""
		}
	}
	return ""
}

// op is one line of a line diff: ' ' in both, '-' only in want, '+' only
// in got; gotIndex is the line's index in got, or -1.
type op struct {
	kind     byte
	text     string
	gotIndex int
}

// maxLCS bounds the table of the longest-common-subsequence diff; larger
// inputs get a cruder diff (common prefix and suffix, the rest replaced).
const maxLCS = 4_000_000

func diffLines(a, b []string) []op {
	var ops []op
	// Common prefix and suffix first: cheap, and most diffs are small.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		ops = append(ops, op{' ', a[pre], pre})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(am)*len(bm) > maxLCS {
		for _, l := range am {
			ops = append(ops, op{'-', l, -1})
		}
		for j, l := range bm {
			ops = append(ops, op{'+', l, pre + j})
		}
	} else {
		// lcs[i][j] is the LCS length of am[i:] and bm[j:].
		lcs := make([][]int, len(am)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(bm)+1)
		}
		for i := len(am) - 1; i >= 0; i-- {
			for j := len(bm) - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(am) || j < len(bm) {
			switch {
			case i < len(am) && j < len(bm) && am[i] == bm[j]:
				ops = append(ops, op{' ', am[i], pre + j})
				i, j = i+1, j+1
			case i < len(am) && (j == len(bm) || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, op{'-', am[i], -1})
				i++
			default:
				ops = append(ops, op{'+', bm[j], pre + j})
				j++
			}
		}
	}
	for k := len(b) - suf; k < len(b); k++ {
		ops = append(ops, op{' ', b[k], k})
	}
	return ops
}

// diffContext is how many unchanged lines are shown around a change.
const diffContext = 3

// writeOps prints a diff with a few lines of context around each change,
// as diff -u does; long unchanged stretches are shown as "...".
func writeOps(b *strings.Builder, ops []op) {
	show := make([]bool, len(ops))
	for i, o := range ops {
		if o.kind == ' ' {
			continue
		}
		for k := max(0, i-diffContext); k <= min(len(ops)-1, i+diffContext); k++ {
			show[k] = true
		}
	}
	skipped := false
	for i, o := range ops {
		if !show[i] {
			skipped = true
			continue
		}
		if skipped {
			b.WriteString("  ...\n")
			skipped = false
		}
		fmt.Fprintf(b, "%c %s\n", o.kind, o.text)
	}
	if skipped {
		b.WriteString("  ...\n")
	}
}
