package lang

import (
	"sort"
	"strings"
)

// ParamKind says what a positional argument of a statement is.
type ParamKind uint8

const (
	// PExpr is any expression.
	PExpr ParamKind = iota
	// PName is a new name the statement binds (`pipe NAME`): a bare identifier.
	PName
	// PSignal is a signal: a bare name (TERM, SIGKILL) or an integer expression.
	PSignal
	// PPair is `I:DELTA` (sem op).
	PPair
)

// Param is one positional argument.
type Param struct {
	Name     string
	Kind     ParamKind
	Optional bool
	Variadic bool
}

// Spec describes one statement: the table that the checker, `help`, the
// REPL's completion and the reference all read, so they cannot disagree.
type Spec struct {
	Name    string // "read", "sem p"
	Group   string
	Usage   string
	Summary string
	Params  []Param
	// Flags are bare-word options. Each group in OneOf needs exactly one of
	// its words (the mode of `open`); Exclusive groups allow at most one.
	Flags     []string
	OneOf     [][]string
	Exclusive [][]string
	Opts      []string // word=expr options
	Required  []string // options that must be given
	Value     bool     // yields a value (`let x = read p.r`)
	Commas    bool     // arguments may be separated by commas (print, expect)
	Block     bool     // may take a block, before its options (trap)
	// Either is a pair of which exactly one must be given, each an
	// option (with its "=") or a flag: mqnotify's signal= or off.
	Either []string
	// Example is one line that uses the statement (docs/reference.md,
	// help); a test parses each one. Errors lists the errno names the
	// statement's system calls give, with when (empty for statements that
	// make no system call).
	Example string
	Errors  string
	// NotByID lists the flags and options that do not apply when the
	// statement opens an object by id= (msgget, shmget, semget); id=
	// then stands instead of the required key=.
	NotByID []string
}

// Groups, in the order of LANGUAGE.md §3.
const (
	GControl = "Variables and control"
	GProc    = "Processes"
	GPipe    = "Pipes and file descriptors"
	GFifo    = "FIFOs and files"
	GMsg     = "SysV message queues"
	GShm     = "SysV shared memory"
	GSem     = "SysV semaphores"
	GMmap    = "Memory-mapped files"
	GPmq     = "POSIX message queues"
	GPsem    = "POSIX semaphores"
	GPshm    = "POSIX shared memory"
	GIntro   = "Introspection and clean-up"
)

// GroupOrder lists the groups as LANGUAGE.md presents them.
var GroupOrder = []string{GControl, GProc, GPipe, GFifo, GMsg, GShm, GSem, GMmap, GPmq, GPsem, GPshm, GIntro}

func p(name string) Param     { return Param{Name: name} }
func opt(name string) Param   { return Param{Name: name, Optional: true} }
func named(name string) Param { return Param{Name: name, Kind: PName} }

var ipcOpts = []string{"key", "mode"}
var ipcFlags = []string{"create", "excl", "keep"}

// notByID: what opening an existing object by its id leaves no room for.
var notByID = []string{"key", "create", "excl", "keep", "init", "size", "nsems"}

// Specs is the statement table. Statements with their own grammar (let,
// assignment, if, for, while, repeat, try, quiet, atomic, spawn) are listed
// too, for help and completion, with no Params: the checker skips them.
var Specs = []*Spec{
	{Name: "let", Example: "let m = recv q type=2", Group: GControl, Usage: "let NAME = EXPR", Summary: "bind a name to a value or to the result of a statement"},
	{Name: "if", Example: "if err != \"\" { print \"failed:\", err } else { print \"ok\" }", Group: GControl, Usage: "if EXPR { ... } else if EXPR { ... } else { ... }", Summary: "run a block when a condition holds"},
	{Name: "repeat", Example: "repeat 3 { sem p s; sem v s }", Group: GControl, Usage: "repeat EXPR { ... }", Summary: "run a block EXPR times"},
	{Name: "for", Example: "for i in 1..3 { write p.w str(i) }", Group: GControl, Usage: "for NAME in A..B { ... }", Summary: "run a block for each integer from A to B, both included"},
	{Name: "while", Example: "while len(line) > 0 { line = read p.r line }", Group: GControl, Usage: "while EXPR { ... }", Summary: "run a block while a condition holds"},
	{Name: "break", Example: "while true { try read r 1; if err != \"\" { break } }", Group: GControl, Usage: "break", Summary: "leave the innermost loop"},
	{Name: "continue", Example: "for i in 1..9 { if i % 2 == 0 { continue }; print i }", Group: GControl, Usage: "continue", Summary: "go on with the next round of the innermost loop"},
	{Name: "print", Example: "print \"got\", n, \"bytes\"", Group: GControl, Usage: "print EXPR, ...", Summary: "print values joined by one space, strings unquoted",
		Params: []Param{{Name: "EXPR", Optional: true, Variadic: true}}, Commas: true},
	{Name: "expect", Example: "expect n == 5, \"five bytes\"", Group: GControl, Usage: "expect EXPR [, MESSAGE]", Summary: "stop with exit 1 unless EXPR is true; a comparison shows both sides with their types",
		Params: []Param{p("EXPR"), opt("MESSAGE")}, Commas: true},
	{Name: "try", Example: "try write p.w \"x\"", Group: GControl, Usage: "try STATEMENT | try { ... }", Summary: "print errors and go on; err is the errno name, or \"\""},
	{Name: "quiet", Example: "quiet repeat 1000 { sem p s; sem v s }", Group: GControl, Usage: "quiet STATEMENT | quiet { ... }", Summary: "run without transcript lines (print and errors still show)"},
	{Name: "sleep", Example: "sleep 10ms", Group: GControl, Usage: "sleep DURATION", Summary: "sleep for a duration (500us, 10ms, 2s, 1m)", Params: []Param{p("DURATION")}},
	{Name: "exit", Example: "exit 3", Group: GControl, Usage: "exit [EXPR]", Summary: "end this process with a status (default 0)", Params: []Param{opt("EXPR")}},
	{Name: "retry", Example: "retry 2s msgget q key=0x1234", Group: GControl, Usage: "retry DUR STATEMENT | retry DUR { ... }", Summary: "run again after a short pause while it fails with a system call's error, for up to DUR; only the attempt that counted shows"},
	{Name: "def", Example: "def worker(q, n) { repeat n { recv q }; return n }", Group: GControl, Usage: "def NAME(P1, P2, ...) { ... }", Summary: "define a procedure, called as NAME(ARGS...) in a statement or an expression"},
	{Name: "return", Example: "def double(n) { return n * 2 }", Group: GControl, Usage: "return [EXPR]", Summary: "end a procedure, with a value for a call in an expression", Params: []Param{opt("EXPR")}},

	{Name: "spawn", Example: "for i in 1..3 { spawn w[i] { print self } }", Errors: "ENOENT (exec: no such program), EAGAIN (too many processes)", Group: GProc, Usage: "spawn NAME { ... } | spawn NAME exec PROG ARGS... [stdin=FD] [stdout=FD] [stderr=FD]", Summary: "start a real child process running a block, or a program; NAME[INDEX]: a member of a family"},
	{Name: "wait", Example: "let status = wait w", Errors: "ECHILD (not a child of this process, or already waited for; `wait` alone: no child left to wait for)", Group: GProc, Usage: "wait [NAME]", Summary: "wait for one child, a family's members, or all; value: exit status", Params: []Param{opt("NAME")}, Value: true},
	{Name: "kill", Example: "kill w[2] KILL", Errors: "ESRCH (the process has exited), EINVAL (a number that is no signal: numbers go to the kernel as they are, and 0 only checks that the process is there)", Group: GProc, Usage: "kill NAME [SIGNAL] [value=N]", Summary: "send a signal to a process, or to a family's members (default SIGTERM); value= sends it with sigqueue(3)", Opts: []string{"value"},
		Params: []Param{p("NAME"), {Name: "SIGNAL", Kind: PSignal, Optional: true}}},
	{Name: "trap", Example: "trap USR1 { print sig.signal, sig.from } restart", Errors: "EINVAL (SIGKILL and SIGSTOP cannot be caught or ignored)", Group: GProc, Usage: "trap SIGNAL { ... } [restart] | trap SIGNAL ignore|default", Summary: "run the block when SIGNAL arrives (sig: signal, value, from); restart is SA_RESTART",
		Params: []Param{{Name: "SIGNAL", Kind: PSignal}}, Flags: []string{"restart", "ignore", "default"}, Exclusive: [][]string{{"ignore", "default", "restart"}}, Block: true},
	{Name: "sigwait", Example: "let s = sigwait USR1 USR2 timeout=1s", Errors: "EAGAIN (no signal within timeout=), EINTR (a trapped signal's block ran)", Group: GProc, Usage: "sigwait SIGNAL... [timeout=DUR]", Summary: "wait for one of the signals; value: a record (signal, value, from)",
		Params: []Param{{Name: "SIGNAL", Kind: PSignal, Variadic: true}}, Opts: []string{"timeout"}, Value: true},
	{Name: "popen", Example: "popen out \"ls -1 /\" read", Errors: "ENOENT (no /bin/sh)", Group: GProc, Usage: "popen NAME COMMAND read|write", Summary: "run /bin/sh -c COMMAND with a pipe to or from it; NAME is an fd",
		Params: []Param{named("NAME"), p("COMMAND")}, OneOf: [][]string{{"read", "write"}}},
	{Name: "pclose", Example: "let status = pclose out", Group: GProc, Usage: "pclose NAME", Summary: "close a popen pipe and wait; value: exit status", Params: []Param{p("NAME")}, Value: true},

	{Name: "pipe", Example: "pipe p nonblock", Errors: "EMFILE (too many open fds)", Group: GPipe, Usage: "pipe NAME [nonblock]", Summary: "make a pipe: NAME.r and NAME.w", Params: []Param{named("NAME")}, Flags: []string{"nonblock"}},
	{Name: "write", Example: "write p.w \"hello\\n\"", Errors: "EPIPE (no reader), EAGAIN (nonblock and full), EBADF (closed)", Group: GPipe, Usage: "write FD EXPR", Summary: "one write(2); value: bytes written", Params: []Param{p("FD"), p("EXPR")}, Value: true},
	{Name: "read", Example: "let line = read p.r line", Errors: "EAGAIN (nonblock and empty), EBADF (closed); at end of file the value is \"\" and the transcript shows EOF", Group: GPipe, Usage: "read FD [N | all | line]", Summary: "one read(2) of up to N bytes (default 4096); all: to EOF; line: to a newline",
		Params: []Param{p("FD"), opt("N")}, Flags: []string{"all", "line"}, Exclusive: [][]string{{"all", "line", "N"}}, Value: true},
	{Name: "close", Example: "close p.w", Errors: "EBADF (already closed: the error says where)", Group: GPipe, Usage: "close FD", Summary: "close a file descriptor", Params: []Param{p("FD")}},
	{Name: "seek", Example: "seek f 0", Errors: "ESPIPE (a pipe or FIFO has no position)", Group: GPipe, Usage: "seek FD OFFSET", Summary: "lseek(2) from the start; value: the new offset (a pipe gives ESPIPE)", Params: []Param{p("FD"), p("OFFSET")}, Value: true},
	{Name: "pipesize", Example: "pipesize p.w 4096", Errors: "EPERM (above /proc/sys/fs/pipe-max-size), EBUSY (smaller than what the pipe holds)", Group: GPipe, Usage: "pipesize FD [N]", Summary: "get or set a pipe's capacity (F_GETPIPE_SZ / F_SETPIPE_SZ)", Params: []Param{p("FD"), opt("N")}, Value: true},
	{Name: "fds", Example: "fds", Group: GPipe, Usage: "fds", Summary: "list this process's open handles", Value: true},

	{Name: "mkfifo", Example: "mkfifo tmp + \"/fifo\" mode=0600", Errors: "EEXIST (the path exists), ENOENT (no such directory), EACCES", Group: GFifo, Usage: "mkfifo PATH [mode=0644]", Summary: "make a FIFO (named pipe)", Params: []Param{p("PATH")}, Opts: []string{"mode"}},
	{Name: "mknod", Example: "mknod tmp + \"/fifo\" fifo", Errors: "EEXIST, ENOENT, EACCES", Group: GFifo, Usage: "mknod PATH fifo [mode=0644]", Summary: "make a FIFO with mknod(2)", Params: []Param{p("PATH")}, OneOf: [][]string{{"fifo"}}, Opts: []string{"mode"}},
	{Name: "open", Example: "open w tmp + \"/fifo\" write nonblock", Errors: "ENOENT, EACCES, ENXIO (a FIFO opened for writing with nonblock and no reader), EISDIR", Group: GFifo, Usage: "open NAME PATH read|write|rdwr [nonblock] [create] [trunc] [append] [mode=0644]", Summary: "open a file or FIFO (a FIFO blocks until its other end opens)",
		Params: []Param{named("NAME"), p("PATH")}, OneOf: [][]string{{"read", "write", "rdwr"}}, Flags: []string{"nonblock", "create", "trunc", "append"}, Opts: []string{"mode"}},
	{Name: "unlink", Example: "unlink tmp + \"/fifo\"", Errors: "ENOENT, EACCES", Group: GFifo, Usage: "unlink PATH", Summary: "remove a file or FIFO", Params: []Param{p("PATH")}},
	{Name: "stat", Example: "let st = stat tmp + \"/fifo\"", Errors: "ENOENT", Group: GFifo, Usage: "stat PATH", Summary: "a path's type and mode; value: a record (.type, .mode, .size)", Params: []Param{p("PATH")}, Value: true},

	{Name: "msgget", Example: "msgget q key=0x1234 create mode=0600", Errors: "ENOENT (no queue with the key, and no create), EEXIST (create excl and the key is taken), EACCES (mode= asks for more than the queue allows), ENOSPC (msgmni reached)", Group: GMsg, Usage: "msgget NAME key=KEY|private [create] [excl] [keep] [mode=0600]", Summary: "open or create a message queue (id=: an existing one by its IPC id)",
		Params: []Param{named("NAME")}, Flags: ipcFlags, Opts: append(ipcOpts, "id"), Required: []string{"key"}, NotByID: notByID},
	{Name: "send", Example: "send q \"job 1\" type=2", Errors: "EAGAIN (nowait and the queue is full), EINVAL (type below 1, or over msgmax; prio= 32768 or more), EIDRM (removed while waiting), EMSGSIZE (longer than a POSIX queue's msgsize), ETIMEDOUT (a POSIX queue stayed full for timeout=)", Group: GMsg, Usage: "send Q EXPR [type=1] [nowait]", Summary: "msgsnd(2) a message; on a POSIX queue, mq_send with prio= and timeout=", Params: []Param{p("Q"), p("EXPR")}, Flags: []string{"nowait"}, Opts: []string{"type", "prio", "timeout"}},
	{Name: "recv", Example: "let m = recv q type=-5 timeout=1s", Errors: "ENOMSG (nowait and no message matches), E2BIG (longer than max=, without noerror), EINVAL (max= negative), EAGAIN (timeout; a POSIX queue: nowait and empty), EIDRM (removed while waiting), ETIMEDOUT (a POSIX queue stayed empty for timeout=)", Group: GMsg, Usage: "recv Q [type=0] [except] [noerror] [nowait] [max=8192] [timeout=DUR]", Summary: "msgrcv(2) a message (.type, .text); on a POSIX queue, mq_receive (.prio, .text)",
		Params: []Param{p("Q")}, Flags: []string{"except", "noerror", "nowait"}, Opts: []string{"type", "max", "timeout"}, Value: true},
	{Name: "msgctl", Example: "let st = msgctl q stat", Errors: "EINVAL (the queue is gone), EPERM (set qbytes above msgmnb without privilege)", Group: GMsg, Usage: "msgctl Q stat | rmid | set qbytes=N", Summary: "a queue's status, removal, or limit",
		Params: []Param{p("Q")}, OneOf: [][]string{{"stat", "rmid", "set"}}, Opts: []string{"qbytes"}, Value: true},

	{Name: "shmget", Example: "shmget seg key=private size=4KiB create", Errors: "ENOENT, EEXIST, EINVAL (size 0, over shmmax, or larger than an existing segment), EACCES, ENOSPC", Group: GShm, Usage: "shmget NAME key=KEY|private size=SIZE [create] [excl] [keep] [mode=0600]", Summary: "open or create a shared memory segment (id=: an existing one by its IPC id)",
		Params: []Param{named("NAME")}, Flags: ipcFlags, Opts: []string{"key", "size", "mode", "id"}, Required: []string{"key", "size"}, NotByID: notByID},
	{Name: "attach", Example: "attach a seg rdonly", Errors: "EINVAL (at= not page aligned without rnd, or taken), EACCES (mode), EIDRM", Group: GShm, Usage: "attach NAME SEG [rdonly] [at=ADDR] [rnd]", Summary: "shmat(2) a segment; NAME is a memory view",
		Params: []Param{named("NAME"), p("SEG")}, Flags: []string{"rdonly", "rnd"}, Opts: []string{"at"}},
	{Name: "detach", Example: "detach a", Errors: "EINVAL (already detached: the error says where)", Group: GShm, Usage: "detach NAME", Summary: "shmdt(2) an attachment", Params: []Param{p("NAME")}},
	{Name: "shmctl", Example: "shmctl seg rmid", Errors: "EINVAL (the segment is gone), EPERM (lock without CAP_IPC_LOCK), ENOMEM (beyond RLIMIT_MEMLOCK)", Group: GShm, Usage: "shmctl SEG stat | rmid | lock | unlock", Summary: "a segment's status, removal, or locking",
		Params: []Param{p("SEG")}, OneOf: [][]string{{"stat", "rmid", "lock", "unlock"}}, Value: true},

	{Name: "semget", Example: "semget s key=private nsems=2 init=1 create", Errors: "ENOENT, EEXIST, EINVAL (nsems 0 or over SEMMSL), ERANGE (init over 32767), EACCES, ENOSPC", Group: GSem, Usage: "semget NAME key=KEY|private [nsems=1] [init=V] [create] [excl] [keep] [mode=0600]", Summary: "open or create a semaphore set (id=: an existing one by its IPC id)",
		Params: []Param{named("NAME")}, Flags: ipcFlags, Opts: []string{"key", "nsems", "init", "mode", "id"}, Required: []string{"key"}, NotByID: notByID},
	{Name: "sem p", Example: "sem p s[1] undo", Errors: "EAGAIN (nowait, or timeout= passed), EIDRM (removed while waiting), EFBIG (index beyond nsems), ETIMEDOUT (a POSIX semaphore stayed 0 for timeout=)", Group: GSem, Usage: "sem p S[I] [undo] [nowait] [timeout=DUR]", Summary: "wait and decrement (on a POSIX semaphore: sem_wait)", Params: []Param{p("S")}, Flags: []string{"undo", "nowait"}, Opts: []string{"timeout"}},
	{Name: "sem v", Example: "sem v s[1]", Errors: "ERANGE (over 32767), EIDRM", Group: GSem, Usage: "sem v S[I] [undo]", Summary: "increment (on a POSIX semaphore: sem_post)", Params: []Param{p("S")}, Flags: []string{"undo"}},
	{Name: "sem z", Example: "sem z s timeout=1s", Errors: "EAGAIN (nowait, or timeout= passed), EIDRM", Group: GSem, Usage: "sem z S[I] [nowait] [timeout=DUR]", Summary: "wait for zero", Params: []Param{p("S")}, Flags: []string{"nowait"}, Opts: []string{"timeout"}},
	{Name: "sem op", Example: "sem op s 0:-1 1:1 undo", Errors: "EAGAIN, E2BIG (more operations than SEMOPM), EFBIG, ERANGE, EIDRM", Group: GSem, Usage: "sem op S I:DELTA ... [undo] [nowait] [timeout=DUR]", Summary: "one atomic semop(2) over several semaphores",
		Params: []Param{p("S"), {Name: "I:DELTA", Kind: PPair, Variadic: true}}, Flags: []string{"undo", "nowait"}, Opts: []string{"timeout"}},
	{Name: "sem set", Example: "sem set s[0] 1", Errors: "ERANGE (outside 0..32767), EINVAL (index beyond nsems)", Group: GSem, Usage: "sem set S[I] V", Summary: "set a semaphore's value", Params: []Param{p("S"), p("V")}},
	{Name: "sem setall", Example: "sem setall s 1 0", Errors: "ERANGE", Group: GSem, Usage: "sem setall S V...", Summary: "set every semaphore of a set", Params: []Param{p("S"), {Name: "V", Variadic: true}}},
	{Name: "sem get", Example: "let v = sem get s[0]", Errors: "EINVAL (index beyond nsems, or the set is gone)", Group: GSem, Usage: "sem get S[I]", Summary: "a semaphore's value (on a POSIX semaphore: sem_getvalue)", Params: []Param{p("S")}, Value: true},
	{Name: "sem getall", Example: "let vals = sem getall s", Errors: "EINVAL", Group: GSem, Usage: "sem getall S", Summary: "every value of a set", Params: []Param{p("S")}, Value: true},
	{Name: "sem getncnt", Example: "sem getncnt s[0]", Errors: "EINVAL", Group: GSem, Usage: "sem getncnt S[I]", Summary: "how many processes wait for an increase", Params: []Param{p("S")}, Value: true},
	{Name: "sem getzcnt", Example: "sem getzcnt s[0]", Errors: "EINVAL", Group: GSem, Usage: "sem getzcnt S[I]", Summary: "how many processes wait for zero", Params: []Param{p("S")}, Value: true},
	{Name: "sem getpid", Example: "sem getpid s[0]", Errors: "EINVAL", Group: GSem, Usage: "sem getpid S[I]", Summary: "the pid of the last process to operate on it", Params: []Param{p("S")}, Value: true},
	{Name: "semctl", Example: "semctl s rmid", Errors: "EINVAL (the set is gone), EPERM (not the owner)", Group: GSem, Usage: "semctl S stat | rmid", Summary: "a set's status, or removal", Params: []Param{p("S")}, OneOf: [][]string{{"stat", "rmid"}}, Value: true},
	{Name: "atomic", Example: "atomic a.i64[0] += 1", Errors: "EACCES (through a rdonly attachment or mapping)", Group: GShm, Usage: "atomic VIEW += EXPR", Summary: "a real atomic add on shared memory"},

	{Name: "mmap", Example: "mmap m tmp + \"/map\" size=4KiB create", Errors: "ENOENT (no file, and no create), EACCES, ENODEV (a file that cannot be mapped, such as a FIFO), EINVAL (size=0)", Group: GMmap, Usage: "mmap NAME PATH size=SIZE [shared|private] [create] [rdonly]", Summary: "map a file into memory (PATH may also be an fd, such as shmopen's); NAME is a memory view",
		Params: []Param{named("NAME"), p("PATH")}, Flags: []string{"shared", "private", "create", "rdonly"}, Exclusive: [][]string{{"shared", "private"}}, Opts: []string{"size"}, Required: []string{"size"}},
	{Name: "msync", Example: "msync m", Errors: "EINVAL (already unmapped)", Group: GMmap, Usage: "msync NAME", Summary: "flush a shared mapping to its file", Params: []Param{p("NAME")}},
	{Name: "munmap", Example: "munmap m", Errors: "EINVAL (already unmapped)", Group: GMmap, Usage: "munmap NAME", Summary: "unmap a mapping", Params: []Param{p("NAME")}},

	{Name: "mqopen", Example: "mqopen q \"/jobs\" create maxmsg=10 msgsize=256", Errors: "EINVAL (a name without a leading / or with another /, glibc's rule; maxmsg= or msgsize= above /proc/sys/fs/mqueue/msg_max or msgsize_max), ENOENT (no such queue, and no create), EEXIST (create excl and the queue exists), EACCES, EMFILE (too many fds, or RLIMIT_MSGQUEUE), ENOSPC (queues_max reached)", Group: GPmq, Usage: "mqopen NAME \"/qname\" [create] [excl] [keep] [maxmsg=N] [msgsize=N] [nonblock] [mode=0600]", Summary: "mq_open a POSIX message queue; NAME is a queue descriptor (an fd)",
		Params: []Param{named("NAME"), p("QNAME")}, Flags: []string{"create", "excl", "keep", "nonblock"}, Opts: []string{"maxmsg", "msgsize", "mode"}},
	{Name: "mqattr", Example: "let a = mqattr q", Errors: "EBADF (closed)", Group: GPmq, Usage: "mqattr Q", Summary: "mq_getattr: a record (maxmsg, msgsize, curmsgs, nonblock)", Params: []Param{p("Q")}, Value: true},
	{Name: "mqnotify", Example: "mqnotify q signal=SIGUSR1", Errors: "EBUSY (another process is registered)", Group: GPmq, Usage: "mqnotify Q [signal=SIGNAL | off]", Summary: "mq_notify with SIGEV_SIGNAL when a message arrives on the empty queue, or off to remove it",
		Params: []Param{p("Q")}, Flags: []string{"off"}, Opts: []string{"signal"}, Either: []string{"signal=", "off"}},
	{Name: "mqunlink", Example: "mqunlink \"/jobs\"", Errors: "ENOENT (no such queue), EACCES, EINVAL (a bad name)", Group: GPmq, Usage: "mqunlink \"/qname\"", Summary: "mq_unlink: remove a queue's name (open descriptors keep it)", Params: []Param{p("QNAME")}},

	{Name: "semopen", Example: "semopen s \"/lock\" create init=1", Errors: "EINVAL (a bad name, or init= above SEM_VALUE_MAX), ENOENT (no such semaphore, and no create), EEXIST (create excl), EACCES", Group: GPsem, Usage: "semopen NAME \"/sname\" [create] [excl] [keep] [init=V] [mode=0600]", Summary: "sem_open a named POSIX semaphore (/dev/shm/sem.NAME); sem p, sem v and sem get act on it",
		Params: []Param{named("NAME"), p("SNAME")}, Flags: []string{"create", "excl", "keep"}, Opts: []string{"init", "mode"}},
	{Name: "seminit", Example: "seminit s a[64:96] init=1", Errors: "EINVAL (the view is not 32 bytes, not 8-byte aligned, or not shared memory; init= above SEM_VALUE_MAX)", Group: GPsem, Usage: "seminit NAME VIEW [init=V]", Summary: "an unnamed process-shared sem_t in an attachment or shared mapping: with init=, sem_init(s, 1, V); without, the one set up there",
		Params: []Param{named("NAME"), p("VIEW")}, Opts: []string{"init"}},
	{Name: "semunlink", Example: "semunlink \"/lock\"", Errors: "ENOENT (no such semaphore, or a bad name), EACCES", Group: GPsem, Usage: "semunlink \"/sname\"", Summary: "sem_unlink: remove a semaphore's name", Params: []Param{p("SNAME")}},

	{Name: "shmopen", Example: "shmopen m \"/frame\" create size=4KiB", Errors: "EINVAL (a bad name), ENOENT (no such object, and no create), EEXIST (create excl), EACCES", Group: GPshm, Usage: "shmopen NAME \"/mname\" [create] [excl] [keep] [size=SIZE] [rdonly] [mode=0600]", Summary: "shm_open a POSIX shared memory object (and ftruncate it with size=); NAME is an fd for mmap",
		Params: []Param{named("NAME"), p("MNAME")}, Flags: []string{"create", "excl", "keep", "rdonly"}, Opts: []string{"size", "mode"}},
	{Name: "shmunlink", Example: "shmunlink \"/frame\"", Errors: "ENOENT (no such object, or a bad name), EACCES", Group: GPshm, Usage: "shmunlink \"/mname\"", Summary: "shm_unlink: remove the name (mappings keep the memory)", Params: []Param{p("MNAME")}},

	{Name: "ipcs", Example: "let objs = ipcs", Group: GIntro, Usage: "ipcs [all]", Summary: "SysV and POSIX objects of this run (all: of the system, /dev/mqueue and /dev/shm too)", Flags: []string{"all"}, Value: true},
	{Name: "ipcrm", Example: "ipcrm q", Errors: "EINVAL (already removed), EPERM (not the owner)", Group: GIntro, Usage: "ipcrm NAME", Summary: "remove a queue, segment or semaphore set now", Params: []Param{p("NAME")}},
}

var specByName = func() map[string]*Spec {
	m := make(map[string]*Spec, len(Specs))
	for _, s := range Specs {
		m[s.Name] = s
	}
	return m
}()

// Lookup finds a statement's spec by name ("read", "sem p").
func Lookup(name string) *Spec { return specByName[name] }

// SemSubs lists the words that may follow `sem`.
var SemSubs = func() []string {
	var out []string
	for _, s := range Specs {
		if strings.HasPrefix(s.Name, "sem ") {
			out = append(out, strings.TrimPrefix(s.Name, "sem "))
		}
	}
	return out
}()

// Keywords lists the words that can start a statement.
func Keywords() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range Specs {
		w, _, _ := strings.Cut(s.Name, " ")
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

// optionWords lists everything that may stand after a statement's
// positional arguments, for "did you mean" suggestions.
func (s *Spec) optionWords() []string {
	var out []string
	out = append(out, s.Flags...)
	for _, g := range s.OneOf {
		out = append(out, g...)
	}
	return out
}

// isFlag says whether word is a bare-word option of s.
func (s *Spec) isFlag(word string) bool {
	for _, w := range s.optionWords() {
		if w == word {
			return true
		}
	}
	return false
}

func (s *Spec) hasOpt(name string) bool {
	for _, o := range s.Opts {
		if o == name {
			return true
		}
	}
	return false
}

// nearest returns the candidate closest to word by edit distance, if it is
// close enough to be a plausible typo.
func nearest(word string, candidates []string) string {
	// editDistance costs len(word)*len(c): a pasted megabyte-long name
	// would take seconds and gigabytes, and is nobody's typo.
	if len(word) > 64 {
		return ""
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(word, c)
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := 2
	if len(word) <= 3 {
		limit = 1
	}
	// Replacing every letter of a short word is no typo: "x" is not "p".
	if bestD <= limit && bestD < len(word) || strings.HasPrefix(best, word) || strings.HasPrefix(word, best) {
		return best
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours ("raed" is one slip
// from "read").
func editDistance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			rows[i][j] = min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				rows[i][j] = min(rows[i][j], rows[i-2][j-2]+1)
			}
		}
	}
	return rows[len(a)][len(b)]
}

// Nearest is the candidate closest to word, when it is a plausible typo
// of it, or "" (for names the interpreter checks: signals).
func Nearest(word string, candidates []string) string { return nearest(word, candidates) }
