package main

// The texts of `help NAME` for what is not a statement: the built-in
// functions and names, and the topics of docs/language.md. Each ends with
// the section of docs/language.md that says more; a test checks that the
// section exists.

type helpTopic struct {
	name    string
	summary string // one line, for `help topics`
	text    string
	section string // the anchor in docs/language.md
}

var helpTopics = []helpTopic{
	// Built-in functions.
	{"len", "length of a string, message text or list", `len(x): the length of a string or a message's text in bytes, or of a list
(args) in items.
  len("héllo") is 6; len(args) is the number of script arguments.
`, "built-in-functions"},
	{"str", "a value as text", `str(x): x as print shows it: 12 is "12", true is "true", a message is its
text, a handle its name.
  write p.w str(n) + "\n"
`, "built-in-functions"},
	{"int", "text read as an integer literal", `int(x): an int from a string written as an integer literal (decimal, 0x, 0b,
0o, leading-0 octal, _ separators), from a bool (1 or 0), or an int as is.
  int("0x1f") is 31; int("12abc") is an error naming the string.
`, "built-in-functions"},
	{"hex", "an int in hexadecimal", `hex(n): the int n as 0x hexadecimal text, as keys are shown.
  hex(255) is "0xff"; hex(-1) is "-0x1".
`, "built-in-functions"},
	{"ftok", "a SysV key from a path and an id", `ftok(path, id): the SysV key ftok(3) makes from an existing file and a
small id, the key a C program using the same path and id gets.
  msgget q key=ftok(tmp, 1) create
A path that does not exist is ENOENT, as stat(2) says.
`, "built-in-functions"},
	{"getpid", "this process's pid", `getpid(): the pid of the process that calls it, an int (printing it shows
the number), for protocols that carry pids.
  send q format("%d", getpid()) type=1
`, "built-in-functions"},
	{"getppid", "the parent's pid", `getppid(): the pid of the calling process's parent, an int.
`, "built-in-functions"},
	{"pack", "values as the bytes of a C struct", `pack(FORMAT, V...): the bytes of a C struct of the fields FORMAT lists, laid
out with C's alignment: i8 u8 i16 u16 i32 u32 i64 u64 (suffix le or be for a
byte order), sN (N bytes), xN (padding); "packed" first turns alignment off.
  send q pack("pid:i32 n:i64", getpid(), 5)      # 16 bytes
More: docs/builtins-binary.md.
`, "built-in-functions"},
	{"unpack", "the fields of a C struct's bytes", `unpack(FORMAT, S): a record of the fields FORMAT lists, read from the bytes
S, whose length must be sizeof(FORMAT); an unnamed field is ._N.
  let r = unpack("pid:i32 n:i64", m.text); print r.pid, r.n
`, "built-in-functions"},
	{"sizeof", "the size of a C struct", `sizeof(FORMAT): the bytes pack(FORMAT, ...) makes, tail padding included.
  sizeof("i32 i64") is 16
`, "built-in-functions"},
	{"format", "printf-style text", `format(F, V...): text as printf makes it: %d %x %o %s %q %c %%, with flags,
width and precision (%-10s, %08x).
  print format("%s: %5d", self, n)
`, "built-in-functions"},
	{"ord", "a byte as an int", `ord(s): the first byte of s as an int (0 to 255).
`, "built-in-functions"},
	{"chr", "an int as a byte", `chr(n): the one-byte string of n (0 to 255).
`, "built-in-functions"},
	{"find", "where a substring starts", `find(s, sub): the byte index of the first sub in s, or -1.
`, "built-in-functions"},
	{"trim", "without surrounding white space", `trim(s): s without leading and trailing white space.
`, "built-in-functions"},
	// Built-in names.
	{"args", "the script's arguments", `args: the script's arguments (ipcsh FILE.ipc A B, ipcsh -c SRC A B), a list of
strings: args[0], args[1], len(args).
`, "built-in-names"},
	{"self", "this process's name", `self: the name of the process that reads it, a string: "main" for the
script, the spawn name in a spawned block (w[1] in a member of a family).
`, "built-in-names"},
	{"tmp", "this run's private directory", `tmp: a directory made for this run under $TMPDIR (default /tmp) and removed
when the run ends, with everything in it. Transcripts show it as $TMP.
  mkfifo tmp + "/fifo"
`, "built-in-names"},
	{"err", "the error of the last try", `err: after try, the errno name of the system call that failed ("EPIPE"),
"ERROR" for an error that is not a system call's (division by zero), or ""
after success.
  try write p.w "x"
  if err == "EPIPE" { print "no reader" }
`, "built-in-names"},
	// Topics.
	{"builtins", "the built-in functions and names", `Built-in functions: len(x) str(x) int(x) hex(n) ftok(path, id) getpid()
getppid() pack(F, V...) unpack(F, s) sizeof(F) format(F, V...) ord(s) chr(n)
find(s, sub) trim(s). A script's own functions are procedures (help def).
Built-in names: args self tmp err. They cannot be bound by let or =.
help NAME explains one.
`, "built-in-functions"},
	{"syntax", "statements, comments, names and literals", `A statement ends at a newline or ";"; a block is { ... }. # starts a comment.
Names: letters, digits and _, not starting with a digit; statement words are
reserved only where a statement starts.
Integers: 42 0x1f 0b101 0o644 0600 (a leading 0 is octal) 1_000.
Sizes: 512B 4KiB 1MiB 1GiB (ints, in bytes).
Durations: 500us 10ms 2s 1m (ints, in nanoseconds).
Strings: "..." with \n \t \r \0 \\ \" \xHH; they are bytes.
Booleans: true false.
`, "lexical-rules"},
	{"expressions", "operators, precedence, slicing", `Operators, loosest first:
  ||   &&   == != < <= > >=   + -   * / %   unary - !   x.field x[i] x[lo:hi] f(x)
+ adds ints, and joins text when either side is a string ("n=" + 5 is "n=5").
/ and % truncate towards zero; dividing by zero is an error.
&& and || stop at the first side that decides.
Conditions take bools, ints (non-zero is true) and strings (non-empty).
s[i] is one byte of a string, s[lo:hi] the bytes from lo up to hi; either end
may be left out (s[2:], s[:5]). Out of range is an error, never a crash.
In a statement's arguments a blank starts a new argument before "(" and
before a negative literal: write p.w ("x") is two arguments, sem set s[0] -1
two, but print a - 1 and print a-1 one.
`, "expressions"},
	{"exec", "the words after spawn NAME exec", `spawn NAME exec PROG ARGS... [stdin=FD] [stdout=FD] [stderr=FD]
The words are passed as sh would pass them:
  ls -l /tmp          bare words, literally
  'echo hi; echo x'   single quotes keep blanks, ";", quotes, # literally
  "a\tb"              an ipcsh string
  (n + 1)             the value of an expression, as str() shows it
Only stdin=, stdout=, stderr= are options; any other k=v is a word (LANG=C).
A bare word that names a value of the script (a variable, args, self, tmp,
err), or such a name with .field or [index] (args[0], m.text), is an error
before the run: write (dir) for the value or "dir" for the word.
Process, handle and statement names are words: spawn ls exec ls.
`, "exec-words"},
	{"transcript", "what a run prints, and in which order", `Each system call prints one line: PROCESS: STATEMENT -> RESULT, with the
statement's arguments evaluated and strings quoted; print prints PROCESS: TEXT.
A call that publishes (write, send, sem v, close, spawn, kill, exit) prints
before it is made; one that waits or consumes (read, recv, sem p, sem z,
wait) prints after it returns, with what it got. All lines go through one
printer in the order they were emitted, so each process's lines are in
program order and a consumer's line always follows the line of the publish
that enabled it. Lines of independent processes may interleave differently
from run to run. No pid, fd, id or address is shown unless -v; tmp is $TMP.
`, "the-transcript"},
	{"errors", "errors and exit codes", `Exit codes:
  0    success, or exit 0
  1    a failed system call outside try, a failed expect, a run-time error
  2    a syntax error or a misuse of the command line: nothing ran
  3    a deadlock: every process blocked for the stall time (--stall, 5s)
  129  SIGHUP; 130 SIGINT (Ctrl-C); 131 SIGQUIT; 143 SIGTERM
  141  standard output broke (ipcsh x.ipc | head -1): nothing more printed
  128+N  a signal N nobody trapped reached main (138 for SIGUSR1)
  N    exit N
A syntax error is FILE:LINE:COL: what was expected, found what; ipcsh check
FILE reports every one without running. A failed system call prints
-> error ENAME (meaning) in the transcript and, outside try, stops with
ipcsh: FILE:LINE:COL: STATEMENT: ENAME (meaning) on stderr, and below it,
indented, what ipcsh found out about the failure. After try, err holds the
errno name.
`, "errors-and-exit-codes"},
	{"options", "what -q, -v and --stall change", `-q        print lines and errors only: no transcript lines for system calls
-v        pids after process names, fd numbers and IPC ids
--stall D how long every process may stay blocked before the run stops with
          exit 3 and a deadlock report (default 5s; off in the REPL)
-q and -v change what is shown, never what runs or a value.
`, "the-command-line"},
}

func findTopic(name string) *helpTopic {
	for i := range helpTopics {
		if helpTopics[i].name == name {
			return &helpTopics[i]
		}
	}
	return nil
}
