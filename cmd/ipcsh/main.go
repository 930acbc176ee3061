package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"ipcsh/interp"
	"ipcsh/lang"
)

// Version is the release this binary reports.
const Version = "0.2.0"

// Exit codes, LANGUAGE.md §5.
const (
	exitOK     = 0
	exitError  = 1 // a failed system call, a failed expect, a run-time error
	exitSyntax = 2 // a syntax error or a misuse of the command line: nothing ran
)

const usage = `usage:
  ipcsh FILE.ipc [ARGS...]   run a script (ARGS in args[0], args[1], ...)
  ipcsh -c 'SOURCE' [ARGS...] run source text
  ipcsh                      REPL on a terminal; reads a script from a non-terminal stdin
  ipcsh check FILE...        report every error that stops a run before it starts
  ipcsh test [PATH...]       run golden tests: NAME.ipc against NAME.golden
                             (ipcsh test -h for its options)
  ipcsh fmt [--check] FILE... rewrite scripts in the canonical layout
  ipcsh clean                remove the SysV objects and tmp directories of runs
                             killed with SIGKILL (from their journals)
  ipcsh version              print the version

options (before the script):
  -q          print and errors only: no transcript lines for system calls
  -v          show pids, fds and ids in the transcript
  --stall DUR  how long every process may stay blocked in IPC before the run
               stops with exit 3 and a deadlock report (default 5s)
  --trace FILE write every event as one JSON object per line (process, pid,
               statement, file:line:col, phase begin/end, result, time in ns);
               FILE.json: in the Chrome Trace Event format instead, with
               arrows from each write, send, sem v... to what it enabled
               (open it in Perfetto or chrome://tracing)
  --diagram FILE  draw the run as a sequence diagram: FILE.mmd (Mermaid text),
               FILE.svg, or FILE.html (the SVG and a legend; nothing fetched)

exit codes: 0 success; 1 a failed system call, expect or run-time error;
2 a syntax error or command-line misuse (nothing ran); 3 a deadlock (--stall);
129/130/131/143 after SIGHUP/SIGINT/SIGQUIT/SIGTERM, 141 when the reader of
standard output went away (| head): children stopped, objects removed first.
Every statement of a script is a real system call. ipcsh help NAME explains a
statement (help spawn), a built-in (help len) or a topic (help topics lists
them); docs/language.md describes the whole language.
`

// The interpreter runs on the main goroutine; keep that on the process's
// first thread, whose id is the pid. The kernel records some pids per
// thread (a msgrcv that waited leaves its thread's id in lrpid), and a
// thread id that is the pid still names the process after it exits:
// `msgctl q stat` after `wait child` shows lrpid=child, not
// another-process.
func init() { runtime.LockOSThread() }

func main() {
	// A spawned block or a warm child: the same binary, started by its
	// parent (interp/pool.go).
	if code, ok := interp.ServeChild(os.Args, os.Stderr); ok {
		os.Exit(code)
	}
	// Descriptors ipcsh itself inherited must not leak into every child
	// it starts: the spawn statements pass exactly what they mean to.
	_ = unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	os.Exit(run(os.Args[1:], os.Stdin, fdWriter(1), fdWriter(2)))
}

// fdWriter writes to a file descriptor with write(2) itself. os.Stdout
// would not do: on EPIPE the os package raises SIGPIPE and the process
// dies on the spot, skipping the clean-up. Here the error comes back to
// the printer, which stops the run the way SIGTERM does (exit 141).
type fdWriter int

func (w fdWriter) Write(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := unix.Write(int(w), b[n:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN: // a descriptor left non-blocking by whoever handed it over
			fds := []unix.PollFd{{Fd: int32(w), Events: unix.POLLOUT}}
			_, _ = unix.Poll(fds, -1)
			continue
		case err != nil:
			return n, err
		}
		n += m
	}
	return n, nil
}

// options are the flags common to every way of running a script.
type options struct {
	quiet, verbose bool
	stall          time.Duration
	trace          io.Writer
	source         string
	haveSource     bool
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) > 0 {
		switch argv[0] {
		case "check":
			return check(argv[1:], stdout, stderr)
		case "test":
			return testCmd(argv[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintln(stdout, "ipcsh", Version)
			return exitOK
		case "help":
			return helpCmd(argv[1:], stdout, stderr)
		case "clean":
			return clean(argv[1:], stdout, stderr)
		case "fmt":
			return fmtCmd(argv[1:], stdout, stderr)
		}
	}
	var o options
	fs := flag.NewFlagSet("ipcsh", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.quiet, "q", false, "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.DurationVar(&o.stall, "stall", 5*time.Second, "")
	fs.Func("c", "", func(s string) error { o.source, o.haveSource = s, true; return nil })
	trace := fs.String("trace", "", "")
	diagram := fs.String("diagram", "", "")
	help := fs.Bool("help", false, "")
	fs.BoolVar(help, "h", false, "")
	if err := fs.Parse(argv); err != nil {
		fmt.Fprintf(stderr, "ipcsh: %v\n%s", err, usage)
		return exitSyntax
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if o.stall <= 0 {
		fmt.Fprintln(stderr, "ipcsh: --stall must be a positive duration such as 5s")
		return exitSyntax
	}
	rest := fs.Args()
	var name, src string
	switch {
	case o.haveSource:
		name, src = "-c", o.source
	case len(rest) > 0:
		name = rest[0]
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: %v\n", err)
			return exitSyntax
		}
		src, rest = string(b), rest[1:]
	default:
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			interp.TakeSignalsAtStart(os.Args) // a REPL may trap any time
			return repl(f, o, *trace, stdout, stderr)
		}
		b, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: reading stdin: %v\n", err)
			return exitSyntax
		}
		name, src = "stdin", string(b)
	}
	// A script that receives signals runs with them blocked, so that the
	// kernel's siginfo (sender, value) reaches it even from outside the
	// run; that takes a second start of the binary, with the same command
	// line. A script read from stdin cannot be read twice: it goes on
	// without (docs/language.md, Signals).
	if name != "stdin" && interp.ReceivesSignals(src) {
		interp.TakeSignalsAtStart(os.Args)
	}
	vis, err := openVisual(*trace, *diagram)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: %v\n", err)
		return exitSyntax
	}
	o.trace = vis.writer()
	return vis.finish(runSource(name, src, rest, o, stdout, stderr), stderr)
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func runSource(name, src string, args []string, o options, stdout, stderr io.Writer) int {
	// Caught before the first statement: a stop signal that came earlier
	// would kill the process in the middle of its set-up. Catching a
	// signal costs a round trip to the runtime's signal thread, so these
	// go in on a goroutine of their own while the run is set up and the
	// script parsed (the run does the same with its own signals).
	sigs := make(chan os.Signal, 1)
	caught := make(chan struct{})
	go func() {
		for s := range stopSignals {
			signal.Notify(sigs, s)
		}
		close(caught)
	}()
	// The run is set up before the parse, so that its signal handlers go
	// in while the parser is built; a script that does not parse closes
	// it unused, which leaves nothing behind and prints nothing.
	r, err := interp.New(interp.Config{Stdout: stdout, Args: args, Quiet: o.quiet, Verbose: o.verbose, Stall: o.stall, Trace: o.trace, Exiting: true})
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: %v\n", err)
		return exitError
	}
	prog, err := lang.Parse(name, src)
	if err != nil {
		<-caught
		_ = r.Close()
		printSyntax(stderr, err)
		return exitSyntax
	}
	<-caught
	stop := onSignals(r, sigs)
	defer stop()
	err = r.End(r.Run(prog))
	cerr := r.Close()
	if code := r.OutputCode(); code == 141 {
		return code // a reader that went away: nothing more to say
	}
	if cerr != nil && err == nil {
		fmt.Fprintf(stderr, "ipcsh: clean-up: %v\n", cerr)
		return exitError
	}
	return report(err, stderr)
}

// report turns the result of a run into its exit code and stderr text.
func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var exit *interp.ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	var stop *interp.StopError
	if errors.As(err, &stop) {
		if stop.Report != "" {
			fmt.Fprintf(stderr, "ipcsh: %s\n", stop.Report)
		}
		return stop.Code
	}
	var list lang.ErrorList
	if errors.As(err, &list) {
		printSyntax(stderr, err)
		return exitSyntax
	}
	printError(stderr, "ipcsh: ", err)
	return exitError
}

// printError writes a run's error: a failed system call as the contract's
// line, with what ipcsh found out about it on the next line, indented, so
// that a program matching the line whole still finds it.
func printError(w io.Writer, prefix string, err error) {
	if e, ok := err.(*interp.Error); ok {
		line, why := e.Report()
		fmt.Fprintf(w, "%s%s\n", prefix, line)
		if why != "" {
			fmt.Fprintf(w, "%s  %s\n", prefix, why)
		}
		return
	}
	fmt.Fprintf(w, "%s%v\n", prefix, err)
}

func printSyntax(w io.Writer, err error) {
	var list lang.ErrorList
	if !errors.As(err, &list) {
		fmt.Fprintln(w, err)
		return
	}
	for _, e := range list {
		fmt.Fprintln(w, e.Error())
		if c := e.Caret(); c != "" {
			fmt.Fprintln(w, c)
		}
	}
}

func check(files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintf(stderr, "ipcsh: check needs at least one FILE\n%s", usage)
		return exitSyntax
	}
	code := exitOK
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: %v\n", err)
			code = exitSyntax
			continue
		}
		if errs := checkErrors(f, string(b)); len(errs) > 0 {
			printSyntax(stderr, errs)
			code = exitSyntax
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", f)
	}
	return code
}

// checkErrors finds every error that stops a run of src before it starts,
// in source order: the syntax errors, then what the run's own compilation
// refuses (interp.Check), in a script with syntax errors too in what is
// left once their statements are blanked (interp.CheckPartial).
func checkErrors(name, src string) lang.ErrorList {
	prog, removed, errs := lang.Recover(name, src)
	var err error
	switch {
	case len(errs) == 0:
		err = interp.Check(prog)
	case prog != nil:
		err = interp.CheckPartial(prog, removed)
	}
	var more lang.ErrorList
	if errors.As(err, &more) {
		for _, e := range more {
			// The partial program's line may be blanked around the
			// error: show the one the file has.
			e.Line = lineAt(src, e.Pos.Offset)
		}
		errs = append(errs, more...)
	} else if err != nil {
		errs = append(errs, &lang.Error{Pos: lang.Pos{Filename: name, Line: 1, Column: 1}, Msg: err.Error()})
	}
	slices.SortStableFunc(errs, func(a, b *lang.Error) int { return a.Pos.Offset - b.Pos.Offset })
	return errs
}

func lineAt(src string, off int) string {
	off = max(0, min(off, len(src)))
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		return src[start:]
	}
	return src[start : off+end]
}

// stopSignals are the signals that stop a run with clean-up, and the exit
// code of each: 128 + the signal's number, as a shell reports it. SIGPIPE
// is not among them: the interpreter ignores it so that a write to a pipe
// without reader gets EPIPE; a broken standard output is noticed by the
// printer's write instead (exit 141 all the same).
var stopSignals = map[os.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129, syscall.SIGQUIT: 131}

// onSignals stops the run on SIGINT, SIGTERM, SIGHUP, SIGQUIT, and when its
// standard output breaks: the blocked statement is cancelled and the run
// cleans up as after an error. A script busy in a loop that never blocks
// gets a moment to notice, then is stopped the hard way, still without
// leaving its children, objects or tmp directory behind.
//
// The signals stay caught after the run: one that arrives while the
// process is returning its exit code changes nothing, where the default
// action would end it by the signal after the clean-up was done.
func onSignals(r *interp.Runner, ch <-chan os.Signal) (stop func()) {
	done := make(chan struct{})
	go func() {
		var code int
	wait:
		for {
			select {
			case s := <-ch:
				if r.Trapped(s) {
					continue // the script's trap has it: its block runs instead
				}
				code = stopSignals[s]
				r.Cancel(code, "")
				break wait
			case <-r.OutputBroken():
				code = r.OutputCode()
				break wait
			case <-done:
				return
			}
		}
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			r.Abort()
			os.Exit(code)
		}
	}()
	return func() { close(done) }
}

// clean removes what killed runs left behind (interp.Clean).
func clean(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "ipcsh: clean takes no arguments\n%s", usage)
		return exitSyntax
	}
	n, err := interp.Clean(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: clean: %v\n", err)
		return exitError
	}
	if n == 0 {
		fmt.Fprintln(stdout, "nothing to clean")
	}
	return exitOK
}
