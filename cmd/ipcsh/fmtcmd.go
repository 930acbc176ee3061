package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"ipcsh/lang"
)

const fmtUsage = `usage: ipcsh fmt [--check] FILE...
  rewrite each script in the canonical layout (lang.Format): blocks
  indented by two spaces, single spaces between words, trailing comments
  of consecutive lines in one column; statements and blocks written on
  one line stay on one line, and literals, comments and blank lines stay.
  --check   change nothing: list the files that are not in the layout,
            and exit 1 if there are any
`

// fmtCmd is `ipcsh fmt`. A file with a syntax error is reported and left
// as it is.
func fmtCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	check := fs.Bool("check", false, "")
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh fmt: %v\n", err)
		}
		fmt.Fprint(stderr, fmtUsage)
		return exitSyntax
	}
	code := exitOK
	for _, path := range fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: %v\n", err)
			code = exitSyntax
			continue
		}
		out, err := lang.Format(path, string(b))
		if err != nil {
			printSyntax(stderr, err)
			code = exitSyntax
			continue
		}
		if out == string(b) {
			continue
		}
		if *check {
			fmt.Fprintln(stdout, path)
			if code == exitOK {
				code = exitError
			}
			continue
		}
		st, err := os.Stat(path)
		if err == nil {
			err = os.WriteFile(path, []byte(out), st.Mode().Perm())
		}
		if err != nil {
			fmt.Fprintf(stderr, "ipcsh: %v\n", err)
			code = exitError
			continue
		}
		fmt.Fprintln(stdout, "formatted", path)
	}
	return code
}
