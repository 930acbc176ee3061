package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
)

// A contestant is one program doing a scenario's work: the C baseline, a
// peer (Perl, Python) or ipcsh. argv(n) is the command that does n
// iterations of that work.
type contestant struct {
	who  string // "C", "Perl", "Python", "ipcsh", or an extra such as "C fork"
	argv func(n int) []string
	// skip, when set, says why this contestant is not run (a peer that is
	// not installed); the table shows it instead of a figure.
	skip string
}

// A group is the contestants of one scenario, measured interleaved
// (A B C A B C ...) so that a burst of load from elsewhere on the machine
// hits them all alike.
type group struct {
	name   string
	pinned bool // run under taskset -c 0: two processes that talk
	tiny   int  // iterations of the first (availability) run and of the test
	fixedN int  // N for every contestant instead of calibrating (bulk: 1 GiB)
	cs     []contestant
}

// env says where things are: the repository, the build directory, and
// which peers this machine has.
type env struct {
	root string // the module root (go.mod)
	out  string // where the C programs and ipcsh are built
	perl string // path of perl, "" when missing
	// python is /usr/bin/python3, "" when missing; sysvIPC says whether it
	// can import sysv_ipc (Debian's python3-sysv-ipc).
	python  string
	sysvIPC bool
}

// findEnv looks for the peers. Python is /usr/bin/python3 on purpose: the
// Debian package installs sysv_ipc for the system Python only, and a
// pyenv or venv python3 earlier on PATH would not have it.
func findEnv(root, out string) env {
	e := env{root: root, out: out}
	if p, err := exec.LookPath("perl"); err == nil {
		e.perl = p
	}
	if _, err := exec.LookPath("/usr/bin/python3"); err == nil {
		e.python = "/usr/bin/python3"
		e.sysvIPC = exec.Command(e.python, "-c", "import sysv_ipc").Run() == nil
	}
	return e
}

// bulkBlocks is 1 GiB in 64 KiB writes.
const bulkBlocks = 1 << 30 / (64 << 10)

// groups lists every scenario. The order is the table's order.
func (e env) groups() []group {
	c := func(prog string) contestant {
		return contestant{who: "C", argv: func(n int) []string {
			return []string{filepath.Join(e.out, prog), itoa(n)}
		}}
	}
	ipcsh := func(who, script string) contestant {
		return contestant{who: who, argv: func(n int) []string {
			return []string{filepath.Join(e.out, "ipcsh"), filepath.Join(e.root, "bench", "ipcsh", script), itoa(n)}
		}}
	}
	perl := func(script string) contestant {
		k := contestant{who: "Perl", argv: func(n int) []string {
			return []string{e.perl, filepath.Join(e.root, "bench", "peers", script), itoa(n)}
		}}
		if e.perl == "" {
			k.skip = "n/a (no perl)"
		}
		return k
	}
	python := func(script string, needsSysvIPC bool) contestant {
		k := contestant{who: "Python", argv: func(n int) []string {
			return []string{e.python, filepath.Join(e.root, "bench", "peers", script), itoa(n)}
		}}
		switch {
		case e.python == "":
			k.skip = "n/a (no /usr/bin/python3)"
		case needsSysvIPC && !e.sysvIPC:
			k.skip = "n/a (python3-sysv-ipc not installed)"
		}
		return k
	}
	goSem := func(who, mode string) contestant {
		return contestant{who: who, argv: func(n int) []string {
			return []string{filepath.Join(e.out, "gosem"), itoa(n), mode}
		}}
	}
	// Start-up is timed through bench/c/launch.c, so every contestant is
	// started by the same fork+execvp+waitpid loop.
	launch := func(who, skip string, prog ...string) contestant {
		return contestant{who: who, skip: skip, argv: func(n int) []string {
			return append([]string{filepath.Join(e.out, "launch"), itoa(n)}, prog...)
		}}
	}
	perlStart, pythonStart := launch("Perl", "", e.perl, "-e", "1"), launch("Python", "", e.python, "-c", "pass")
	if e.perl == "" {
		perlStart.skip = "n/a (no perl)"
	}
	if e.python == "" {
		pythonStart.skip = "n/a (no /usr/bin/python3)"
	}
	forkOnly := c("fork")
	forkOnly.who = "C fork"

	return []group{
		{name: "pipe", pinned: true, tiny: 10, cs: []contestant{
			c("pipe_pingpong"), ipcsh("ipcsh", "pipe_pingpong.ipc"), ipcsh("ipcsh loud", "pipe_pingpong_loud.ipc")}},
		{name: "fifo", pinned: true, tiny: 10, cs: []contestant{
			c("fifo_pingpong"), ipcsh("ipcsh", "fifo_pingpong.ipc")}},
		{name: "msg", pinned: true, tiny: 10, cs: []contestant{
			c("msg_pingpong"), perl("msg_pingpong.pl"), python("msg_pingpong.py", true), ipcsh("ipcsh", "msg_pingpong.ipc")}},
		{name: "sem", pinned: true, tiny: 10, cs: []contestant{
			c("sem_pingpong"), perl("sem_pingpong.pl"), python("sem_pingpong.py", true), ipcsh("ipcsh", "sem_pingpong.ipc")}},
		// The same two calls in one process, never waiting: what each
		// statement adds, without context switches, beside Go's own floor.
		{name: "semself", pinned: true, tiny: 10, cs: []contestant{
			c("sem_self"), goSem("Go raw", "raw"), goSem("Go", ""), python("sem_self.py", true), ipcsh("ipcsh", "sem_self.ipc")}},
		{name: "pmq", pinned: true, tiny: 10, cs: []contestant{
			c("pmq_pingpong"), ipcsh("ipcsh", "pmq_pingpong.ipc")}},
		{name: "psem", pinned: true, tiny: 10, cs: []contestant{
			c("psem_pingpong"), ipcsh("ipcsh", "psem_pingpong.ipc")}},
		{name: "shm", pinned: true, tiny: 10, cs: []contestant{
			c("shm_handoff"), ipcsh("ipcsh", "shm_handoff.ipc")}},
		{name: "bulk", pinned: true, tiny: 4, fixedN: bulkBlocks, cs: []contestant{
			c("bulk_pipe"), ipcsh("ipcsh", "bulk_pipe.ipc")}},
		{name: "spawn", pinned: true, tiny: 2, cs: []contestant{
			c("forkexec"), forkOnly, ipcsh("ipcsh", "spawn.ipc")}},
		// Unpinned, like start-up: a family is where a second CPU helps,
		// for C's children as for ipcsh's.
		{name: "family", tiny: 1, cs: []contestant{
			c("family"), ipcsh("ipcsh", "family.ipc")}},
		{name: "startup", tiny: 1, cs: []contestant{
			launch("C", "", filepath.Join(e.out, "startup")), perlStart, pythonStart,
			launch("Go", "", filepath.Join(e.out, "gohello")),
			launch("ipcsh", "", filepath.Join(e.out, "ipcsh"), "-c", "print 1")}},
		{name: "loop", tiny: 100, cs: []contestant{
			perl("loop.pl"), python("loop.py", false), ipcsh("ipcsh", "loop.ipc")}},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
