package golden

import (
	"bufio"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
)

// Trace maps each transcript line of a run back to the statement that
// printed it, from the run's --trace file (JSON lines, one per event, see
// interp/trace.go). Every event is one transcript line of its process,
// except a print, which is one line per line of its text.
type Trace struct {
	dir string              // the script's directory: positions are relative to it
	pos map[string][]string // process -> "file:line:col" of each of its lines
}

type traceRecord struct {
	Proc string `json:"proc"`
	Kind string `json:"kind"`
	Pos  string `json:"pos"`
	Text string `json:"text"`
}

// ReadTrace reads a trace written by `ipcsh --trace` for a script run in
// dir. A trace cut short (a killed run) yields what it has; a line that
// is not JSON ends it.
func ReadTrace(r io.Reader, dir string) *Trace {
	t := &Trace{dir: dir, pos: map[string][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var rec traceRecord
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			break
		}
		n := 1
		if rec.Kind == "print" {
			n += strings.Count(rec.Text, "\n")
		}
		for range n {
			t.pos[rec.Proc] = append(t.pos[rec.Proc], rec.Pos)
		}
	}
	return t
}

// Where is the script position "path:line" of process proc's i-th
// transcript line (from 0), or "" when unknown. The path is relative to
// where the test was started (the script's directory joined with the
// file name the run reported).
func (t *Trace) Where(proc string, i int) string {
	if t == nil || i < 0 || i >= len(t.pos[proc]) {
		return ""
	}
	p := t.pos[proc][i]
	// "file:line:col" -> "file:line"; the file name may contain colons.
	k := strings.LastIndexByte(p, ':')
	if k < 0 {
		return ""
	}
	p = p[:k]
	if k = strings.LastIndexByte(p, ':'); k < 0 {
		return ""
	}
	file, line := p[:k], p[k+1:]
	if !filepath.IsAbs(file) && t.dir != "" {
		file = filepath.Join(t.dir, file)
	}
	return file + ":" + line
}
