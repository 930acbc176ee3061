package main

// --trace and --diagram: the event stream of a run, as JSON Lines, as a
// Chrome trace (FILE.json), or drawn as a sequence diagram. The drawing
// is package timeline's; this file only decides, from the file names,
// what to write where.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ipcsh/timeline"
)

// visual is the outputs of one run's --trace and --diagram.
type visual struct {
	trace, diagram *os.File
	chrome         bool   // --trace FILE.json: a Chrome trace, written at the end
	kind           string // the diagram's extension: "mmd", "svg" or "html"
	// spool keeps the events for what is written at the end, in an
	// unlinked temporary file: a long run's events need not fit in
	// memory, and nothing is left behind however the run ends.
	spool *os.File
	buf   *bufio.Writer
	w     io.Writer // what the run writes its events to; nil for neither
}

// openVisual creates the files before the run, so that a path that
// cannot be written, or a diagram of an unknown kind, is a command-line
// error (exit 2) before anything runs.
func openVisual(tracePath, diagramPath string) (*visual, error) {
	v := &visual{}
	if diagramPath != "" {
		v.kind = strings.TrimPrefix(strings.ToLower(filepath.Ext(diagramPath)), ".")
		if v.kind == "htm" {
			v.kind = "html"
		}
		if v.kind != "mmd" && v.kind != "svg" && v.kind != "html" {
			return nil, fmt.Errorf("--diagram %s: the name must end in .mmd (Mermaid), .svg or .html", diagramPath)
		}
	}
	var err error
	if tracePath != "" {
		v.chrome = strings.EqualFold(filepath.Ext(tracePath), ".json")
		if v.trace, err = os.Create(tracePath); err != nil {
			return nil, fmt.Errorf("--trace: %v", err)
		}
	}
	if diagramPath != "" {
		if v.diagram, err = os.Create(diagramPath); err != nil {
			v.close()
			return nil, fmt.Errorf("--diagram: %v", err)
		}
	}
	if v.chrome || v.diagram != nil {
		if v.spool, err = os.CreateTemp("", "ipcsh-events-*.jsonl"); err != nil {
			v.close()
			return nil, fmt.Errorf("--trace/--diagram: a file for the events: %v", err)
		}
		_ = os.Remove(v.spool.Name())
		v.buf = bufio.NewWriterSize(v.spool, 64*1024)
	}
	switch {
	case v.trace != nil && !v.chrome && v.buf != nil:
		// JSON Lines as the run goes, and the events kept for the diagram.
		v.w = io.MultiWriter(v.trace, v.buf)
	case v.trace != nil && !v.chrome:
		v.w = v.trace
	case v.buf != nil:
		v.w = v.buf
	}
	return v, nil
}

// writer is the run's interp.Config.Trace: nil (not a nil *os.File) when
// neither flag was given, so the run writes no events at all.
func (v *visual) writer() io.Writer {
	if v == nil || v.w == nil {
		return nil
	}
	return v.w
}

// finish writes what is drawn from the events, once the run has ended and
// every event is written, and returns the run's exit code: that of the
// run, or 1 when the run succeeded but its picture could not be written.
func (v *visual) finish(code int, stderr io.Writer) int {
	if v == nil {
		return code
	}
	err := v.draw()
	if cerr := v.close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "ipcsh: %v\n", err)
		if code == exitOK {
			return exitError
		}
	}
	return code
}

func (v *visual) draw() error {
	if v.spool == nil {
		return nil
	}
	if err := v.buf.Flush(); err != nil {
		return fmt.Errorf("keeping the events: %v", err)
	}
	if _, err := v.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("keeping the events: %v", err)
	}
	events, err := timeline.Decode(bufio.NewReader(v.spool))
	if err != nil {
		return fmt.Errorf("reading back the events: %v", err)
	}
	var errs []error
	if v.chrome {
		errs = append(errs, writeTo(v.trace, "--trace", func(w io.Writer) error { return timeline.WriteChrome(w, events) }))
	}
	if v.diagram != nil {
		draw := map[string]func(io.Writer, []timeline.Event) error{
			"mmd": timeline.WriteMermaid, "svg": timeline.WriteSVG, "html": timeline.WriteHTML}[v.kind]
		errs = append(errs, writeTo(v.diagram, "--diagram", func(w io.Writer) error { return draw(w, events) }))
	}
	return errors.Join(errs...)
}

func writeTo(f *os.File, flag string, write func(io.Writer) error) error {
	bw := bufio.NewWriter(f)
	err := write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("%s %s: %v", flag, f.Name(), err)
	}
	return nil
}

func (v *visual) close() error {
	var errs []error
	for _, f := range []*os.File{v.trace, v.diagram, v.spool} {
		if f != nil {
			if err := f.Close(); err != nil && f != v.spool {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
