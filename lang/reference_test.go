package lang

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/reference.md from the statement table")

const referencePath = "../docs/reference.md"

// TestReferenceMatchesTable: docs/reference.md is the statement table
// rendered (-update rewrites it), so it cannot drift from the parser,
// help and completion.
func TestReferenceMatchesTable(t *testing.T) {
	want := Reference()
	if *update {
		if err := os.WriteFile(referencePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docs/reference.md differs from the statement table in spec.go; run go test ./lang -run Reference -update and review the diff")
	}
}

// TestSpecExamples: every statement has an example, and it parses and
// uses the statement.
func TestSpecExamples(t *testing.T) {
	for _, s := range Specs {
		if s.Example == "" {
			t.Errorf("%s has no example", s.Name)
			continue
		}
		if _, err := Parse("example", s.Example); err != nil {
			t.Errorf("%s: the example %q does not parse: %v", s.Name, s.Example, err)
		}
		if !strings.Contains(" "+s.Example, " "+s.Name+" ") && !strings.HasPrefix(s.Example, s.Name) && !strings.Contains(s.Example, "= "+s.Name) {
			t.Errorf("%s: the example %q does not use it", s.Name, s.Example)
		}
	}
}
