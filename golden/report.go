package golden

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Summary counts outcomes for the closing line.
type Summary struct {
	Passed, Failed, Flaky, Updated int
}

// Add counts one outcome.
func (s *Summary) Add(o Outcome) {
	switch o.Status {
	case OK:
		s.Passed++
	case Flaky:
		s.Flaky++
	default:
		s.Failed++
	}
	if o.Updated {
		s.Updated++
	}
}

// OK reports whether every test passed.
func (s Summary) OK() bool { return s.Failed == 0 && s.Flaky == 0 }

// String is the closing line: "3 passed, 1 failed, 0 flaky".
func (s Summary) String() string {
	line := fmt.Sprintf("%d passed, %d failed, %d flaky", s.Passed, s.Failed, s.Flaky)
	if s.Updated > 0 {
		line += fmt.Sprintf(" (%d golden files updated)", s.Updated)
	}
	return line
}

// seconds renders a duration as the reports show it: "0.12s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

// WriteText writes one outcome for a person: `ok NAME 0.12s`,
// `updated NAME 0.12s`, or `FAIL NAME 0.12s` / `FLAKY NAME 0.12s`
// followed by the explanation, indented.
func WriteText(w io.Writer, o Outcome) {
	word := map[Status]string{OK: "ok", Fail: "FAIL", Flaky: "FLAKY"}[o.Status]
	if o.Updated {
		word = "updated"
	}
	fmt.Fprintf(w, "%s %s %s\n", word, o.Test.Name, seconds(o.Elapsed))
	if o.Message != "" {
		fmt.Fprint(w, indent(o.Message, "    "))
	}
}

func indent(text, prefix string) string {
	var b strings.Builder
	for _, l := range splitLines(text) {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

// jsonOutcome is one line of --json.
type jsonOutcome struct {
	Name    string  `json:"name"`
	Status  Status  `json:"status"`
	Seconds float64 `json:"seconds"`
	Runs    int     `json:"runs"`
	Updated bool    `json:"updated,omitempty"`
	Diff    string  `json:"diff"`
}

// WriteJSON writes one outcome as one JSON object on one line.
func WriteJSON(w io.Writer, o Outcome) error {
	return json.NewEncoder(w).Encode(jsonOutcome{
		Name:    o.Test.Name,
		Status:  o.Status,
		Seconds: o.Elapsed.Seconds(),
		Runs:    o.Runs,
		Updated: o.Updated,
		Diff:    o.Message,
	})
}

// The JUnit XML schema as CI systems (Jenkins, GitLab, GitHub actions)
// read it: one suite, one testcase per test, a failure element with the
// explanation as its text.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes all outcomes as one JUnit XML test suite; elapsed is
// the time of the whole run.
func WriteJUnit(w io.Writer, outcomes []Outcome, elapsed time.Duration) error {
	secs := func(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
	suite := junitSuite{Name: "ipcsh test", Tests: len(outcomes), Time: secs(elapsed)}
	for _, o := range outcomes {
		c := junitCase{Name: o.Test.Name, Classname: "ipcsh." + filepath.ToSlash(filepath.Dir(o.Test.Name)), Time: secs(o.Elapsed)}
		if o.Status != OK {
			suite.Failures++
			c.Failure = &junitFailure{Message: firstLine(o.Message), Type: string(o.Status), Text: o.Message}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
