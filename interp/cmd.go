package interp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"ipcsh/ipc"
	"ipcsh/lang"
)

// A command is a compiled generic statement (`read p.r 10`): its arguments
// in source order, a buffer for their values that is reused on every run
// (a statement never runs inside itself), and the function that runs it.
type command struct {
	verb string // "read", "sem p"
	pos  lang.Pos
	args []cmdArg
	vals []Value
	// params indexes args: the positional parameters in order.
	params []int
	flags  map[string]bool
	run    execFn
	// expect: a comparison is evaluated side by side, to show both.
	cmpL, cmpR exprFn
	cmpOp      string
	src        string
	block      []stmtFn // trap's block
	// ownBuf: a `read` whose value may live in siteBuf (ownedread.go).
	ownBuf  bool
	siteBuf []byte
	// discard: the statement stands alone, so nothing reads its value;
	// a receive that emits nothing need not build one.
	discard bool
	// blocked: what blockedText made last, and for which object.
	blocked struct {
		obj  any
		text string
	}
}

type execFn func(p *Proc, c *command) (Value, error)

type argKind uint8

const (
	aParam argKind = iota // an expression
	aName                 // a name the statement binds
	aFlag                 // a bare-word option
	aOpt                  // word=expr
	aPair                 // I:DELTA
	aWord                 // a signal given as a bare word
)

type cmdArg struct {
	kind  argKind
	name  string // the flag, option or bound name; a signal word
	slot  int    // aName: where the statement binds its handle
	eval  exprFn
	eval2 exprFn // aPair: the delta
	val2  Value
	// src: id= as written. An IPC id is shown only under -v (LANGUAGE.md
	// §4), so without it the transcript shows the expression instead.
	src string
}

// executors maps a statement to its implementation; statements of later
// issues are absent and report that they are not available yet.
var executors map[string]execFn

func init() {
	executors = map[string]execFn{
		"print": execPrint, "expect": execExpect, "sleep": execSleep, "exit": execExit,
		"break": execBreak, "continue": execContinue,
		"pipe": execPipe, "write": execWrite, "read": execRead, "close": execClose,
		"seek": execSeek, "pipesize": execPipesize, "fds": execFds,
		"mkfifo": execMkfifo, "mknod": execMknod, "open": execOpen, "unlink": execUnlink, "stat": execStat,
		"wait": execWait, "kill": execKill, "popen": execPopen, "pclose": execPclose,
		"msgget": execMsgget, "send": execSend, "recv": execRecv, "msgctl": execMsgctl,
		"shmget": execShmget, "attach": execAttach, "detach": execDetach, "shmctl": execShmctl,
		"semget": execSemget, "semctl": execSemctl,
		"sem p": execSemOp, "sem v": execSemOp, "sem z": execSemOp, "sem op": execSemOp,
		"sem set": execSemCtl, "sem setall": execSemCtl, "sem get": execSemCtl, "sem getall": execSemCtl,
		"sem getncnt": execSemCtl, "sem getzcnt": execSemCtl, "sem getpid": execSemCtl,
		"mmap": execMmap, "msync": execMsync, "munmap": execMunmap,
		"ipcs": execIpcs, "ipcrm": execIpcrm,
		"mqopen": execMqopen, "mqattr": execMqattr, "mqnotify": execMqnotify, "mqunlink": unlinkStatement(kMq, ipc.MqUnlink),
		"semopen": execSemopen, "seminit": execSeminit, "semunlink": unlinkStatement(kPsem, ipc.SemUnlink),
		"shmopen": execShmopen, "shmunlink": unlinkStatement(kPshm, ipc.ShmUnlink),
		"trap": execTrap, "sigwait": execSigwait,
	}
}

func (c *compiler) command(lc *lang.Command) *command {
	spec := lc.Spec
	cmd := &command{verb: spec.Name, pos: lc.Pos, flags: map[string]bool{}, src: c.source(lc.Pos, lc.EndPos)}
	switch spec.Name {
	case "break", "continue":
		if c.loops == 0 {
			c.errorf(lc.Pos, "%s outside a loop", spec.Name)
			return nil
		}
	}
	isParam := map[*lang.Arg]int{}
	for i, a := range lc.Params {
		isParam[a] = i
	}
	args := append(lc.Args[:len(lc.Args):len(lc.Args)], lc.After...)
	if lc.Block != nil {
		c.syms.define("sig") // the trap's record, bound when the block runs
		cmd.block = c.block(lc.Block)
	}
	if lc.Sub != "" {
		args = args[1:]
	}
	for _, a := range args {
		switch i, ok := isParam[a]; {
		case a.Opt != nil && a.Opt.Name == "key" && isPrivate(a.Opt.Value):
			// key=private is IPC_PRIVATE, which is key 0.
			cmd.args = append(cmd.args, cmdArg{kind: aOpt, name: "key", eval: constant(intV(0))})
		case a.Opt != nil && a.Opt.Name == "signal" && isWordExpr(a.Opt.Value):
			// mqnotify's signal=SIGUSR1 is a word, as kill's signal is.
			word, _ := lang.IdentOf(a.Opt.Value)
			cmd.args = append(cmd.args, cmdArg{kind: aOpt, name: "signal", eval: constant(strV(word))})
		case a.Opt != nil:
			cmd.args = append(cmd.args, cmdArg{kind: aOpt, name: a.Opt.Name, eval: c.expr(a.Opt.Value)})
			if a.Opt.Name == "id" {
				cmd.args[len(cmd.args)-1].src = c.source(a.Opt.Value.Span())
			}
		case ok:
			param := spec.Params[min(i, len(spec.Params)-1)]
			word, isWord := lang.IdentOf(a.Expr)
			switch {
			case param.Kind == lang.PName:
				cmd.args = append(cmd.args, cmdArg{kind: aName, name: word, slot: c.slot(word)})
			case param.Kind == lang.PSignal && !isWord && rtSignalWord(a.Expr) != "":
				cmd.args = append(cmd.args, cmdArg{kind: aWord, name: rtSignalWord(a.Expr)})
			case param.Kind == lang.PSignal && isWord:
				cmd.args = append(cmd.args, cmdArg{kind: aWord, name: word})
			case param.Kind == lang.PPair:
				cmd.args = append(cmd.args, cmdArg{kind: aPair, eval: c.expr(a.Expr), eval2: c.expr(a.Pair)})
			case spec.Name == "kill" && i == 0 && isWord:
				cmd.args = append(cmd.args, cmdArg{kind: aParam, eval: c.killTarget(word, a.Expr)})
			default:
				cmd.args = append(cmd.args, cmdArg{kind: aParam, eval: c.expr(a.Expr)})
			}
			cmd.params = append(cmd.params, len(cmd.args)-1)
		default:
			word, _ := lang.IdentOf(a.Expr)
			cmd.args = append(cmd.args, cmdArg{kind: aFlag, name: word})
			cmd.flags[word] = true
		}
	}
	if fdFirst[spec.Name] {
		c.staticFd(cmd, lc.Params[0].Expr)
	}
	if spec.Name == "seminit" && len(cmd.params) > 1 {
		c.seminitView(cmd, lc.Params[1].Expr)
	}
	if spec.Name == "kill" && len(cmd.params) == 1 {
		// The transcript names the signal that was sent, default or not.
		cmd.args = append(cmd.args, cmdArg{kind: aWord, name: "SIGTERM"})
	}
	cmd.vals = make([]Value, len(cmd.args))
	if spec.Name == "expect" {
		e := lc.Params[0].Expr
		cmd.src = c.source(e.Span())
		if n, ok := e.(*lang.BinaryExpr); ok && isComparison(n.Op) {
			cmd.cmpL, cmd.cmpR, cmd.cmpOp = c.expr(n.X), c.expr(n.Y), n.Op
			cmd.args[cmd.params[0]].eval = nil
		}
	}
	cmd.run = executors[spec.Name]
	if cmd.run == nil {
		name := spec.Name
		cmd.run = func(p *Proc, c *command) (Value, error) {
			return Value{}, errorf(c.pos, "%s is not available yet", name)
		}
	}
	return cmd
}

// fdFirst lists the statements whose first argument must be an open fd
// (their executors take it with command.fd).
var fdFirst = map[string]bool{"write": true, "read": true, "close": true, "seek": true, "pipesize": true}

// staticFd refuses, before anything runs, a first argument that cannot be
// an fd whatever happens: a literal, or a name that only a pipe is bound
// to. The messages are those command.fd gives at run time.
func (c *compiler) staticFd(cmd *command, e lang.Expr) {
	switch e := e.(type) {
	case *lang.Literal:
		c.errorf(cmd.pos, "%s: expected an fd, found %s", cmd.verb, c.literal(e).typeName())
	case *lang.Ident:
		if c.staticPipe(e.Name) && !c.unsure.Bound(e.Name) {
			c.errorf(cmd.pos, "%s: %s is a pipe: use %s.r or %s.w", cmd.verb, e.Name, e.Name, e.Name)
		}
	}
}

func isWordExpr(e lang.Expr) bool {
	_, ok := lang.IdentOf(e)
	return ok
}

func isPrivate(e lang.Expr) bool {
	name, ok := lang.IdentOf(e)
	return ok && name == "private"
}

// eval evaluates every argument into c.vals.
func (c *command) eval(p *Proc) error {
	for i := range c.args {
		a := &c.args[i]
		if a.eval == nil {
			continue
		}
		v, err := a.eval(p)
		if err != nil {
			return err
		}
		c.vals[i] = v
		if a.eval2 != nil {
			if a.val2, err = a.eval2(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *command) nparams() int { return len(c.params) }

// param is the value of positional parameter i.
func (c *command) param(i int) Value { return c.vals[c.params[i]] }

// opt returns an option's value, if given.
func (c *command) opt(name string) (Value, bool) {
	for i := range c.args {
		if c.args[i].kind == aOpt && c.args[i].name == name {
			return c.vals[i], true
		}
	}
	return Value{}, false
}

// optInt returns an int option, or def when absent.
func (c *command) optInt(name string, def int64) (int64, error) {
	v, ok := c.opt(name)
	if !ok {
		return def, nil
	}
	if v.K != KInt {
		return 0, errorf(c.pos, "%s: %s= expects an int, found %s", c.verb, name, v.typeName())
	}
	return v.I, nil
}

// tmpShown is s with the run's tmp directory as $TMP, unless -v. The
// printer does that for whole lines; a string is replaced before it is
// shortened to maxShown bytes, or a long TMPDIR would be cut in half.
func (p *Proc) tmpShown(s string) string {
	if p.run.cfg.Verbose {
		return s
	}
	if tmp := p.run.tmpPath(); tmp != "" && strings.Contains(s, tmp) {
		return strings.ReplaceAll(s, tmp, "$TMP")
	}
	return s
}

// text renders the statement with its arguments evaluated, as the
// transcript shows it.
func (c *command) text(p *Proc) string {
	verbose := p.run.cfg.Verbose
	show := func(v Value) string {
		if v.K == KStr {
			v.S = p.tmpShown(v.S)
		}
		return v.quote(verbose)
	}
	var b strings.Builder
	b.WriteString(c.verb)
	for i, a := range c.args {
		b.WriteByte(' ')
		switch a.kind {
		case aName, aFlag, aWord:
			b.WriteString(a.name)
		case aOpt:
			b.WriteString(a.name)
			b.WriteByte('=')
			if a.src != "" && !verbose {
				b.WriteString(a.src)
				continue
			}
			b.WriteString(renderOpt(a.name, c.vals[i], verbose))
		case aPair:
			b.WriteString(show(c.vals[i]))
			b.WriteByte(':')
			b.WriteString(show(a.val2))
		default:
			b.WriteString(show(c.vals[i]))
		}
	}
	return b.String()
}

// renderOpt shows modes in octal and keys in hex, as people write them.
func renderOpt(name string, v Value, verbose bool) string {
	if v.K == KInt {
		switch name {
		case "mode":
			return modeText(v.I)
		case "key":
			if v.I == 0 {
				return "private"
			}
			return "0x" + strconv.FormatUint(uint64(uint32(v.I)), 16)
		case "timeout":
			return formatDuration(v.I)
		}
	}
	if v.K == KStr && name == "signal" {
		return v.S
	}
	return v.quote(verbose)
}

// formatDuration writes nanoseconds in the largest unit that divides them
// (zero as the script most likely wrote it: 0s).
func formatDuration(ns int64) string {
	if ns == 0 {
		return "0s"
	}
	units := []struct {
		name string
		n    int64
	}{{"h", 3600e9}, {"m", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}}
	for _, u := range units {
		if ns%u.n == 0 {
			return strconv.FormatInt(ns/u.n, 10) + u.name
		}
	}
	return strconv.FormatInt(ns, 10) + "ns"
}

// publish prints the line of a statement that publishes, before its call.
func (p *Proc) publish(c *command) {
	if p.emitting() {
		p.ev.verb = c.verb
		p.emit(EvCall, PhasePublish, c.pos, c.text(p), "")
	}
}

// done prints the line of a statement after its call, with its result.
func (p *Proc) done(c *command, phase Phase, result string) {
	if p.emitting() {
		p.ev.verb = c.verb
		p.emit(EvCall, phase, c.pos, c.text(p), result)
	}
}

// fail reports a failed system call: a transcript line with the error,
// shown even under quiet, and the error to return.
func (p *Proc) fail(c *command, phase Phase, err error, explain string) error {
	text := c.text(p)
	e := sysErr(c.pos, text, err, explain)
	if phase == PhasePublish {
		phase = PhaseRepeat
	}
	p.ev.verb, p.ev.err = c.verb, true
	p.emit(EvCall, phase, c.pos, text, errResult(e))
	e.shown = true
	return e
}

func errResult(e *Error) string {
	if e.Errno == 0 {
		return "error: " + e.Msg
	}
	return "error " + e.Name() + " (" + e.Errno.Error() + ")"
}

// sysErr wraps a system call's error with its statement and position.
func sysErr(pos lang.Pos, stmt string, err error, explain string) *Error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return &Error{Pos: pos, Stmt: stmt, Errno: errno, Msg: explain}
	}
	return &Error{Pos: pos, Stmt: stmt, Msg: fmt.Sprintf("%s: %v", stmt, err)}
}

// flagBit maps a bare-word option to the bits it sets in a system call.
type flagBit struct {
	word string
	bit  int
}

var (
	openFlags = []flagBit{{"nonblock", unix.O_NONBLOCK}, {"create", unix.O_CREAT}, {"trunc", unix.O_TRUNC}, {"append", unix.O_APPEND}}
	recvFlags = []flagBit{{"nowait", unix.IPC_NOWAIT}, {"except", ipc.MSG_EXCEPT}, {"noerror", ipc.MSG_NOERROR}}
)

// flagBits ORs the bits of the flags the statement has.
func (c *command) flagBits(table []flagBit) int {
	bits := 0
	for _, f := range table {
		if c.flags[f.word] {
			bits |= f.bit
		}
	}
	return bits
}
