package main

// Tests of the REPL. Sessions in testdata/repl/*.session run in this
// process through the loop the binary runs, fed line by line; the
// terminal tests run the built binary in tmux, a real terminal.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/interp"
	"ipcsh/ipc"
	"ipcsh/lang"
)

func init() {
	// A session spawns children by running /proc/self/exe, which here is
	// this test binary: serve as the child, as main() does in the ipcsh
	// binary. Without this, a child would run every test of the package.
	if code, ok := interp.ServeChild(os.Args, os.Stderr); ok {
		os.Exit(code)
	}
	// -update may be defined by another test file of the package; an
	// init function runs after every file's variables are set up.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files (testdata/repl/*.session) from real runs")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// replOutput collects what a session prints: the transcript (written by
// the Runner's printer goroutine), prompts with the lines typed, help and
// errors, in the order they happen.
type replOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *replOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *replOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// scriptedInput types lines as a person would: each shows after its
// prompt, as on a terminal.
type scriptedInput struct {
	lines   []string
	echo    io.Writer
	history []string
}

func (s *scriptedInput) ReadLine(prompt string) (string, error) {
	if len(s.lines) == 0 {
		return "", io.EOF
	}
	line := s.lines[0]
	s.lines = s.lines[1:]
	fmt.Fprintln(s.echo, strings.TrimRight(prompt+line, " "))
	return line, nil
}

func (s *scriptedInput) SaveHistory(e string) { s.history = append(s.history, e) }

// replKey is a SysV key no object has: sessions get it as args[0], so
// that the test can tell afterwards that their objects are gone even
// while other tests create objects of their own.
func replKey(t *testing.T) int {
	t.Helper()
	for {
		k := 0x10000000 + rand.IntN(0x6fffffff)
		if !sysvKeyExists(t, k) {
			return k
		}
	}
}

func sysvKeyExists(t *testing.T, key int) bool {
	t.Helper()
	objs, err := ipc.ListSysV()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if int(uint32(o.Key)) == key {
			return true
		}
	}
	return false
}

// runSession runs lines through the REPL loop and returns what it
// printed and its exit code.
func runSession(t *testing.T, in *scriptedInput, out *replOutput, args ...string) (*session, chan int) {
	t.Helper()
	ring := newEventRing()
	r, err := interp.New(interp.Config{Stdout: out, Args: args, Trace: ring})
	if err != nil {
		t.Fatal(err)
	}
	in.echo = out
	s := newSession(r, in, out, out)
	s.ring = ring
	done := make(chan int, 1)
	go func() { done <- s.loop() }()
	return s, done
}

func waitSession(t *testing.T, done chan int, out *replOutput) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(runTimeout):
		t.Fatalf("the session still runs after %v; it printed:\n%s", runTimeout, out)
		return -1
	}
}

// parseSession splits a .session file into its header (the lines before
// the first prompt: what the session is about) and the lines typed.
func parseSession(text string) (header string, inputs []string) {
	lines := strings.SplitAfter(text, "\n")
	first := len(lines)
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\n")
		if in, ok := typedLine(l); ok {
			if first == len(lines) {
				first = i
			}
			inputs = append(inputs, in)
		}
	}
	return strings.Join(lines[:first], ""), inputs
}

// typedLine recognises a line that shows a prompt and what was typed.
func typedLine(l string) (string, bool) {
	for _, p := range []string{promptFirst, promptMore} {
		if strings.HasPrefix(l, p) {
			return l[len(p):], true
		}
		if l == strings.TrimSpace(p) {
			return "", true
		}
	}
	return "", false
}

// In-process sessions run one at a time: a run's SysV objects are
// journalled in a file named after its process, which every Runner of
// this test process shares, and the end of one Runner would remove the
// objects of another running beside it.

// TestREPLSessions runs every testdata/repl/*.session and compares what
// it printed with the file: the typed lines after their prompts, the
// output, then `--- exit N`. The key in args[0] shows as $KEY.
// go test ./cmd/ipcsh -run REPL -update rewrites the files.
func TestREPLSessions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "repl", "*.session"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sessions in testdata/repl (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".session"), func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			header, inputs := parseSession(string(want))
			key := replKey(t)
			hexKey := fmt.Sprintf("%#x", key)
			out := &replOutput{}
			_, done := runSession(t, &scriptedInput{lines: inputs}, out, hexKey)
			code := waitSession(t, done, out)
			got := header + strings.ReplaceAll(out.String(), hexKey, "$KEY") + fmt.Sprintf("--- exit %d\n", code)
			if sysvKeyExists(t, key) {
				t.Errorf("an object with the session's key %s is left after the session", hexKey)
			}
			if got == string(want) {
				return
			}
			if updating() {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
				return
			}
			t.Errorf("%s: the session differs (-update rewrites it)\n--- want\n%s--- got\n%s", file, want, got)
		})
	}
}

// TestREPLInterrupt: Ctrl-C while an entry is blocked stops that entry
// only, says what it cancelled, and the session goes on. (The signal
// itself is tested on a terminal, in TestREPLTerminal.)
func TestREPLInterrupt(t *testing.T) {
	key := replKey(t)
	in := &scriptedInput{lines: []string{
		"semget s key=int(args[0]) create init=0",
		"sem p s",
		`print "after"`,
	}}
	out := &replOutput{}
	s, done := runSession(t, in, out, fmt.Sprint(key))
	waitBlockedInSemP(t, key, out)
	s.interrupt()
	code := waitSession(t, done, out)
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	want := "ipcsh> sem p s\ncancelled sem p s at [repl 2]:1:1\nipcsh> print \"after\"\nmain: after\n"
	if !strings.Contains(out.String(), want) {
		t.Errorf("the session printed\n%s\nwant it to contain\n%s", out, want)
	}
	if sysvKeyExists(t, key) {
		t.Error("the semaphore set is left after the session")
	}
}

// TestREPLTerminate: SIGTERM (here the call its handler makes) ends the
// session at once, with exit 143 and the clean-up of any other end.
func TestREPLTerminate(t *testing.T) {
	key := replKey(t)
	in := &scriptedInput{lines: []string{
		"semget s key=int(args[0]) create init=0",
		"pipe p",
		"spawn c { read p.r }",
		"sem p s",
		`print "not reached"`,
	}}
	out := &replOutput{}
	s, done := runSession(t, in, out, fmt.Sprint(key))
	waitBlockedInSemP(t, key, out)
	s.terminate(143)
	if code := waitSession(t, done, out); code != 143 {
		t.Errorf("exit %d, want 143", code)
	}
	if strings.Contains(out.String(), "not reached") {
		t.Errorf("the session went on after SIGTERM:\n%s", out)
	}
	if sysvKeyExists(t, key) {
		t.Error("the semaphore set is left after SIGTERM")
	}
}

// waitBlockedInSemP waits until a process waits on the semaphore set
// with key: the kernel's count of waiters, not a guess at timing.
func waitBlockedInSemP(t *testing.T, key int, out *replOutput) {
	t.Helper()
	waitUntil(t, "a process to block in sem p", func() string { return out.String() }, func() bool {
		id, err := ipc.Semget(key, 0, 0)
		if err != nil {
			return false
		}
		n, err := ipc.SemGetNcnt(id, 0)
		return err == nil && n > 0
	})
}

// waitUntil polls cond until it holds; the deadline only turns a hang
// into a failure.
func waitUntil(t *testing.T, what string, show func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * runTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after %v; output so far:\n%s", what, 2*runTimeout, show())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestREPLHistorySaved: every entry goes to history once, a block as one
// line, help too; blank lines do not.
func TestREPLHistorySaved(t *testing.T) {
	in := &scriptedInput{lines: []string{"repeat 2 {", "  print 1", "}", "help sem v", "", "print 2"}}
	out := &replOutput{}
	_, done := runSession(t, in, out)
	if code := waitSession(t, done, out); code != 0 {
		t.Errorf("exit %d\n%s", code, out)
	}
	want := []string{"repeat 2 { print 1 }", "help sem v", "print 2"}
	if fmt.Sprint(in.history) != fmt.Sprint(want) {
		t.Errorf("history %q, want %q", in.history, want)
	}
}

func TestREPLHistoryEntry(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  string
	}{
		{[]string{"print 1"}, "print 1"},
		{[]string{"repeat 2 {", "  print 1", "}"}, "repeat 2 { print 1 }"},
		{[]string{"if x > 1 {", "  print 1  # big", "  print 2", "} else {", "", "  # nothing", "  print 3", "}"},
			"if x > 1 { print 1; print 2 } else { print 3 }"},
		{[]string{"repeat 2 {", `  print "a # b"`, "}"}, `repeat 2 { print "a # b" }`},
		{[]string{"spawn c {", "  repeat 3 {", "    sem p s", "  }", "  exit 2", "}"}, "spawn c { repeat 3 { sem p s }; exit 2 }"},
	} {
		got := historyEntry(tc.lines)
		if got != tc.want {
			t.Errorf("historyEntry(%q) = %q, want %q", tc.lines, got, tc.want)
		}
		// The joined entry means what the lines meant.
		_, errLines := lang.Parse("x", strings.Join(tc.lines, "\n"))
		_, errJoined := lang.Parse("x", got)
		if (errLines == nil) != (errJoined == nil) {
			t.Errorf("%q parses with %v, joined %q with %v", tc.lines, errLines, got, errJoined)
		}
	}
}

func TestREPLHelpCommand(t *testing.T) {
	for line, want := range map[string]string{
		"help":           "[]",
		"  help  ":       "[]",
		"help sem p":     "[sem p]",
		"help msgget":    "[msgget]",
		"help = 3":       "no",
		"help += 1":      "no",
		"helper":         "no",
		`help "x"`:       "no",
		"print help":     "no",
		"help sem.p":     "no",
		"help sem p # x": "no",
	} {
		words, ok := helpCommand(line)
		got := "no"
		if ok {
			got = fmt.Sprint(words)
		}
		if got != want {
			t.Errorf("helpCommand(%q) = %s, want %s", line, got, want)
		}
	}
}

// TestREPLHelp: `help` lists every statement of lang's table under its
// group, in LANGUAGE.md's order; `help NAME` shows its usage and summary.
func TestREPLHelp(t *testing.T) {
	var b strings.Builder
	help(&b, nil)
	all := b.String()
	last := -1
	for _, g := range lang.GroupOrder {
		i := strings.Index(all, "\n"+g+"\n")
		if g == lang.GroupOrder[0] {
			i = strings.Index(all, g+"\n")
		}
		if i < 0 || i < last {
			t.Errorf("group %q missing or out of order in help:\n%s", g, all)
		}
		last = i
	}
	for _, s := range lang.Specs {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(s.Name) + ` +` + regexp.QuoteMeta(s.Summary) + `$`).MatchString(all) {
			t.Errorf("help does not list %q with its summary", s.Name)
		}
		b.Reset()
		help(&b, strings.Fields(s.Name))
		one := b.String()
		for _, want := range []string{"usage: " + s.Usage + "\n", s.Summary} {
			if !strings.Contains(one, want) {
				t.Errorf("help %s does not show %q:\n%s", s.Name, want, one)
			}
		}
		for _, o := range append(append([]string{}, s.Flags...), s.Opts...) {
			if !strings.Contains(one, o) {
				t.Errorf("help %s does not show the option %q:\n%s", s.Name, o, one)
			}
		}
	}
	b.Reset()
	help(&b, []string{"sem"})
	if n := strings.Count(b.String(), "usage: sem "); n != len(lang.SemSubs) {
		t.Errorf("help sem shows %d statements, want %d:\n%s", n, len(lang.SemSubs), b.String())
	}
	b.Reset()
	help(&b, []string{"frobnicate"})
	if !strings.Contains(b.String(), `no statement "frobnicate"`) {
		t.Errorf("help frobnicate: %q", b.String())
	}
}

// TestREPLComplete: what Tab offers after a partial line, in a session
// holding a name of every kind.
func TestREPLComplete(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"fifo1", "file2", "sub/", ".hidden", `quo"te`} {
		path := filepath.Join(dir, p)
		var err error
		if strings.HasSuffix(p, "/") {
			err = os.Mkdir(path, 0o755)
		} else {
			err = os.WriteFile(path, nil, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c := &completer{bindings: func() []interp.Binding {
		return []interp.Binding{
			{Name: "p", Kind: "pipe"}, {Name: "f", Kind: "fd"}, {Name: "q", Kind: "queue"},
			{Name: "s", Kind: "semaphore set"}, {Name: "seg", Kind: "segment"}, {Name: "a", Kind: "attachment"},
			{Name: "mm", Kind: "mapping"}, {Name: "c", Kind: "process"}, {Name: "n", Kind: "int"},
			{Name: "path", Kind: "string"},
		}
	}}
	sem := strings.Join(lang.SemSubs, " |") + " "
	for _, tc := range []struct {
		text  string
		typed string
		want  string // the candidates joined by "|", or "+a|b" for "at least a and b", "-a" for "not a"
	}{
		{"pi", "pi", "pipe |pipesize "},
		{"shmg", "shmg", "shmget "},
		{"", "", "+pipe |help |sem |n |path "},
		{"", "", "-p "},
		{"sem ", "", sem},
		{"sem g", "g", "get |getall |getncnt |getpid |getzcnt "},
		{"sem p ", "", "s "},
		{"sem p s ", "", "nowait |timeout=|undo "},
		{"sem op s ", "", "nowait |timeout=|undo "},
		{"semctl ", "", "s "},
		{"shmget seg key=private s", "s", "size="},
		{"shmget seg key=private size=4KiB ", "", "create |excl |keep |mode="},
		{"shmget seg key=", "key=", "key=private "},
		{"recv q type=", "type=", ""},
		{"read ", "", "f |p.r |p.w "},
		{"read p.", "p.", "p.r |p.w "},
		{"close p.w", "p.w", "p.w "},
		{"read p.r ", "", "all |line |n |path "},
		{"read p.r all ", "", ""},
		{"read p.r 10 ", "", ""},
		{"write ", "", "f |p.r |p.w "},
		{"pipesize p", "p", "p.r |p.w "},
		{"send ", "", "q "},
		{"recv q ", "", "except |max=|noerror |nowait |timeout=|type="},
		{"msgctl ", "", "q "},
		{"msgctl q ", "", "+rmid |set |stat "},
		{"attach a2 se", "se", "seg "},
		{"attach ", "", ""},
		{"shmctl ", "", "seg "},
		{"detach ", "", "a "},
		{"munmap ", "", "mm "},
		{"msync m", "m", "mm "},
		{"wait ", "", "c "},
		{"kill c ", "", "+TERM |KILL "},
		{"ipcrm ", "", "q |s |seg "},
		{"ipcs ", "", "all "},
		{"pipe ", "", ""},
		{"open f ", "", "path "},
		{`open f "` + dir + "/f", "f", `fifo1" |file2" `},
		{`open f "` + dir + "/", "", `fifo1" |file2" |sub/`},
		{`open f "` + dir + "/.", ".", `.hidden" `},
		{`mkfifo "` + dir + "/s", "s", "sub/"},
		{`print "` + dir + "/f", "", ""},
		{`open f "x" `, "", "+read |write |rdwr |nonblock |create |mode="},
		{`open f "x" write `, "", "-read "},
		{"let x = ", "", "+read |recv |wait |sem |n |p "},
		{"let x = re", "re", "read |recv "},
		{"let x = sem ", "", sem},
		{"x = wa", "wa", "wait "},
		{"try cl", "cl", "close "},
		{"quiet sem v ", "", "s "},
		{"repeat 3 { sem v ", "", "s "},
		{"if n > 1 { print 1 } else { wait ", "", "c "},
		{"print len(pa", "pa", "pack(|path"},
		{"msgget q id=", "id=", ""},
		{"msgget q id=1 ", "", "mode="},
		{"while n < ", "", "+n |p "},
		{"help ", "", "+pipe |sem "},
		{"help sem ", "", sem},
		{"spawn w ", "", "exec "},
		{"spawn w exec /bin/true ", "", "stderr=|stdin=|stdout="},
		{"spawn w exec /bin/true stdout=", "stdout=", "stdout=f |stdout=p.r |stdout=p.w "},
		{"pipe p # a comment ", "", ""},
	} {
		typed, got := c.complete(tc.text)
		sort.Strings(got)
		joined := strings.Join(got, "|")
		ok := typed == tc.typed
		switch {
		case strings.HasPrefix(tc.want, "+"):
			for _, w := range strings.Split(tc.want[1:], "|") {
				ok = ok && hasWord(got, w)
			}
		case strings.HasPrefix(tc.want, "-"):
			ok = ok && !hasWord(got, tc.want[1:])
		default:
			want := strings.Split(tc.want, "|")
			sort.Strings(want)
			ok = ok && joined == strings.Join(want, "|")
		}
		if !ok {
			t.Errorf("complete(%q) = %q, %q; want %q, %q", tc.text, typed, joined, tc.typed, tc.want)
		}
	}
	// What readline receives: the rest of each candidate.
	rest, n := c.Do([]rune("sem p s"), len("sem p"))
	if n != 1 || len(rest) != 1 || string(rest[0]) != " " {
		t.Errorf(`Do("sem p|s") = %q, %d; want the rest of "p " after "p"`, rest, n)
	}
	rest, n = c.Do([]rune("shmget seg key=private s"), len("shmget seg key=private s"))
	if n != 1 || len(rest) != 1 || string(rest[0]) != "ize=" {
		t.Errorf(`Do("shmget seg key=private s") = %q, %d; want "ize=", 1`, rest, n)
	}
}

// TestREPLCompleteNames: completion offers the names a real session
// holds, by the kinds interp reports for them.
func TestREPLCompleteNames(t *testing.T) {
	r, err := interp.New(interp.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}()
	prog, err := lang.Parse("setup", `pipe p
msgget q key=private create
semget s key=private create
shmget seg key=private size=4KiB create
attach a seg
mmap mm tmp + "/f" size=4KiB create
spawn c { exit 0 }
wait c
let n = 1
spawn w[1] { exit 0 }
def worker(i) { return i }
`)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(prog); err != nil {
		t.Fatal(err)
	}
	c := &completer{bindings: r.Bindings}
	for text, want := range map[string]string{
		"close ":  "p.r |p.w ",
		"send ":   "q ",
		"sem v ":  "s ",
		"shmctl ": "seg ",
		"detach ": "a ",
		"msync ":  "mm ",
		"kill ":   "c |w ",
		"ipcrm ":  "q |s |seg ",
		// Procedures and built-ins, where a statement or an expression stands.
		"wor":             "worker(",
		"print wor":       "worker(",
		"print len(wor":   "worker(",
		"let x = getp":    "getpid(|getppid(",
		"write p.w forma": "format(",
	} {
		_, got := c.complete(text)
		sort.Strings(got)
		if strings.Join(got, "|") != want {
			t.Errorf("complete(%q) = %q, want %q", text, strings.Join(got, "|"), want)
		}
	}
}

// tmuxTerm is ipcsh running in a tmux pane: a real terminal, with its
// line discipline (Ctrl-C is SIGINT while the REPL runs an entry) and
// its answers to readline's cursor queries.
type tmuxTerm struct {
	t        *testing.T
	tmux     string
	sock     string
	codeFile string // where the pane's shell writes ipcsh's exit status
}

func startTmux(t *testing.T, dir string, env ...string) *tmuxTerm {
	t.Helper()
	path, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (apt-get install tmux): the REPL's terminal tests need it")
	}
	tm := &tmuxTerm{t: t, tmux: path, sock: filepath.Join(dir, "tmux.sock"), codeFile: filepath.Join(dir, "exit-status")}
	conf := filepath.Join(dir, "tmux.conf")
	// remain-on-exit keeps the pane to read after ipcsh ends.
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g history-limit 5000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A shell records the exit status: tmux 3.3a sometimes never reaps
	// a pane's process (#{pane_dead_status} stays empty, a zombie stays).
	// Its trap keeps Ctrl-C from ending it while ipcsh runs, and, unlike
	// ignoring SIGINT, is not inherited.
	cmd := fmt.Sprintf("trap : INT; env %s %s; echo $? >%s", strings.Join(env, " "), bin, tm.codeFile)
	tm.run("-f", conf, "new-session", "-d", "-s", "repl", "-x", "120", "-y", "50", cmd)
	t.Cleanup(func() { _, _ = exec.Command(tm.tmux, "-S", tm.sock, "kill-server").CombinedOutput() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command(tm.tmux, append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeText types text literally; keys sends named keys (Enter, Tab, C-c).
func (tm *tmuxTerm) typeText(text string) { tm.run("send-keys", "-t", "repl", "-l", text) }
func (tm *tmuxTerm) keys(keys ...string) {
	tm.run(append([]string{"send-keys", "-t", "repl"}, keys...)...)
}
func (tm *tmuxTerm) line(text string) { tm.typeText(text); tm.keys("Enter") }

// screen is the pane's text, its scrollback included.
func (tm *tmuxTerm) screen() string {
	return tm.run("capture-pane", "-p", "-J", "-t", "repl", "-S", "-")
}

func (tm *tmuxTerm) waitFor(text string, count int) {
	tm.t.Helper()
	waitUntil(tm.t, fmt.Sprintf("%q on the terminal", text), tm.screen, func() bool {
		return strings.Count(tm.screen(), text) >= count
	})
}

// prompt waits until the line editor shows prompt with nothing typed
// yet. Keys sent before that arrive while the terminal is in cooked mode,
// as type-ahead does: a Ctrl-D then reaches readline as a NUL.
func (tm *tmuxTerm) prompt(prompt string) {
	tm.t.Helper()
	waitUntil(tm.t, fmt.Sprintf("the prompt %q", prompt), tm.screen, func() bool {
		lines := strings.Split(strings.TrimRight(tm.screen(), " \n"), "\n")
		return strings.TrimSpace(lines[len(lines)-1]) == strings.TrimSpace(prompt)
	})
}

// entry types a line at a fresh prompt.
func (tm *tmuxTerm) entry(prompt, text string) {
	tm.t.Helper()
	tm.prompt(prompt)
	tm.line(text)
}

// exitStatus waits for ipcsh to end and returns its exit status.
func (tm *tmuxTerm) exitStatus() int {
	tm.t.Helper()
	var status []byte
	waitUntil(tm.t, "ipcsh to exit", tm.screen, func() bool {
		status, _ = os.ReadFile(tm.codeFile)
		return bytes.HasSuffix(status, []byte("\n"))
	})
	code, err := strconv.Atoi(strings.TrimSpace(string(status)))
	if err != nil {
		tm.t.Fatalf("exit status %q", status)
	}
	return code
}

// pid is ipcsh's pid: the child of the pane's shell.
func (tm *tmuxTerm) pid() int {
	tm.t.Helper()
	sh := strings.TrimSpace(tm.run("display-message", "-p", "-t", "repl", "#{pane_pid}"))
	children, err := os.ReadFile("/proc/" + sh + "/task/" + sh + "/children")
	if err != nil {
		tm.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(children)))
	if err != nil {
		tm.t.Fatalf("the pane's shell has children %q, want ipcsh alone", children)
	}
	return pid
}

func checkTerminal(t *testing.T, screen string) {
	t.Helper()
	for _, bad := range []string{"WARNING: DATA RACE", "panic:", "goroutine "} {
		if strings.Contains(screen, bad) {
			t.Errorf("the terminal shows %q:\n%s", bad, screen)
		}
	}
}

// TestREPLTerminal: on a real terminal, a block typed over three lines
// runs, Up brings it back as one entry, Tab completes a keyword, an
// option and a name, Ctrl-C cancels a `sem p` that blocks and the next
// entry works, Ctrl-C at the prompt clears the line, Ctrl-D ends the
// session with exit 0, and no SysV object, tmp directory or history
// line is out of place afterwards.
func TestREPLTerminal(t *testing.T) {
	t.Parallel()
	dir := privateTmp(t)
	hist := filepath.Join(dir, "history")
	k := replKey(t)
	key := fmt.Sprintf("%#x", k)
	tm := startTmux(t, dir, "TMPDIR="+dir, "IPCSH_HISTORY="+hist, "GORACE=atexit_sleep_ms=0")

	tm.entry(promptFirst, "semget s key="+key+" create init=0")
	tm.waitFor("-> created", 1)

	tm.entry(promptFirst, "repeat 2 {")
	tm.entry(promptMore, `print "in block"`)
	tm.entry(promptMore, "}")
	tm.waitFor("main: in block", 2)
	tm.prompt(promptFirst)
	tm.keys("Up")
	tm.waitFor(`ipcsh> repeat 2 { print "in block" }`, 1)
	tm.keys("Enter")
	tm.waitFor("main: in block", 4)

	tm.prompt(promptFirst)
	tm.typeText("shmg")
	tm.keys("Tab")
	tm.waitFor("ipcsh> shmget", 1)
	tm.typeText("seg key=" + key + " s")
	tm.keys("Tab")
	tm.waitFor("ipcsh> shmget seg key="+key+" size=", 1)
	tm.line("4KiB create")
	tm.waitFor("size=4096 create -> created", 1)

	tm.prompt(promptFirst)
	tm.typeText("sem p ")
	tm.keys("Tab")
	tm.waitFor("ipcsh> sem p s", 1)
	tm.keys("Enter")
	waitUntil(t, "ipcsh to block in sem p", tm.screen, func() bool {
		id, err := ipc.Semget(k, 0, 0)
		if err != nil {
			return false
		}
		n, err := ipc.SemGetNcnt(id, 0)
		return err == nil && n > 0
	})
	tm.keys("C-c")
	tm.waitFor("cancelled sem p s at [repl 5]:1:1", 1)
	tm.entry(promptFirst, `print "after the cancel"`)
	tm.waitFor("main: after the cancel", 1)

	tm.prompt(promptFirst)
	tm.typeText("print 12345")
	tm.waitFor("ipcsh> print 12345", 1)
	tm.keys("C-c")
	tm.entry(promptFirst, `print "cleared"`)
	tm.waitFor("main: cleared", 1)

	tm.prompt(promptFirst)
	tm.keys("C-d")
	code := tm.exitStatus()
	screen := tm.screen()
	if code != 0 {
		t.Errorf("exit %d after Ctrl-D, want 0:\n%s", code, screen)
	}
	if strings.Contains(screen, "main: 12345") {
		t.Errorf("Ctrl-C at the prompt did not clear the line:\n%s", screen)
	}
	checkTerminal(t, screen)
	if sysvKeyExists(t, k) {
		t.Errorf("objects with key %s are left after Ctrl-D:\n%s", key, screen)
	}
	if l := leftovers(dir); len(l) > 0 {
		t.Errorf("the session left %v in its TMPDIR", l)
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\nrepeat 2 { print \"in block\" }\n") {
		t.Errorf("the block is not one history entry:\n%s", b)
	}
	if fi, err := os.Stat(hist); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestREPLTerminalSIGTERM: SIGTERM at the prompt ends the session with
// exit 143, its children killed and its objects removed.
func TestREPLTerminalSIGTERM(t *testing.T) {
	t.Parallel()
	dir := privateTmp(t)
	k := replKey(t)
	key := fmt.Sprintf("%#x", k)
	tm := startTmux(t, dir, "TMPDIR="+dir, "IPCSH_HISTORY=", "GORACE=atexit_sleep_ms=0")
	tm.entry(promptFirst, "msgget q key="+key+" create")
	tm.entry(promptFirst, "pipe p")
	tm.entry(promptFirst, "spawn c { read p.r }")
	tm.entry(promptFirst, `print "child", c.pid`)
	tm.waitFor("main: child ", 1)
	m := regexp.MustCompile(`main: child (\d+)`).FindStringSubmatch(tm.screen())
	if m == nil {
		t.Fatalf("no pid on the terminal:\n%s", tm.screen())
	}
	child, _ := strconv.Atoi(m[1])
	tm.prompt(promptFirst)
	if err := unix.Kill(tm.pid(), unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := tm.exitStatus()
	screen := tm.screen()
	if code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143:\n%s", code, screen)
	}
	checkTerminal(t, screen)
	if err := unix.Kill(child, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("the child (pid %d) outlived the session: kill 0 says %v", child, err)
	}
	if sysvKeyExists(t, k) {
		t.Errorf("the queue with key %s is left after SIGTERM", key)
	}
	if l := leftovers(dir); len(l) > 0 {
		t.Errorf("the session left %v in its TMPDIR", l)
	}
}
