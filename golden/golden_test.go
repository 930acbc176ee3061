package golden

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The project's own golden tests: every scripts/examples/*.ipc and
// golden/testdata/*.ipc, checked by the same Runner that `ipcsh test`
// uses.

var (
	update    = flag.Bool("update", false, "rewrite the golden files from a real run")
	countRuns = flag.Int("count-runs", defaultRuns(), "how many times each golden script runs (5 times as many with several processes); every run must match; default $IPCSH_GOLDEN_RUNS or 10")
)

// multiProcessFactor: a script whose transcript shows more than one
// process runs this many times more often (50 by default, as issue 3
// asks): interleavings differ from run to run, and each run must still
// print the same transcript per process.
const multiProcessFactor = 5

// runTimeout bounds one run of a script: a golden script that hangs is a
// failure, not a stuck test.
const runTimeout = 20 * time.Second

// ipcsh is the binary under test, built once by TestMain.
var ipcsh string

// defaultRuns is $IPCSH_GOLDEN_RUNS, else 10: make test runs each script
// a few times and make soak runs make test ten times over, so determinism
// is checked across runs and clones without one test run taking minutes.
func defaultRuns() int {
	if n, err := strconv.Atoi(os.Getenv("IPCSH_GOLDEN_RUNS")); err == nil && n > 0 {
		return n
	}
	return 10
}

func TestMain(m *testing.M) {
	flag.Parse()
	syscall.Umask(Umask)
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "golden-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "golden:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ipcsh = filepath.Join(dir, "ipcsh")
	args := []string{"build", "-o", ipcsh}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "ipcsh/cmd/ipcsh")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "golden: go build ipcsh: %v\n%s", err, out)
		return 1
	}
	// Every run gets a private TMPDIR, so the interpreter's tmp directories
	// never land in the real one; check anyway that none appeared there.
	before := realTmpLeftovers()
	code := m.Run()
	if left := waitGone(before, realTmpLeftovers); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "golden: the runs left %s in %s\n", strings.Join(left, ", "), os.TempDir())
		code = 1
	}
	return code
}

// realTmpLeftovers lists, in the real TMPDIR, the interpreter's tmp
// directories (ipcsh-*; the default clean-up journal directory ipcsh-UID
// may be there, and is not one of ours: each run has its own journal
// directory) and the runner's run directories (golden-run-*).
func realTmpLeftovers() map[string]bool {
	left := map[string]bool{}
	journal := "ipcsh-" + strconv.Itoa(os.Getuid())
	for _, pattern := range []string{"ipcsh-*", "golden-run-*"} {
		m, _ := filepath.Glob(filepath.Join(os.TempDir(), pattern))
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() && filepath.Base(p) != journal {
				left[filepath.Base(p)] = true
			}
		}
	}
	return left
}

// projectTests lists the project's golden tests by label ("examples/x")
// through Find, as `ipcsh test` would, naming every script explicitly so
// that one without a golden file is seen (and written with -update).
func projectTests(t *testing.T) map[string]Test {
	tests := map[string]Test{}
	for _, d := range []struct{ label, dir string }{
		{"examples", filepath.Join("..", "scripts", "examples")},
		{"testdata", "testdata"},
	} {
		var files []string
		for _, ext := range []string{"*.ipc", "*.golden"} {
			m, err := filepath.Glob(filepath.Join(d.dir, ext))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
		found, err := Find(files)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range found {
			tests[d.label+"/"+filepath.Base(tc.Name)] = tc
		}
	}
	if len(tests) == 0 {
		t.Fatal("no golden scripts found")
	}
	return tests
}

func TestGolden(t *testing.T) {
	tests := projectTests(t)
	names := make([]string, 0, len(tests))
	for n := range tests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		tc := tests[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkProjectTest(t, tc)
		})
	}
}

func checkProjectTest(t *testing.T, tc Test) {
	runs := max(*countRuns, 1)
	if b, err := os.ReadFile(tc.Golden); err == nil {
		if want, err := Parse(string(b)); err == nil && len(Processes(want.Stdout)) > 1 {
			runs *= multiProcessFactor
		}
	} else if _, serr := os.Stat(tc.Script); serr == nil && !*update {
		t.Skipf("%s has no golden file; make one with go test ./golden -update", tc.Script)
	}

	sysvBefore, haveSysV := sysvObjects(t)
	r := &Runner{
		Binary:  ipcsh,
		Count:   runs,
		Timeout: runTimeout,
		Update:  *update,
		// A race-enabled binary otherwise sleeps 1s at exit.
		Env: []string{"GORACE=atexit_sleep_ms=0"},
	}
	o := r.Check(context.Background(), tc)
	if o.Updated {
		t.Logf("updated %s", tc.Golden)
	}
	if o.Status != OK {
		var b strings.Builder
		WriteText(&b, o)
		t.Errorf("%s", b.String())
	}
	if haveSysV {
		if left := waitGone(sysvBefore, func() map[string]bool { m, _ := sysvObjects(t); return m }); len(left) > 0 {
			t.Errorf("SysV objects left behind (ipcs): %s", strings.Join(left, "; "))
		}
	}
}

// sysvObjects lists the SysV message queues, shared memory segments and
// semaphore sets `ipcs -q -m -s` shows; ok is false when ipcs is missing.
func sysvObjects(t *testing.T) (objs map[string]bool, ok bool) {
	t.Helper()
	path, err := exec.LookPath("ipcs")
	if err != nil {
		return nil, false
	}
	out, err := exec.Command(path, "-q", "-m", "-s").Output()
	if err != nil {
		t.Errorf("ipcs -q -m -s: %v", err)
		return nil, false
	}
	objs = map[string]bool{}
	section := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "------ ") {
			section = strings.Trim(l, "- ")
			continue
		}
		if f := strings.Fields(l); len(f) >= 2 && strings.HasPrefix(f[0], "0x") {
			objs[fmt.Sprintf("%s key=%s id=%s", section, f[0], f[1])] = true
		}
	}
	return objs, true
}

// waitGone returns what now() lists that before did not, once it stays
// there: other tests of this package, and other programs on the machine,
// run at the same time, and what their live runs hold disappears when
// they end, while a real leftover stays.
func waitGone(before map[string]bool, now func() map[string]bool) []string {
	return waitGoneFor(5*time.Second, before, now)
}

func waitGoneFor(patience time.Duration, before map[string]bool, now func() map[string]bool) []string {
	deadline := time.Now().Add(patience)
	for {
		var extra []string
		for k := range now() {
			if !before[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) == 0 || time.Now().After(deadline) {
			sort.Strings(extra)
			return extra
		}
		time.Sleep(100 * time.Millisecond)
	}
}
