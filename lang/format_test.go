package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatExamples formats every script of the project: the result
// parses, says the same (the same canonical text when formatted again),
// and formatting is idempotent.
func TestFormatExamples(t *testing.T) {
	var files []string
	for _, pat := range []string{"../scripts/examples/*.ipc", "../golden/testdata/*.ipc", "../bench/ipcsh/*.ipc", "../timeline/testdata/*.ipc"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d scripts", len(files))
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(path, string(src)); err != nil {
			continue // the error cases of golden/testdata
		}
		once, err := Format(path, string(src))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		twice, err := Format(path, once)
		if err != nil {
			t.Errorf("%s: the formatted script does not parse: %v\n%s", path, err, once)
			continue
		}
		if once != twice {
			t.Errorf("%s: formatting is not idempotent:\n--- once\n%s--- twice\n%s", path, once, twice)
		}
	}
}

func TestFormatLayout(t *testing.T) {
	src := "if x==1{print   -a,b;close f1;close f2}else if !y {  print \"no\" # c\n}\n" +
		"let m=recv q type= -5\nquiet repeat 3{sem p s[0];sem v s[1]}\n\n\n\n" +
		"spawn w exec ls -l (tmp+\"/x\") stdout=p.w # run ls\n" +
		"a[0:5]=\"hello\"; atomic a.i64[0]+=1\nwrite p.w hex(1)[3:]\n" +
		"# the end\n"
	want := `if x == 1 { print -a, b; close f1; close f2 } else if !y {
  print "no"  # c
}
let m = recv q type=-5
quiet repeat 3 { sem p s[0]; sem v s[1] }

spawn w exec ls -l (tmp + "/x") stdout=p.w  # run ls
a[0:5] = "hello"
atomic a.i64[0] += 1
write p.w hex(1)[3:]
# the end
`
	got, err := Format("t.ipc", src)
	if err != nil || got != want {
		t.Errorf("Format:\n%s\nerr %v\nwant:\n%s", got, err, want)
	}
	// A block written over several lines stays so; one too wide for a line
	// is opened.
	long := "repeat 2 { print \"" + strings.Repeat("x", 80) + "\" }\n"
	if got, _ := Format("t.ipc", long); !strings.Contains(got, "{\n  print") {
		t.Errorf("a block wider than a line stayed inline:\n%s", got)
	}
	if _, err := Format("t.ipc", "print )\n"); err == nil {
		t.Error("a syntax error was formatted")
	}
}
