package main

// The REPL: `ipcsh` on a terminal. One session is one interp.Runner, so
// variables, handles, children and SysV objects live from one entry to
// the next. The loop (session) reads entries from a lineSource: readline
// on a terminal, a plain list of lines in the tests, which therefore run
// the very loop the binary runs.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ergochat/readline"

	"ipcsh/interp"
	"ipcsh/lang"
)

const (
	promptFirst = "ipcsh> "
	promptMore  = "...> " // while a block is open
)

// errInterrupted is Ctrl-C at the prompt: forget the line (or the block
// being typed) and prompt again.
var errInterrupted = errors.New("interrupted at the prompt")

// lineSource is where the session's input comes from.
type lineSource interface {
	// ReadLine shows prompt and returns one line without its newline;
	// io.EOF at the end of input (Ctrl-D), errInterrupted for Ctrl-C.
	ReadLine(prompt string) (string, error)
	// SaveHistory records one whole entry, a block typed over several
	// lines included.
	SaveHistory(entry string)
}

// phase is what the session is doing, for the signal handler: Ctrl-C
// means something different at the prompt, in a statement and while the
// session waits for its children at the end.
type phase int

const (
	atPrompt phase = iota
	running
	ending
	closed // the Runner is closed: nothing may touch it
)

// session is the read-run-print loop over one Runner.
type session struct {
	r      *interp.Runner
	in     lineSource
	out    io.Writer // help text (the transcript goes to the Runner's Stdout)
	errOut io.Writer // errors and "cancelled ..." lines
	// tty is set on a terminal, where the kernel echoes ^C without a
	// newline: the "cancelled" line then starts on a line of its own.
	tty bool
	n   int // entries run so far: the next is "[repl n+1]"
	// ring keeps the session's last events, for `timeline`.
	ring *eventRing

	mu       sync.Mutex // guards phase and stopCode against the signal handler
	phase    phase
	stopCode int // set by SIGTERM or SIGHUP: the session ends with this code
}

func newSession(r *interp.Runner, in lineSource, out, errOut io.Writer) *session {
	return &session{r: r, in: in, out: out, errOut: errOut}
}

// loop runs entries until exit, Ctrl-D or a signal, then cleans up as at
// the end of a script and returns the exit code.
func (s *session) loop() int {
	for {
		if s.signalled() != 0 {
			return s.finish(nil)
		}
		e, err := s.readEntry()
		switch {
		case errors.Is(err, errInterrupted):
			continue
		case errors.Is(err, io.EOF):
			return s.finish(nil)
		case err != nil:
			fmt.Fprintf(s.errOut, "ipcsh: reading the terminal: %v\n", err)
			return s.finish(nil)
		}
		switch {
		case e.help:
			help(s.out, e.helpWords)
			continue
		case e.timeline:
			s.showTimeline()
			continue
		case e.parseErr != nil:
			printSyntax(s.errOut, e.parseErr)
			continue
		case e.prog == nil:
			continue // a blank line
		}
		s.setPhase(running)
		err = s.r.Run(e.prog)
		s.setPhase(atPrompt)
		var exit *interp.ExitError
		var stop *interp.StopError
		switch {
		case errors.As(err, &exit):
			return s.finish(err)
		case errors.As(err, &stop) && !stop.Interrupted:
			return s.finish(err) // SIGTERM or SIGHUP
		}
		// Errors come after the transcript lines that led to them.
		s.r.Sync()
		var syntax lang.ErrorList
		switch {
		case err == nil:
		case errors.As(err, &stop):
			if s.tty {
				fmt.Fprintln(s.errOut)
			}
			fmt.Fprintln(s.errOut, stop.Report)
		case errors.As(err, &syntax):
			printSyntax(s.errOut, err) // a static error: nothing ran
		default:
			printError(s.errOut, "", err)
		}
	}
}

// entry is one unit of input: a statement or a block, or a help command.
type entry struct {
	prog      *lang.Program
	parseErr  error
	help      bool
	helpWords []string // the words after `help`
	timeline  bool     // `timeline`, a command of the REPL
}

// readEntry reads lines until they form a complete entry. A blank line
// gives an empty entry; Ctrl-C abandons a block half typed.
func (s *session) readEntry() (entry, error) {
	line, err := s.in.ReadLine(promptFirst)
	if err != nil {
		return entry{}, err
	}
	if strings.TrimSpace(line) == "" {
		return entry{}, nil
	}
	if words, ok := helpCommand(line); ok {
		s.in.SaveHistory(line)
		return entry{help: true, helpWords: words}, nil
	}
	if strings.TrimSpace(line) == "timeline" && s.ring != nil {
		s.in.SaveHistory(line)
		return entry{timeline: true}, nil
	}
	lines := []string{line}
	name := fmt.Sprintf("[repl %d]", s.n+1)
	for {
		src := strings.Join(lines, "\n")
		prog, perr := lang.Parse(name, src)
		if perr != nil && needsMore(name, src, perr) {
			more, err := s.in.ReadLine(promptMore)
			if errors.Is(err, io.EOF) {
				// Ctrl-D inside a block: show what is open, and drop it.
				s.n++
				s.in.SaveHistory(historyEntry(lines))
				return entry{parseErr: perr}, nil
			}
			if err != nil {
				return entry{}, err
			}
			lines = append(lines, more)
			continue
		}
		s.n++
		s.in.SaveHistory(historyEntry(lines))
		return entry{prog: prog, parseErr: perr}, nil
	}
}

// needsMore says whether another line could complete src. lang says an
// unclosed string or parenthesis is incomplete too, but neither may span
// lines, so the question is asked again with the newline the next line
// would bring: only an open block survives it.
func needsMore(name, src string, err error) bool {
	if !lang.IsIncomplete(err) {
		return false
	}
	_, err = lang.Parse(name, src+"\n")
	return lang.IsIncomplete(err)
}

// helpCommand recognises `help` and `help WORDS`. It is a command of the
// REPL, not of the language, so a line such as `help = 3` (an assignment
// to a variable called help) is left to the parser.
func helpCommand(line string) ([]string, bool) {
	words := strings.Fields(line)
	if len(words) == 0 || words[0] != "help" {
		return nil, false
	}
	for _, w := range words[1:] {
		if !isIdent(w) {
			return nil, false
		}
	}
	return words[1:], true
}

func isIdent(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c == '_' || c|0x20 >= 'a' && c|0x20 <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return w != ""
}

// historyEntry turns the lines of a block into one line, so that it is
// one entry in the history file (which holds a line per entry) and comes
// back with one press of Up. A newline inside a block means what `;`
// means, so `repeat 2 {`, `print 1`, `}` becomes `repeat 2 { print 1 }`.
// Comments are dropped, since a `#` would swallow the joined rest. When
// the joined line would not parse as the lines did, the block is kept
// as typed.
func historyEntry(lines []string) string {
	if len(lines) == 1 {
		return lines[0]
	}
	var b strings.Builder
	for _, l := range lines {
		l = strings.TrimSpace(stripComment(l))
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			prev := b.String()
			if strings.HasSuffix(prev, "{") || strings.HasPrefix(l, "}") {
				b.WriteByte(' ')
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	joined := b.String()
	_, errLines := lang.Parse("history", strings.Join(lines, "\n"))
	_, errJoined := lang.Parse("history", joined)
	if errLines == nil && errJoined != nil {
		return strings.Join(lines, "\n")
	}
	return joined
}

// stripComment removes a `#` comment, minding strings ("#" in a string
// is no comment).
func stripComment(line string) string {
	inString := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == '#':
			return line[:i]
		}
	}
	return line
}

func (s *session) setPhase(p phase) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phase = p
}

// signalled returns the exit code SIGTERM or SIGHUP asked for, or 0.
func (s *session) signalled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopCode
}

// interrupt is Ctrl-C outside the line editor, i.e. while an entry runs
// or the session ends: it stops the statement main is blocked in; at the
// end, it stops waiting for the children and kills them. At the prompt
// the line editor sees Ctrl-C as a key, not as a signal.
func (s *session) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.phase {
	case running:
		s.r.Interrupt()
	case ending:
		s.r.Cancel(130, "")
	}
}

// terminate is SIGTERM or SIGHUP: the session ends with code, after the
// same clean-up as any other end.
func (s *session) terminate(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopCode == 0 {
		s.stopCode = code
	}
	if s.phase != closed {
		s.r.Cancel(code, "")
	}
}

// finish ends the session as a script ends: wait for the children (kill
// them after an error), remove the SysV objects and the tmp directory.
func (s *session) finish(err error) int {
	s.setPhase(ending)
	if code := s.signalled(); code != 0 && err == nil {
		err = &interp.StopError{Code: code}
	}
	var hint *time.Timer
	if s.tty {
		// End waits for the children, as at the end of a script; one
		// may be blocked for good, and the wait would look like a hang.
		hint = time.AfterFunc(time.Second, func() {
			fmt.Fprintln(s.errOut, "waiting for the children to end (Ctrl-C kills them)")
		})
	}
	err = s.r.End(err)
	if hint != nil {
		hint.Stop()
	}
	s.setPhase(closed)
	cerr := s.r.Close()
	code := report(err, s.errOut)
	if cerr != nil {
		fmt.Fprintf(s.errOut, "ipcsh: clean-up: %v\n", cerr)
		if code == exitOK {
			code = exitError
		}
	}
	if sig := s.signalled(); sig != 0 {
		return sig
	}
	return code
}

// repl runs the interactive session on the terminal stdin.
func repl(stdin *os.File, o options, tracePath string, stdout, stderr io.Writer) int {
	if tracePath != "" {
		f, err := os.Create(tracePath)
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: --trace: %v\n", err)
			return exitSyntax
		}
		defer f.Close()
		o.trace = f
	}
	comp := &completer{}
	rl, err := readline.NewFromConfig(&readline.Config{
		Prompt:      promptFirst,
		HistoryFile: historyFile(stderr),
		// Entries go to history whole, blocks included (SaveHistory).
		DisableAutoSaveHistory: true,
		AutoComplete:           comp,
		// A NUL would reach the lexer as an invalid character; it comes
		// from Ctrl-Space, and from a Ctrl-D typed while an entry ran,
		// which the terminal in cooked mode hands over as a NUL.
		FuncFilterInputRune: func(r rune) (rune, bool) { return r, r != 0 },
		Stdin:               stdin,
		Stdout:              stdout,
		Stderr:              stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: terminal: %v\n", err)
		return exitError
	}
	defer rl.Close()
	// The transcript of every process arrives at any moment, also while
	// a line is being typed: readline's writer redraws the prompt below.
	// The REPL has no stall detector: a person waiting at a blocked
	// statement is not a deadlock (another terminal may unblock it), and
	// Ctrl-C is at hand.
	ring := newEventRing()
	r, err := interp.New(interp.Config{Stdout: rl.Stdout(), Quiet: o.quiet, Verbose: o.verbose, Trace: traceTo(ring, o.trace)})
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: %v\n", err)
		return exitError
	}
	comp.bindings = r.Bindings
	s := newSession(r, &readlineSource{rl}, rl.Stdout(), rl.Stderr())
	s.ring = ring
	s.tty = true
	stop := s.handleSignals(rl)
	defer stop()
	fmt.Fprintf(rl.Stdout(), "ipcsh %s: help lists the statements, Tab completes, Ctrl-D ends the session\n", Version)
	return s.loop()
}

// handleSignals routes the session's signals for as long as it lasts,
// prompt included, so that no signal ends it without its clean-up.
// SIGINT reaches ipcsh only while an entry runs (at the prompt the
// terminal is in raw mode and Ctrl-C is a key); children are in their
// own process group and do not get it.
func (s *session) handleSignals(rl *readline.Instance) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-ch:
				if sig == syscall.SIGINT {
					s.interrupt()
					continue
				}
				code := stopSignals[sig]
				s.terminate(code)
				_ = rl.Close() // ends a ReadLine in progress with io.EOF
				// As in script mode: a session that does not end in a
				// moment (a stuck clean-up) is ended the hard way, still
				// without leaving its children or tmp directory behind.
				select {
				case <-done:
				case <-time.After(2 * time.Second):
					s.r.Abort()
					os.Exit(code)
				}
				return
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// readlineSource reads lines from the terminal with line editing,
// completion and history.
type readlineSource struct{ rl *readline.Instance }

func (r *readlineSource) ReadLine(prompt string) (string, error) {
	r.rl.SetPrompt(prompt)
	line, err := r.rl.ReadLine()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", errInterrupted
	}
	return line, err
}

func (r *readlineSource) SaveHistory(entry string) { _ = r.rl.SaveToHistory(entry) }

// historyFile is $IPCSH_HISTORY, or ~/.ipcsh_history; IPCSH_HISTORY set
// to "" turns history off. The file is made private first: history can
// hold anything that was typed.
func historyFile(stderr io.Writer) string {
	path, set := os.LookupEnv("IPCSH_HISTORY")
	if !set {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, ".ipcsh_history")
	}
	if path == "" {
		return ""
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: history: %v (no history this session)\n", err)
		return ""
	}
	_ = f.Close()
	return path
}
