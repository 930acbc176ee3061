package lang

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// The tables below state the AST as a compact text, rendered by show: a
// statement kind, then the fields that matter. Expressions are fully
// parenthesised, so a table also states precedence and associativity.

func show(s *Stmt) string {
	switch {
	case s.If != nil:
		return showIf(s.If)
	case s.For != nil:
		return fmt.Sprintf("for %s in %s..%s %s", s.For.Var, showExpr(s.For.From), showExpr(s.For.To), showBlock(s.For.Body))
	case s.While != nil:
		return fmt.Sprintf("while %s %s", showExpr(s.While.Cond), showBlock(s.While.Body))
	case s.Repeat != nil:
		return fmt.Sprintf("repeat %s %s", showExpr(s.Repeat.Count), showBlock(s.Repeat.Body))
	case s.Let != nil:
		return fmt.Sprintf("let %s = %s", s.Let.Name, showValue(s.Let.Value))
	case s.Try != nil:
		return "try " + showWrap(s.Try)
	case s.Quiet != nil:
		return "quiet " + showWrap(s.Quiet)
	case s.Atomic != nil:
		return fmt.Sprintf("atomic %s %s %s", showExpr(s.Atomic.Target), s.Atomic.Op, showExpr(s.Atomic.Value))
	case s.Spawn != nil:
		return showSpawn(s.Spawn)
	case s.Assign != nil:
		return fmt.Sprintf("assign %s %s %s", showExpr(s.Assign.Target), s.Assign.Op, showValue(s.Assign.Value))
	case s.Cmd != nil:
		return showCmd(s.Cmd)
	}
	return "EMPTY"
}

func showIf(n *If) string {
	out := fmt.Sprintf("if %s %s", showExpr(n.Cond), showBlock(n.Then))
	switch {
	case n.ElseIf != nil:
		out += " else " + showIf(n.ElseIf)
	case n.Else != nil:
		out += " else " + showBlock(n.Else)
	}
	return out
}

func showBlock(b *Block) string {
	if b == nil {
		return "NOBLOCK"
	}
	var parts []string
	for _, s := range b.Stmts {
		parts = append(parts, show(s))
	}
	return "{" + strings.Join(parts, "; ") + "}"
}

func showWrap(w *Wrap) string {
	if w.Block != nil {
		return showBlock(w.Block)
	}
	return show(w.Stmt)
}

func showSpawn(s *Spawn) string {
	name := s.Name
	if s.Index != nil {
		name += "[" + showExpr(s.Index) + "]"
	}
	if s.Body != nil {
		return fmt.Sprintf("spawn %s %s", name, showBlock(s.Body))
	}
	var words []string
	for _, w := range s.Exec {
		switch {
		case w.Raw != nil:
			words = append(words, "word:"+*w.Raw)
		case w.Str != nil:
			words = append(words, "str:"+*w.Str)
		default:
			words = append(words, "expr:"+showExpr(w.Expr))
		}
	}
	var opts []string
	for _, o := range s.Opts {
		opts = append(opts, o.Name+"="+showExpr(o.Value))
	}
	return fmt.Sprintf("spawn %s exec [%s] opts[%s]", name, strings.Join(words, " "), strings.Join(opts, " "))
}

// showValue marks a statement on the right of let/= with "cmd", so the
// table says which of the two the checker made of it.
func showValue(v *Value) string {
	if v.Cmd != nil {
		return showCmd(v.Cmd)
	}
	return showExpr(v.Head)
}

// showCmd renders what the checker filled in: the statement table's entry,
// the sub-command, the positional parameters in order, the bare-word
// flags and the word=expr options (both sorted), and a block if any.
func showCmd(c *Command) string {
	name := "?" + c.Verb
	if c.Spec != nil {
		name = c.Spec.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cmd(%s", name)
	if c.Sub != "" {
		fmt.Fprintf(&b, " sub=%s", c.Sub)
	}
	var params []string
	for _, a := range c.Params {
		p := showExpr(a.Expr)
		if a.Pair != nil {
			p += ":" + showExpr(a.Pair)
		}
		params = append(params, p)
	}
	fmt.Fprintf(&b, " [%s]", strings.Join(params, " "))
	var flags []string
	for f := range c.Flags {
		flags = append(flags, f)
	}
	sort.Strings(flags)
	if len(flags) > 0 {
		fmt.Fprintf(&b, " flags=%s", strings.Join(flags, ","))
	}
	var opts []string
	for k, o := range c.Opts {
		opts = append(opts, k+"="+showExpr(o.Value))
	}
	sort.Strings(opts)
	if len(opts) > 0 {
		fmt.Fprintf(&b, " opts=%s", strings.Join(opts, ","))
	}
	if c.Block != nil {
		b.WriteString(" " + showBlock(c.Block))
	}
	b.WriteString(")")
	return b.String()
}

func showExpr(e Expr) string {
	switch e := e.(type) {
	case *BinaryExpr:
		return fmt.Sprintf("(%s %s %s)", showExpr(e.X), e.Op, showExpr(e.Y))
	case *UnaryExpr:
		return fmt.Sprintf("(%s%s)", e.Op, showExpr(e.X))
	case *DotExpr:
		return showExpr(e.X) + "." + e.Name
	case *SliceExpr:
		lo, hi := "", ""
		if e.Lo != nil {
			lo = showExpr(e.Lo)
		}
		if e.Hi != nil {
			hi = showExpr(e.Hi)
		}
		return showExpr(e.X) + "[" + lo + ":" + hi + "]"
	case *IndexExpr:
		return showExpr(e.X) + "[" + showExpr(e.Index) + "]"
	case *CallExpr:
		var args []string
		for _, a := range e.Args {
			args = append(args, showExpr(a))
		}
		return showExpr(e.Fn) + "(" + strings.Join(args, ", ") + ")"
	case *Literal:
		switch e.Kind {
		case LitInt:
			return "int:" + e.Raw
		case LitSize:
			return "size:" + e.Raw
		case LitDuration:
			return "dur:" + e.Raw
		case LitBool:
			return "bool:" + e.Raw
		}
		return e.Raw
	case *Ident:
		return e.Name
	case *ParenExpr:
		return "paren(" + showExpr(e.X) + ")"
	case nil:
		return "NIL"
	}
	return "EMPTY"
}

// startOf is where an expression's text starts.
func startOf(e Expr) Pos {
	p, _ := e.Span()
	return p
}

func mustParse(t *testing.T, src string) *Program {
	t.Helper()
	prog, err := Parse("t.ipc", src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	checkPositions(t, prog)
	return prog
}

func TestParseStatements(t *testing.T) {
	tests := []struct{ src, want string }{
		// §3 Variables and control.
		{"let x = 1", "let x = int:1"},
		{"x = 1", "assign x = int:1"},
		{"x += 2", "assign x += int:2"},
		{"x -= 2", "assign x -= int:2"},
		{"a.i64[0] = a.i64[0] + 1", "assign a.i64[int:0] = (a.i64[int:0] + int:1)"},
		{"a.i64[0] += 1", "assign a.i64[int:0] += int:1"},
		{`a[0:5] = "hello"`, `assign a[int:0:int:5] = "hello"`},
		{"if x { print 1 }", "if x {cmd(print [int:1])}"},
		{"if x { } else { print 2 }", "if x {} else {cmd(print [int:2])}"},
		{"if a { } else if b { } else if c { } else { }", "if a {} else if b {} else if c {} else {}"},
		{"repeat 3 { sem p s; sem v s }", "repeat int:3 {cmd(sem p sub=p [s]); cmd(sem v sub=v [s])}"},
		{"for i in 1..10 { }", "for i in int:1..int:10 {}"},
		{"for i in n-1..n+1 { }", "for i in (n - int:1)..(n + int:1) {}"},
		{"while true { break }", "while bool:true {cmd(break [])}"},
		{"while x < 3 { continue }", "while (x < int:3) {cmd(continue [])}"},
		{`print "a", 1, x`, `cmd(print ["a" int:1 x])`},
		{"print", "cmd(print [])"},
		{`expect x == 1`, `cmd(expect [(x == int:1)])`},
		{`expect x == 1, "why"`, `cmd(expect [(x == int:1) "why"])`},
		{"try seek p.r 0", "try cmd(seek [p.r int:0])"},
		{"try { close p.w }", "try {cmd(close [p.w])}"},
		{"try try close p.w", "try try cmd(close [p.w])"},
		{"quiet write p.w 1", "quiet cmd(write [p.w int:1])"},
		{"quiet { try { close x } }", "quiet {try {cmd(close [x])}}"},
		{"sleep 10ms", "cmd(sleep [dur:10ms])"},
		{"exit", "cmd(exit [])"},
		{"exit 1 + 2", "cmd(exit [(int:1 + int:2)])"},

		// Processes.
		{"spawn child { exit 3 }", "spawn child {cmd(exit [int:3])}"},
		{"spawn l exec ls -l /tmp", "spawn l exec [word:ls word:-l word:/tmp] opts[]"},
		{`spawn e exec echo "a b" (n + 1) stdout=p.w stderr=p.w`,
			`spawn e exec [word:echo str:"a b" expr:(n + int:1)] opts[stdout=p.w stderr=p.w]`},
		{"spawn c exec cat stdin=p.r", "spawn c exec [word:cat] opts[stdin=p.r]"},
		{"wait", "cmd(wait [])"},
		{"wait child", "cmd(wait [child])"},
		{"kill child", "cmd(kill [child])"},
		{"kill child SIGKILL", "cmd(kill [child SIGKILL])"},
		{"kill child 9", "cmd(kill [child int:9])"},
		{`popen ls "ls -l" read`, `cmd(popen [ls "ls -l"] flags=read)`},
		{"pclose ls", "cmd(pclose [ls])"},

		// Pipes and file descriptors.
		{"pipe p", "cmd(pipe [p])"},
		{"pipe p nonblock", "cmd(pipe [p] flags=nonblock)"},
		{`write p.w "hi\n"`, `cmd(write [p.w "hi\n"])`},
		{"read p.r", "cmd(read [p.r])"},
		{"read p.r 10", "cmd(read [p.r int:10])"},
		{"read p.r all", "cmd(read [p.r] flags=all)"},
		{"read p.r line", "cmd(read [p.r] flags=line)"},
		{"read p.r n * 2", "cmd(read [p.r (n * int:2)])"},
		{"close p.w", "cmd(close [p.w])"},
		{"seek f 4", "cmd(seek [f int:4])"},
		{"pipesize p.w", "cmd(pipesize [p.w])"},
		{"pipesize p.w 4096", "cmd(pipesize [p.w int:4096])"},
		{"fds", "cmd(fds [])"},

		// FIFOs and files.
		{"mkfifo path", "cmd(mkfifo [path])"},
		{"mkfifo tmp + \"/f\" mode=0600", `cmd(mkfifo [(tmp + "/f")] opts=mode=int:0600)`},
		{"mknod path fifo mode=0644", "cmd(mknod [path] flags=fifo opts=mode=int:0644)"},
		{`open f "x" rdwr create trunc append nonblock mode=0644`, `cmd(open [f "x"] flags=append,create,nonblock,rdwr,trunc opts=mode=int:0644)`},
		{`open w path write`, `cmd(open [w path] flags=write)`},
		{"unlink path", "cmd(unlink [path])"},
		{"stat path", "cmd(stat [path])"},

		// SysV message queues.
		{"msgget q key=private create", "cmd(msgget [q] flags=create opts=key=private)"},
		{"msgget q key=0x1234 create excl keep mode=0600", "cmd(msgget [q] flags=create,excl,keep opts=key=int:0x1234,mode=int:0600)"},
		{`msgget q key=ftok("/tmp", 1)`, `cmd(msgget [q] opts=key=ftok("/tmp", int:1))`},
		{`send q "hi" type=2 nowait`, `cmd(send [q "hi"] flags=nowait opts=type=int:2)`},
		{"recv q", "cmd(recv [q])"},
		{"recv q type=-3 except noerror nowait max=100 timeout=2s", "cmd(recv [q] flags=except,noerror,nowait opts=max=int:100,timeout=dur:2s,type=(-int:3))"},
		{"msgctl q stat", "cmd(msgctl [q] flags=stat)"},
		{"msgctl q rmid", "cmd(msgctl [q] flags=rmid)"},
		{"msgctl q set qbytes=100", "cmd(msgctl [q] flags=set opts=qbytes=int:100)"},

		// SysV shared memory.
		{"shmget seg key=private size=4KiB create", "cmd(shmget [seg] flags=create opts=key=private,size=size:4KiB)"},
		{"attach a seg", "cmd(attach [a seg])"},
		{"attach a seg rdonly rnd at=0x7f0000000000", "cmd(attach [a seg] flags=rdonly,rnd opts=at=int:0x7f0000000000)"},
		{"detach a", "cmd(detach [a])"},
		{"shmctl seg stat", "cmd(shmctl [seg] flags=stat)"},
		{"shmctl seg lock", "cmd(shmctl [seg] flags=lock)"},
		{"atomic a.i64[0] += 1", "atomic a.i64[int:0] += int:1"},

		// SysV semaphores.
		{"semget s key=private nsems=2 init=1 create", "cmd(semget [s] flags=create opts=init=int:1,key=private,nsems=int:2)"},
		{"sem p s", "cmd(sem p sub=p [s])"},
		{"sem p s[1] undo nowait timeout=10ms", "cmd(sem p sub=p [s[int:1]] flags=nowait,undo opts=timeout=dur:10ms)"},
		{"sem v s[1] undo", "cmd(sem v sub=v [s[int:1]] flags=undo)"},
		{"sem z s nowait", "cmd(sem z sub=z [s] flags=nowait)"},
		{"sem op s 0:-1 1:+1 undo", "cmd(sem op sub=op [s int:0:(-int:1) int:1:(+int:1)] flags=undo)"},
		{"sem set s[0] 5", "cmd(sem set sub=set [s[int:0] int:5])"},
		{"sem setall s 1 2 3", "cmd(sem setall sub=setall [s int:1 int:2 int:3])"},
		{"sem get s[1]", "cmd(sem get sub=get [s[int:1]])"},
		{"sem getall s", "cmd(sem getall sub=getall [s])"},
		{"sem getncnt s", "cmd(sem getncnt sub=getncnt [s])"},
		{"sem getzcnt s", "cmd(sem getzcnt sub=getzcnt [s])"},
		{"sem getpid s", "cmd(sem getpid sub=getpid [s])"},
		{"semctl s stat", "cmd(semctl [s] flags=stat)"},
		{"semctl s rmid", "cmd(semctl [s] flags=rmid)"},

		// Memory-mapped files, introspection.
		{`mmap m "f" size=1MiB shared create`, `cmd(mmap [m "f"] flags=create,shared opts=size=size:1MiB)`},
		{`mmap m "f" size=4KiB private rdonly`, `cmd(mmap [m "f"] flags=private,rdonly opts=size=size:4KiB)`},
		{"msync m", "cmd(msync [m])"},
		{"munmap m", "cmd(munmap [m])"},
		{"ipcs", "cmd(ipcs [])"},
		{"ipcs all", "cmd(ipcs [] flags=all)"},
		{"ipcrm q", "cmd(ipcrm [q])"},

		// Statements with a value, on the right of let and =.
		{"let m = recv q", "let m = cmd(recv [q])"},
		{"x = read p.r 10", "assign x = cmd(read [p.r int:10])"},
		{"n += write p.w chunk", "assign n += cmd(write [p.w chunk])"},
		{"let v = sem get s[1]", "let v = cmd(sem get sub=get [s[int:1]])"},
		{"let st = wait", "let st = cmd(wait [])"},
		{"let all = fds", "let all = cmd(fds [])"},
		// A name that is no statement stays an expression.
		{"let y = x", "let y = x"},
		{"let y = (read)", "let y = paren(read)"},
	}
	for _, tt := range tests {
		prog := mustParse(t, tt.src)
		if len(prog.Stmts) != 1 {
			t.Errorf("Parse(%q): %d statements, want 1", tt.src, len(prog.Stmts))
			continue
		}
		if got := show(prog.Stmts[0]); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// checkPositions fails t unless every position in the AST is sound; see
// positionErrors.
func checkPositions(t *testing.T, prog *Program) {
	t.Helper()
	for _, msg := range positionErrors(prog) {
		t.Errorf("%.60q: %s", prog.Src, msg)
	}
}

// positionErrors walks every node of the AST (by reflection, so a node
// type added later is covered too) and reports each position that is not
// sound: in the program's file, inside the source, with the line and
// column that its offset has, inside its parent; and for a node with an
// EndPos, src[Pos.Offset:EndPos.Offset] is the node's text, with no blank
// or statement end at either side.
func positionErrors(prog *Program) []string {
	w := &posWalker{prog: prog, src: prog.Src, base: prog.Base}
	w.walk(reflect.ValueOf(prog), "prog", prog.Base.Offset, prog.Base.Offset+len(prog.Src))
	return w.errs
}

type posWalker struct {
	prog *Program
	src  string
	base Pos
	errs []string
}

var posType = reflect.TypeOf(Pos{})

// lineCol computes the line and column of a byte offset of the file.
func (w *posWalker) lineCol(off int) (int, int) {
	rel := off - w.base.Offset
	before := w.src[:rel]
	nl := strings.LastIndexByte(before, '\n')
	if nl < 0 {
		return w.base.Line, w.base.Column + utf8.RuneCountInString(before)
	}
	return w.base.Line + strings.Count(before, "\n"), utf8.RuneCountInString(before[nl+1:]) + 1
}

func (w *posWalker) errorf(format string, args ...any) {
	w.errs = append(w.errs, fmt.Sprintf(format, args...))
}

// check tests one position against the bounds [lo, hi] of its parent.
func (w *posWalker) check(p Pos, path string, lo, hi int) bool {
	if p.Filename != w.base.Filename {
		w.errorf("%s: file %q, want %q", path, p.Filename, w.base.Filename)
	}
	if p.Offset < lo || p.Offset > hi {
		w.errorf("%s: offset %d outside %d..%d", path, p.Offset, lo, hi)
		return false
	}
	if line, col := w.lineCol(p.Offset); p.Line != line || p.Column != col {
		w.errorf("%s: %d:%d at offset %d, want %d:%d", path, p.Line, p.Column, p.Offset, line, col)
	}
	return true
}

func (w *posWalker) walk(v reflect.Value, path string, lo, hi int) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), path, lo, hi)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), lo, hi)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			w.walk(iter.Value(), fmt.Sprintf("%s[%v]", path, iter.Key()), lo, hi)
		}
	case reflect.Struct:
		if v.Type() == posType {
			w.check(v.Interface().(Pos), path, lo, hi)
			return
		}
		if v.Type() == reflect.TypeOf(Spec{}) {
			return
		}
		path += "." + v.Type().Name()
		if pf := v.FieldByName("Pos"); pf.IsValid() {
			p := pf.Interface().(Pos)
			if !w.check(p, path+".Pos", lo, hi) {
				return
			}
			lo = p.Offset
			if ef := v.FieldByName("EndPos"); ef.IsValid() {
				e := ef.Interface().(Pos)
				if !w.check(e, path+".EndPos", lo, hi) {
					return
				}
				hi = e.Offset
				w.checkText(v.Type().Name(), path, p, e)
			}
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.Name == "Pos" || f.Name == "EndPos" || f.Name == "Base" || !f.IsExported() {
				continue
			}
			w.walk(v.Field(i), path+"."+f.Name, lo, hi)
		}
	}
}

// checkText: a node's text is exactly its tokens. A program is the whole
// source, blank lines and all.
func (w *posWalker) checkText(typ, path string, p, e Pos) {
	if typ == "Program" {
		return
	}
	text := w.src[p.Offset-w.base.Offset : e.Offset-w.base.Offset]
	if text == "" {
		w.errorf("%s: empty text at %d:%d", path, p.Line, p.Column)
		return
	}
	const blanks = " \t\r\n\f\v;"
	if strings.ContainsRune(blanks, rune(text[0])) || strings.ContainsRune(blanks, rune(text[len(text)-1])) {
		w.errorf("%s: text %q has a blank at an end", path, text)
	}
}

// stmtTexts lists src[Pos.Offset:EndPos.Offset] of every statement, and of
// the statements in its blocks after it, in source order.
func stmtTexts(prog *Program) []string {
	var out []string
	var walk func(list []*Stmt)
	block := func(b *Block) {
		if b != nil {
			walk(b.Stmts)
		}
	}
	walk = func(list []*Stmt) {
		for _, s := range list {
			out = append(out, prog.Src[s.Pos.Offset-prog.Base.Offset:s.EndPos.Offset-prog.Base.Offset])
			switch {
			case s.If != nil:
				for n := s.If; n != nil; n = n.ElseIf {
					block(n.Then)
					block(n.Else)
				}
			case s.For != nil:
				block(s.For.Body)
			case s.While != nil:
				block(s.While.Body)
			case s.Repeat != nil:
				block(s.Repeat.Body)
			case s.Try != nil:
				block(s.Try.Block)
			case s.Quiet != nil:
				block(s.Quiet.Block)
			case s.Spawn != nil:
				block(s.Spawn.Body)
			case s.Cmd != nil:
				block(s.Cmd.Block)
			}
		}
	}
	walk(prog.Stmts)
	return out
}

func TestParseExpressions(t *testing.T) {
	tests := []struct{ src, want string }{
		// Precedence, loosest first: || ; && ; comparisons ; + - ; * / % ;
		// unary ; postfix. Binary operators group to the left.
		{"a || b && c", "(a || (b && c))"},
		{"a && b || c && d", "((a && b) || (c && d))"},
		{"a == b && c != d", "((a == b) && (c != d))"},
		{"a < b + 1", "(a < (b + int:1))"},
		{"a <= b", "(a <= b)"},
		{"a >= b", "(a >= b)"},
		{"a > b", "(a > b)"},
		{"a + b * c - d", "((a + (b * c)) - d)"},
		{"a - b - c", "((a - b) - c)"},
		{"a / b % c * d", "(((a / b) % c) * d)"},
		{"-a * b", "((-a) * b)"},
		{"!a && b", "((!a) && b)"},
		{"- -a", "(-(-a))"},
		{"!!a", "(!(!a))"},
		{"+a", "(+a)"},
		{"-a.b[1]", "(-a.b[int:1])"},
		{"(a + b) * c", "(paren((a + b)) * c)"},
		{"a || b || c", "((a || b) || c)"},
		// Postfix: fields, indexes, slices with either end left out, calls.
		{"m.text", "m.text"},
		{"a.u8[i] + a.i16[i] + a.u16[i] + a.i32[i] + a.u32[i] + a.i64[i] + a.u64[i]",
			"((((((a.u8[i] + a.i16[i]) + a.u16[i]) + a.i32[i]) + a.u32[i]) + a.i64[i]) + a.u64[i])"},
		{"a[1:2]", "a[int:1:int:2]"},
		{"a[:2]", "a[:int:2]"},
		{"a[1:]", "a[int:1:]"},
		{"a[:]", "a[:]"},
		{"args[0]", "args[int:0]"},
		{"len(x) + int(\"0x1f\")", `(len(x) + int("0x1f"))`},
		{"ftok(path, 1)", "ftok(path, int:1)"},
		{"str(hex(1))", "str(hex(int:1))"},
		{"len(a[1:n-1])", "len(a[int:1:(n - int:1)])"},
		// Literals keep their text; literal_test.go checks their values.
		{"true", "bool:true"},
		{"false", "bool:false"},
		{`"a\"b"`, `"a\"b"`},
		{"4KiB", "size:4KiB"},
		{"500us", "dur:500us"},
		{"self", "self"},
		{"tmp + \"/x\"", `(tmp + "/x")`},
		{"err", "err"},
	}
	for _, tt := range tests {
		prog := mustParse(t, "x = "+tt.src)
		if got := showExpr(prog.Stmts[0].Assign.Value.Head); got != tt.want {
			t.Errorf("expression %q\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// TestLiterals: every literal form of LANGUAGE.md §1 parses as its own
// primary, and the value the interpreter will compute from its text is
// right.
func TestLiterals(t *testing.T) {
	ints := []struct {
		src  string
		want int64
	}{
		{"42", 42}, {"0", 0}, {"0x1f", 31}, {"0X1F", 31}, {"0b101", 5}, {"0B11", 3}, {"0o644", 420}, {"0O17", 15},
		{"0600", 384}, {"0755", 493}, {"00", 0}, {"1_000_000", 1000000}, {"0xdead_beef", 0xdeadbeef},
		{"0b1_0", 2}, {"9223372036854775807", 1<<63 - 1},
	}
	for _, tt := range ints {
		prog := mustParse(t, "x = "+tt.src)
		p := prog.Stmts[0].Assign.Value.Head
		if lit, ok := p.(*Literal); !ok || lit.Kind != LitInt || lit.Raw != tt.src {
			t.Errorf("%s: primary %s, want int:%s", tt.src, showExpr(p), tt.src)
			continue
		}
		if got, err := ParseInt(p.(*Literal).Raw); err != nil || got != tt.want {
			t.Errorf("ParseInt(%s) = %d, %v; want %d", tt.src, got, err, tt.want)
		}
	}
	units := []struct {
		src, kind string
		want      int64
	}{
		{"512B", "size", 512}, {"4KiB", "size", 4096}, {"1MiB", "size", 1 << 20}, {"1GiB", "size", 1 << 30},
		{"0x10KiB", "size", 16 << 10}, {"1_024B", "size", 1024},
		{"500us", "dur", 500_000}, {"10ms", "dur", 10_000_000}, {"2s", "dur", 2_000_000_000},
		{"1m", "dur", 60_000_000_000}, {"1h", "dur", 3_600_000_000_000}, {"7ns", "dur", 7},
	}
	for _, tt := range units {
		prog := mustParse(t, "x = "+tt.src)
		p := prog.Stmts[0].Assign.Value.Head
		if got := showExpr(p); got != tt.kind+":"+tt.src {
			t.Errorf("%s: primary %s, want %s:%s", tt.src, got, tt.kind, tt.src)
			continue
		}
		if got, err := ParseUnit(tt.src); err != nil || got != tt.want {
			t.Errorf("ParseUnit(%s) = %d, %v; want %d", tt.src, got, err, tt.want)
		}
	}
	strs := []struct{ src, want string }{
		{`""`, ""},
		{`"plain"`, "plain"},
		{`"\n\t\r\0\\\""`, "\n\t\r\x00\\\""},
		{`"\x41\x7a\xff\x00"`, "Az\xff\x00"},
		{`"\xAb"`, "\xab"},
		{`"é # not a comment ; nor an end"`, "é # not a comment ; nor an end"},
	}
	for _, tt := range strs {
		prog := mustParse(t, "x = "+tt.src)
		p := prog.Stmts[0].Assign.Value.Head
		if lit, ok := p.(*Literal); !ok || lit.Kind != LitString || lit.Raw != tt.src {
			t.Errorf("%s: primary %s, want the string literal", tt.src, showExpr(p))
			continue
		}
		if got, err := Unquote(p.(*Literal).Raw); err != nil || got != tt.want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
}

// TestKeywordsAsNames: statement words are reserved only where a statement
// starts (LANGUAGE.md §1).
func TestKeywordsAsNames(t *testing.T) {
	tests := []struct{ src, want string }{
		{"let p = 1; let read = 2; print p + read", "let p = int:1 | let read = int:2 | cmd(print [(p + read)])"},
		{"let v = 1; let all = 2; let line = 3; read p.r line", "let v = int:1 | let all = int:2 | let line = int:3 | cmd(read [p.r] flags=line)"},
		// Where an argument is expected, a statement word is a name.
		{"print if, while, spawn, sem, exec", "cmd(print [if while spawn sem exec])"},
		{"write p.w read + write", "cmd(write [p.w (read + write)])"},
		{"let pipe = 1; pipe x", "let pipe = int:1 | cmd(pipe [x])"},
		// `read = 2` can only be an assignment, so it is one.
		{"read = 2", "assign read = int:2"},
		{"let s = 1; sem p s", "let s = int:1 | cmd(sem p sub=p [s])"},
		{"for in in 1..2 { }", "for in in int:1..int:2 {}"},
		{"let true_ = 1; x = true_", "let true_ = int:1 | assign x = true_"},
	}
	for _, tt := range tests {
		prog := mustParse(t, tt.src)
		var got []string
		for _, s := range prog.Stmts {
			got = append(got, show(s))
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, g, tt.want)
		}
	}
}

func at(p Pos) string { return fmt.Sprintf("%d:%d@%d", p.Line, p.Column, p.Offset) }

func TestPositions(t *testing.T) {
	src := "# header\n" +
		"pipe p   # trailing comment\n" +
		"\tlet e = \"ü\" + x ; print \"é\", e\n" +
		"if a {\n" +
		"  spawn c { write p.w 1 }  \n" +
		"} else { quiet close p.w }\n" +
		"x = read p.r 10\n"
	prog := mustParse(t, src)

	// Every statement's text, nested ones too, without comments or blanks.
	want := []string{
		"pipe p",
		`let e = "ü" + x`,
		`print "é", e`,
		"if a {\n  spawn c { write p.w 1 }  \n} else { quiet close p.w }",
		"spawn c { write p.w 1 }",
		"write p.w 1",
		"quiet close p.w",
		"x = read p.r 10",
	}
	if got := stmtTexts(prog); !reflect.DeepEqual(got, want) {
		t.Errorf("statement texts\n got %q\nwant %q", got, want)
	}

	s := prog.Stmts
	checks := []struct {
		what string
		got  Pos
		want string
	}{
		{"pipe", s[0].Pos, "2:1@9"},
		{"pipe end", s[0].EndPos, "2:7@15"},
		{"pipe p's name", s[0].Cmd.Params[0].Pos, "2:6@14"},
		// A tab is one column; ü and é are two bytes and one column.
		{"let", s[1].Pos, "3:2@38"},
		{"let value", s[1].Let.Value.Pos, "3:10@46"},
		{"let value end", s[1].Let.Value.EndPos, "3:17@54"},
		{"let value x", s[1].Let.Value.Head.(*BinaryExpr).Y.(*Ident).Pos, "3:16@53"},
		{"print", s[2].Pos, "3:20@57"},
		{"print's argument", s[2].Cmd.Args[0].Pos, "3:26@63"},
		{"print end", s[2].EndPos, "3:32@70"},
		{"if", s[3].Pos, "4:1@71"},
		{"if condition", startOf(s[3].If.Cond), "4:4@74"},
		{"then block", s[3].If.Then.Pos, "4:6@76"},
		{"then block end", s[3].If.Then.EndPos, "6:2@107"},
		{"spawn", s[3].If.Then.Stmts[0].Pos, "5:3@80"},
		{"spawn body", s[3].If.Then.Stmts[0].Spawn.Body.Pos, "5:11@88"},
		{"spawn body end", s[3].If.Then.Stmts[0].Spawn.Body.EndPos, "5:26@103"},
		{"write p.w", s[3].If.Then.Stmts[0].Spawn.Body.Stmts[0].Cmd.Args[0].Pos, "5:19@96"},
		{"else block", s[3].If.Else.Pos, "6:8@113"},
		{"quiet", s[3].If.Else.Stmts[0].Pos, "6:10@115"},
		{"quiet's statement", s[3].If.Else.Stmts[0].Quiet.Stmt.Pos, "6:16@121"},
		{"if end", s[3].EndPos, "6:27@132"},
		{"assign", s[4].Pos, "7:1@133"},
		{"assign target", startOf(s[4].Assign.Target), "7:1@133"},
		{"assign value (a command)", s[4].Assign.Value.Cmd.Pos, "7:5@137"},
		{"read's count", s[4].Assign.Value.Cmd.Params[1].Pos, "7:14@146"},
		{"program end", prog.EndPos, "8:1@149"},
	}
	for _, c := range checks {
		if got := at(c.got); got != c.want {
			t.Errorf("%s at %s, want %s", c.what, got, c.want)
		}
	}
}

// TestParseAtBase: a spawned child parses only its block's text, with the
// block's position in the file, and every position stays the file's.
func TestParseAtBase(t *testing.T) {
	file := "pipe p\nspawn c {\n\tlet n = read p.r  # the count\n\tprint n }\n"
	prog := mustParse(t, file)
	body := prog.Stmts[1].Spawn.Body
	// What the interpreter sends the child: the text inside the braces.
	from, to := body.Pos.Offset+1, body.EndPos.Offset-1
	base := Pos{Filename: body.Pos.Filename, Offset: from, Line: body.Pos.Line, Column: body.Pos.Column + 1}
	child, err := ParseAt(file[from:to], base)
	if err != nil {
		t.Fatal(err)
	}
	checkPositions(t, child)
	want := []Pos{body.Stmts[0].Pos, body.Stmts[0].EndPos, body.Stmts[1].Pos, body.Stmts[1].EndPos}
	got := []Pos{child.Stmts[0].Pos, child.Stmts[0].EndPos, child.Stmts[1].Pos, child.Stmts[1].EndPos}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("child positions %v, want the file's %v", got, want)
	}
	if s := at(child.Stmts[1].Pos); s != "4:2@49" {
		t.Errorf("print at %s, want 4:2@49", s)
	}

	// An error in the child is reported at the file's line and column, with
	// the file's line under the caret.
	_, err = ParseAt("\n  raed p.r", Pos{Filename: "f.ipc", Offset: 100, Line: 7, Column: 12})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("ParseAt: %v", err)
	}
	if got, want := list[0].Error(), `f.ipc:8:3: unknown statement "raed" (did you mean "read"?)`; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if got, want := list[0].Caret(), "      raed p.r\n      ^"; got != want {
		t.Errorf("caret\n%s\nwant\n%s", got, want)
	}
	// A zero base is the start of a file.
	prog, err = ParseAt("pipe p", Pos{Filename: "z.ipc"})
	if err != nil || at(prog.Stmts[0].Pos) != "1:1@0" {
		t.Errorf("ParseAt with a zero base: %v, %v", prog, err)
	}
}

// errorCases is the exact text a user reads for each mistake,
// `t.ipc:LINE:COL: message`. Where a message names a statement, it is the
// checker's (after the parse); otherwise the parser's, reworded from
// participle's. FuzzParse starts from these sources too.
var errorCases = []struct{ src, want string }{
	// Unknown statements, with the nearest keyword when it is a typo.
	{"raed p.r", `t.ipc:1:1: unknown statement "raed" (did you mean "read"?)`},
	{"pipee p", `t.ipc:1:1: unknown statement "pipee" (did you mean "pipe"?)`},
	{"frobnicate x", `t.ipc:1:1: unknown statement "frobnicate"`},
	{"pipe p\n  slep 1s", `t.ipc:2:3: unknown statement "slep" (did you mean "sleep"?)`},

	// Unknown or misplaced options name the statement and the nearest
	// valid option, or list the valid ones.
	{"msgget q key=1 crate", `t.ipc:1:16: msgget: unknown option "crate" (did you mean "create"?)`},
	{"msgget q key=1 modee=0600", `t.ipc:1:16: msgget: unknown option "modee=" (did you mean "mode="?)`},
	{"msgget q key=1 create=1", `t.ipc:1:16: msgget: create takes no value: write it alone`},
	{"pipe p nonblokc", `t.ipc:1:8: pipe: unknown option "nonblokc" (did you mean "nonblock"?)`},
	{"pipe p nonblock=1", `t.ipc:1:8: pipe: nonblock takes no value: write it alone`},
	{"sem p s junk", `t.ipc:1:9: sem p: unknown option "junk" (valid: undo nowait timeout=)`},
	{"sem v s nowait", `t.ipc:1:9: sem v: unknown option "nowait" (valid: undo)`},
	{"recv q tipe=1", `t.ipc:1:8: recv: unknown option "tipe=" (did you mean "type="?)`},
	{"open f path read excl", `t.ipc:1:18: open: unknown option "excl" (valid: nonblock create trunc append read write rdwr mode=)`},
	{"pipe p nonblock nonblock", `t.ipc:1:17: pipe: nonblock given twice`},
	{"msgget q key=1 mode=1 mode=2", `t.ipc:1:23: msgget: mode= given twice`},
	{"open f path read write", `t.ipc:1:18: open: read and write cannot be used together`},
	{"msgctl q stat rmid", `t.ipc:1:15: msgctl: stat and rmid cannot be used together`},
	{"mqnotify q", `t.ipc:1:11: mqnotify: expected signal= or off, found end of statement (usage: mqnotify Q [signal=SIGNAL | off])`},
	{"mqnotify q signal=SIGUSR1 off", `t.ipc:1:1: mqnotify: signal= and off cannot be used together (usage: mqnotify Q [signal=SIGNAL | off])`},
	{"read p.r all line", `t.ipc:1:1: read: all and line cannot be used together (usage: read FD [N | all | line])`},
	{"read p.r 3 all", `t.ipc:1:1: read: all and a count cannot be used together (usage: read FD [N | all | line])`},
	{`mmap m "f" size=4KiB shared private`, `t.ipc:1:1: mmap: shared and private cannot be used together (usage: mmap NAME PATH size=SIZE [shared|private] [create] [rdonly])`},

	// Missing required options and parameters.
	{"msgget q", `t.ipc:1:1: msgget: key= is required (usage: msgget NAME key=KEY|private [create] [excl] [keep] [mode=0600])`},
	{"shmget s key=private", `t.ipc:1:1: shmget: size= is required (usage: shmget NAME key=KEY|private size=SIZE [create] [excl] [keep] [mode=0600])`},
	{`mmap m "f"`, `t.ipc:1:1: mmap: size= is required (usage: mmap NAME PATH size=SIZE [shared|private] [create] [rdonly])`},
	{`open f "x"`, `t.ipc:1:11: open: expected read or write or rdwr, found end of statement (usage: open NAME PATH read|write|rdwr [nonblock] [create] [trunc] [append] [mode=0644])`},
	{`popen x "ls"`, `t.ipc:1:13: popen: expected read or write, found end of statement (usage: popen NAME COMMAND read|write)`},
	{"msgctl q", `t.ipc:1:9: msgctl: expected stat or rmid or set, found end of statement (usage: msgctl Q stat | rmid | set qbytes=N)`},
	{"mknod p", `t.ipc:1:8: mknod: expected fifo, found end of statement (usage: mknod PATH fifo [mode=0644])`},

	// Wrong number of parameters: the error stands where the missing
	// one should be, or at the first one too many.
	{"close", `t.ipc:1:6: close: expected FD, found end of statement (usage: close FD)`},
	{"close   # what?", `t.ipc:1:6: close: expected FD, found end of statement (usage: close FD)`},
	{"write p.w", `t.ipc:1:10: write: expected EXPR, found end of statement (usage: write FD EXPR)`},
	{"sleep", `t.ipc:1:6: sleep: expected DURATION, found end of statement (usage: sleep DURATION)`},
	{"kill", `t.ipc:1:5: kill: expected NAME, found end of statement (usage: kill NAME [SIGNAL] [value=N])`},
	{"close a b", `t.ipc:1:9: close: expected end of statement, found "b" (usage: close FD)`},
	{"wait a b", `t.ipc:1:8: wait: expected end of statement, found "b" (usage: wait [NAME])`},
	{"kill a b c", `t.ipc:1:10: kill: unknown option "c" (valid: value=)`},
	{"read p.r 10 20", `t.ipc:1:13: read: expected end of statement, found "20" (usage: read FD [N | all | line])`},
	{"fds 1", `t.ipc:1:5: fds: expected end of statement, found "1" (usage: fds)`},
	{"break 1", `t.ipc:1:7: break: expected end of statement, found "1" (usage: break)`},
	{"msgget 3 key=1", `t.ipc:1:8: msgget: expected a name for NAME, found "3" (usage: msgget NAME key=KEY|private [create] [excl] [keep] [mode=0600])`},
	{"pipe p.x", `t.ipc:1:6: pipe: expected a name for NAME, found "p.x" (usage: pipe NAME [nonblock])`},
	{"print 1 { }", `t.ipc:1:9: print takes no block (usage: print EXPR, ...)`},

	// sem and its sub-commands.
	{"sem", `t.ipc:1:1: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found end of statement`},
	{"sem x s", `t.ipc:1:5: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found "x"`},
	{"sem pp s", `t.ipc:1:5: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found "pp" (did you mean "op"?)`},
	{"sem gett s", `t.ipc:1:5: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found "gett" (did you mean "get"?)`},
	{"sem 1 s", `t.ipc:1:5: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found "1"`},
	{"sem p", `t.ipc:1:6: sem p: expected S, found end of statement (usage: sem p S[I] [undo] [nowait] [timeout=DUR])`},
	{"sem p s 1", `t.ipc:1:9: sem p: expected end of statement, found "1" (usage: sem p S[I] [undo] [nowait] [timeout=DUR])`},
	{"sem op s", `t.ipc:1:9: sem op: expected I:DELTA, found end of statement (usage: sem op S I:DELTA ... [undo] [nowait] [timeout=DUR])`},
	{"sem op s 1", `t.ipc:1:10: sem op: expected I:DELTA, found "1" (usage: sem op S I:DELTA ... [undo] [nowait] [timeout=DUR])`},
	{"sem set s 1:2", `t.ipc:1:11: sem set: unexpected ":" in "1:2" (usage: sem set S[I] V)`},
	{"sem set s", `t.ipc:1:10: sem set: expected V, found end of statement (usage: sem set S[I] V)`},
	{"sem setall s", `t.ipc:1:13: sem setall: expected V, found end of statement (usage: sem setall S V...)`},
	{"let x = sem p s", `t.ipc:1:9: sem p yields no value`},
	{"let x = sem", `t.ipc:1:9: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found end of statement`},

	// spawn ... exec: words, then stdin=/stdout=/stderr= only.
	{"spawn x", `t.ipc:1:8: expected "{" or "exec", found end of input`},
	{"spawn 3 exec ls", `t.ipc:1:7: expected a name, found 3`},
	{"spawn x exec", `t.ipc:1:13: expected a program to run, found end of input`},
	{"spawn x exec # no program", `t.ipc:1:26: expected a program to run, found end of input`},
	{"spawn x exec ls stdin=p.r stdin=p.r", `t.ipc:1:27: spawn: stdin= given twice`},
	{"spawn x exec ls stdout=p.w stdot=1", `t.ipc:1:28: spawn: unknown option "stdot=" (did you mean "stdout="?)`},
	{"spawn x exec ls stdout=p.w foo=1", `t.ipc:1:28: spawn: unknown option "foo=" (valid: stdin= stdout= stderr=)`},
	// After the first option, the rest of the line is options.
	{`spawn x exec ls stdout=p.w "-l"`, `t.ipc:1:28: expected end of statement, found string "-l"`},
	{"spawn x exec ls (1 +", `t.ipc:1:21: expected an expression, found end of input`},
	{"spawn x { print 1 } stdin=p.r", `t.ipc:1:21: expected end of statement, found "stdin"`},
	// A spawned block is checked with the script, before anything runs.
	{"spawn x { raed p.r }", `t.ipc:1:11: unknown statement "raed" (did you mean "read"?)`},

	// print and expect take commas; nothing else does.
	{"print 1,", `t.ipc:1:9: expected an argument, found end of input`},
	{"print 1,, 2", `t.ipc:1:9: expected an argument, found ","`},
	{"print ,1", `t.ipc:1:7: print: expected an argument, found "," (usage: print EXPR, ...)`},
	{"expect", `t.ipc:1:7: expect: expected EXPR, found end of statement (usage: expect EXPR [, MESSAGE])`},
	{"expect x,", `t.ipc:1:10: expected an argument, found end of input`},
	{`expect x, "m", "n"`, `t.ipc:1:14: expect: expected end of statement, found "," (usage: expect EXPR [, MESSAGE])`},
	{"read p.r, 3", `t.ipc:1:9: read: expected an argument, found "," (usage: read FD [N | all | line])`},
	{"send q, 1", `t.ipc:1:7: send: expected an argument, found "," (usage: send Q EXPR [type=1] [nowait])`},

	// let, assignment, values.
	{"let = 3", `t.ipc:1:5: expected a name, found "="`},
	{"let 3 = 4", `t.ipc:1:5: expected a name, found 3`},
	{"let x 3", `t.ipc:1:7: expected "=", found 3`},
	{"let x =", `t.ipc:1:8: expected an expression or a statement with a value, found end of input`},
	{"x =", `t.ipc:1:4: expected an expression or a statement with a value, found end of input`},
	{"x = 1 +", `t.ipc:1:8: expected an expression, found end of input`},
	{"x = 1 2", `t.ipc:1:7: expected end of statement, found "2"`},
	{"let x = y z", `t.ipc:1:11: expected end of statement, found "z"`},
	{"let x = pipe p", `t.ipc:1:9: pipe yields no value`},
	{"x = close p.w", `t.ipc:1:5: close yields no value`},
	{"3 = 4", `t.ipc:1:1: expected a statement, found 3`},
	{"(a) = 4", `t.ipc:1:1: expected a statement, found "("`},
	{"f(1) = 2", `t.ipc:1:1: cannot assign to "f(1)": expected a name or a memory view`},
	{"a.b(1) += 2", `t.ipc:1:1: cannot assign to "a.b(1)": expected a name or a memory view`},
	{"read p.r = 2", `t.ipc:1:10: expected end of statement, found "="`},
	{"x == 1", `t.ipc:1:3: expected end of statement, found "=="`},

	// Expressions.
	{"print a.b(1)", `t.ipc:1:7: only built-in functions and procedures can be called (NAME(...)); the built-ins: len, str, int, hex, ftok, pack, unpack, sizeof, format, ord, chr, find, trim, getpid, getppid`},
	{"print a[]", `t.ipc:1:9: expected an index, found "]"`},
	{"print a < b < c", `t.ipc:1:13: expected end of statement, found "<"`},
	{"print x.", `t.ipc:1:9: expected a name, found end of input`},
	{"print f(1,)", `t.ipc:1:11: expected an expression, found ")"`},
	{"print 1 )", `t.ipc:1:9: expected end of statement, found ")"`},
	{"atomic x += 1", `t.ipc:1:8: atomic: expected a memory view such as a.i64[0], found "x"`},
	{"atomic a.i64[0] = 1", `t.ipc:1:17: expected "+=", found "="`},
	{"atomic a.i64[0] -= 1", `t.ipc:1:17: expected "+=", found "-="`},

	// Control statements.
	{"if x print 1", `t.ipc:1:6: expected "{", found "print"`},
	{"if x {} else print 1", `t.ipc:1:14: expected "if" or "{", found "print"`},
	{"if x {} else", `t.ipc:1:13: expected "if" or "{", found end of input`},
	{"if x {} else if y {} else print", `t.ipc:1:27: expected "if" or "{", found "print"`},
	{"for i in 1 { }", `t.ipc:1:12: expected "..", found "{"`},
	{"for i 1..2 { }", `t.ipc:1:7: expected "in", found 1`},
	{"for 1 in 1..2 { }", `t.ipc:1:5: expected a name, found 1`},
	{"while { }", `t.ipc:1:7: expected an expression, found "{"`},
	{"repeat { }", `t.ipc:1:8: expected an expression, found "{"`},
	{"try", `t.ipc:1:4: expected a statement or a block after try, found end of input`},
	{"quiet", `t.ipc:1:6: expected a statement or a block after quiet, found end of input`},
	{"try = 1", `t.ipc:1:5: expected a statement or a block after try, found "="`},
	{"try try", `t.ipc:1:8: expected a statement or a block after try, found end of input`},

	// else in the wrong place.
	{"else { }", `t.ipc:1:1: else without if: else goes on the line of the if's closing }`},
	{"if x {}\nelse {}", `t.ipc:2:1: else without if: else goes on the line of the if's closing }`},
	{"if x {} else {} else {}", `t.ipc:1:17: else without if: the if before it already ended with an else`},
	{"if x {} else if y {} else {} else {}", `t.ipc:1:30: else without if: the if before it already ended with an else`},

	// Braces: a stray token in a block, an unbalanced "}", a block
	// that is not closed, a statement after a block on its line.
	{"while x { print 1 ) }", `t.ipc:1:19: expected end of statement or "}", found ")"`},
	{"while x { print 1 } junk", `t.ipc:1:21: expected end of statement, found "junk"`},
	{"if x { print 1 } print 2", `t.ipc:1:18: expected end of statement, found "print"`},
	{"print 1 }", `t.ipc:1:9: expected end of statement, found "}" (no block is open)`},
	{"}", `t.ipc:1:1: expected a statement, found "}" (no block is open)`},
	{"if x {\n}\n}\nprint 2", `t.ipc:3:1: expected a statement, found "}" (no block is open)`},
	{"{ print 1 }", `t.ipc:1:1: expected a statement, found "{"`},
	{"if x {", `t.ipc:1:7: expected "}", found end of input (the block opened at 1:6 is not closed)`},
	{"repeat 2 {\n  if x {\n    print 1\n  }\n", `t.ipc:5:1: expected "}", found end of input (the block opened at 1:10 is not closed)`},
	{"print (1", `t.ipc:1:9: expected ")", found end of input`},
	{"print [1", `t.ipc:1:9: expected "]", found end of input`},

	// Literals (more in TestLexErrors).
	{`print "abc`, `t.ipc:1:7: unterminated string`},
	{"print \"abc\nprint 1", `t.ipc:1:7: unterminated string`},
	{`print "a\qb"`, `t.ipc:1:7: bad string "a\qb": unknown escape \q (known: \n \t \r \0 \\ \" \xHH)`},
	{`print "\x4"`, `t.ipc:1:7: bad string "\x4": \x needs two hex digits`},
	{"sleep 10xs", `t.ipc:1:7: malformed number "10xs": unknown unit "xs" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
	{"sleep 10 ms", `t.ipc:1:10: sleep: expected end of statement, found "ms" (usage: sleep DURATION)`},
	{"print 0x1g", `t.ipc:1:7: malformed number "0x1g": unknown unit "g" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
	{"x = 09", `t.ipc:1:5: malformed number "09": a leading 0 means octal, and 8 and 9 are not octal digits`},
	{"x = 0b12", `t.ipc:1:5: malformed number "0b12": not a valid base-2 number`},
	{"x = 1__0", `t.ipc:1:5: malformed number "1__0": digits expected, with _ only between digits`},
	{"x = _1", ""}, // a name, not a number: no error
	{"x = 4kib", `t.ipc:1:5: malformed number "4kib": unknown unit "kib" (sizes: B KiB MiB GiB; durations: ns us ms s m h)`},
	{"x = 99999999999999999999", `t.ipc:1:5: malformed number "99999999999999999999": out of the 64-bit range`},
	{"print @", `t.ipc:1:7: unexpected character '@'`},

	// The checker reports every mistake of a script that parses.
	{"close\nraed x\nsem", "t.ipc:1:6: close: expected FD, found end of statement (usage: close FD)\n" +
		"t.ipc:2:1: unknown statement \"raed\" (did you mean \"read\"?)\n" +
		"t.ipc:3:1: sem: expected one of p, v, z, op, set, setall, get, getall, getncnt, getzcnt, getpid, found end of statement"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorCases {
		_, err := Parse("t.ipc", tt.src)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v, want no error", tt.src, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Parse(%q): no error, want %s", tt.src, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, err, tt.want)
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("Parse(%q): error %T is not an ErrorList", tt.src, err)
		}
	}
}

// TestCaret: the source line, then a caret under the column. Tabs are
// kept so the caret lines up in a terminal; a multi-byte character is one
// column; a CR of a CRLF file is dropped.
func TestCaret(t *testing.T) {
	tests := []struct{ src, want string }{
		{"pipe p\nread p.r 10 20", "    read p.r 10 20\n                ^"},
		{"\t\tsem x s", "    \t\tsem x s\n    \t\t    ^"},
		{`print "é", @`, "    print \"é\", @\n               ^"},
		{"pipe p\r\nclose\r\n", "    close\n         ^"},
		{"print (1 +", "    print (1 +\n              ^"},
		// The end of the input on an empty last line has no line to show.
		{"if x {\n", ""},
	}
	for _, tt := range tests {
		_, err := Parse("t.ipc", tt.src)
		var list ErrorList
		if !errors.As(err, &list) || len(list) != 1 {
			t.Errorf("Parse(%q): %v, want one error", tt.src, err)
			continue
		}
		if got := list[0].Caret(); got != tt.want {
			t.Errorf("Parse(%q) caret\n%s\nwant\n%s", tt.src, got, tt.want)
		}
	}
}

// TestIsIncomplete: the REPL asks for another line while a block, a
// bracket or a string is open at the end of the input, and reports any
// other error at once.
func TestIsIncomplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"if x {", true},
		{"if x {\n  print 1", true},
		{"if x {\n  print 1\n", true},
		{"while true { if y {", true},
		{"spawn c {", true},
		{"try {", true},
		{"quiet {\n  pipe p\n", true},
		{"if x { print 1 } else {", true},
		{`print "abc`, true},
		{`print "abc\"`, true},
		{"print (1 +", true},
		{"print (1", true},
		{"print a[1", true},
		{"print f(1,", true},
		{"x = (", true},
		{"spawn l exec ls (1 +", true},

		// Real errors, even at the end of the input.
		{"print \"abc\nprint 1", false},
		{"if x {\n  raed p.r\n}", false},
		{"if x { print 1 ) ", false},
		{"print 1 +", false},
		{"print 1,", false},
		{"let x =", false},
		{"if x", false},
		{"if x {} else", false},
		{"}", false},
		{"print )", false},
		{"close", false},
		{"raed p.r", false},
		{"x = 09", false},
		{"print @", false},
		// A bad token inside an open block is a real error too.
		{"if x {\n  print 0x1g", false},
		{"if x {\n  print (1 + ]", false},
	}
	for _, tt := range tests {
		_, err := Parse("[repl 1]", tt.src)
		if err == nil {
			t.Errorf("Parse(%q): no error", tt.src)
			continue
		}
		if got := IsIncomplete(err); got != tt.want {
			t.Errorf("IsIncomplete(Parse(%q)) = %v, want %v (error: %v)", tt.src, got, tt.want, err)
		}
	}
	if IsIncomplete(nil) || IsIncomplete(errors.New("x")) {
		t.Error("IsIncomplete is true for an error that is not a parse error")
	}
	// A single *Error, as well as a list holding one.
	_, err := Parse("r", "if x {")
	var list ErrorList
	errors.As(err, &list)
	if !IsIncomplete(list[0]) || !IsIncomplete(fmt.Errorf("wrapped: %w", err)) {
		t.Error("IsIncomplete misses an *Error or a wrapped ErrorList")
	}
	// Two errors are never "incomplete": the REPL must report them.
	_, err = Parse("r", "close\nraed x")
	if IsIncomplete(err) {
		t.Error("IsIncomplete is true for two errors")
	}
}

// TestParseAll: `ipcsh check` reports every error of a file, in order,
// whether the lexer, the parser or the checker found it.
func TestParseAll(t *testing.T) {
	src := "raed p.r\n" + // checker
		"print (1 +\n" + // parser
		"close\n" + // checker
		"x = 09\n" + // lexer
		"pipe p nonblokc\n" + // checker
		"print 1 )\n" + // parser
		"pipe ok\n"
	_, err := ParseAll("t.ipc", src)
	want := `t.ipc:1:1: unknown statement "raed" (did you mean "read"?)
t.ipc:2:11: expected an expression, found end of line
t.ipc:3:6: close: expected FD, found end of statement (usage: close FD)
t.ipc:4:5: malformed number "09": a leading 0 means octal, and 8 and 9 are not octal digits
t.ipc:5:8: pipe: unknown option "nonblokc" (did you mean "nonblock"?)
t.ipc:6:9: expected end of statement, found ")"`
	if err == nil || err.Error() != want {
		t.Fatalf("ParseAll\n got %v\nwant %s", err, want)
	}
	// Each error shows its own line of the original source under the caret.
	var list ErrorList
	errors.As(err, &list)
	for i, line := range strings.Split(src, "\n")[:6] {
		if list[i].Line != line {
			t.Errorf("error %d shows line %q, want %q", i, list[i].Line, line)
		}
	}

	// A good file parses to the same program as Parse gives.
	good := "pipe p\nwrite p.w 1\n"
	a, errA := ParseAll("t.ipc", good)
	b, errB := Parse("t.ipc", good)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("ParseAll(good) = %v, %v; Parse gives %v, %v", a, errA, b, errB)
	}

	// A string the lexer cannot end stops the search: without tokens,
	// only a line with no brace or quote can be blanked safely.
	_, err = ParseAll("t.ipc", "print \"abc\nclose\n")
	if want := "t.ipc:1:7: unterminated string"; err == nil || err.Error() != want {
		t.Errorf("ParseAll with an open string\n got %v\nwant %s", err, want)
	}
	// A blanked line holds a space per byte; the columns of a later error
	// on it are still counted in the source's characters (found by
	// FuzzParse).
	_, err = ParseAll("t.ipc", "if x {\n  é")
	want = "t.ipc:2:3: unexpected character 'é'\n" +
		"t.ipc:2:4: expected \"}\", found end of input (the block opened at 1:6 is not closed)"
	if err == nil || err.Error() != want {
		t.Errorf("ParseAll after a multi-byte character\n got %v\nwant %s", err, want)
	}
	_, err = ParseAll("t.ipc", "if x {\n  print (\n}\nprint 1 )\nclose\n")
	want = "t.ipc:2:10: expected an expression, found end of line\n" +
		"t.ipc:4:9: expected end of statement, found \")\"\n" +
		"t.ipc:5:6: close: expected FD, found end of statement (usage: close FD)"
	if err == nil || err.Error() != want {
		t.Errorf("ParseAll with an error inside a block\n got %v\nwant %s", err, want)
	}
}

// TestNoBacktrackingBlowUp: participle backtracks, and a grammar where a
// failed alternative can be parsed again as another one costs twice as
// much per level of nesting (a failed else block parsed again as a
// command `else { ... }` took 44 s at 18 levels). Doubling the nesting
// of each shape, with an error at the bottom, must about double the work.
// The work is counted in allocations, which do not depend on the
// machine's speed.
func TestNoBacktrackingBlowUp(t *testing.T) {
	shapes := []struct{ open, bottom, close string }{
		{"try {", "raed )", "}"},
		{"quiet { try ", "x = (", "}"},
		{"if x {", ")", "}"},
		{"if x {} else {", ")", "}"},
		{"if x {} else if y {", ")", "}"},
		{"spawn c {", ")", "}"},
		{"while x {\n", "print 1 )\n", "}\n"},
		{"repeat 1 {", "3 = 4 )", "}"},
		{"for i in 1..2 {", "}}", "}"},
		{"print 1 {", "]", "}"},
		{"x = a[", ")", "]"},
		{"print f(", "]", ")"},
		{"let x = (", "read p.r", ")"},
		{"x = -(", ",", ")"},
		{"sem op s (", ")", "):1"},
		{"spawn x exec ls (", "{", ")"},
	}
	const small, big = 8, 16
	for _, s := range shapes {
		allocs := func(n int) float64 {
			src := strings.Repeat(s.open, n) + s.bottom + strings.Repeat(s.close, n)
			return testing.AllocsPerRun(1, func() { _, _ = Parse("t.ipc", src) })
		}
		a, b := allocs(small), allocs(big)
		if b > 4*a {
			t.Errorf("%q nested %d deep costs %.0f allocations, %d deep %.0f: more than linear", s.open, small, a, big, b)
		}
	}
}
