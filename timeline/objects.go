package timeline

import (
	"strconv"
	"strings"
)

// Which object a call acted on, for the calls whose event does not name
// one. interp names the object of a pipe, a write, a send, a sem p...,
// but not of msgget, semget, shmget, mkfifo, attach, msgctl or shmctl
// (their id is not at hand where the event is written, or there is none:
// a shared memory segment is touched without a system call). A picture
// that draws `pipe p` as an arrow to the pipe's lifeline and `msgget q`
// as a note tells two stories about one thing, creation; so the object
// is found here from the names the script gives: `msgget q` creates the
// queue that the next `send q`/`recv q` names by id; `mkfifo PATH`
// the FIFO that `open H PATH` opens; `attach VIEW SEG` maps SEG.
//
// Segments get a lifeline of their own, keyed by name ("shm:seg"), as
// the trace has no id for them. A name is the script's, shared by a
// parent and the children it spawns, which inherit its handles; a second
// creation under one name is a new object.

// creates maps a creating verb to the kind of object it creates.
var creates = map[string]string{"msgget": "msg", "semget": "sem", "shmget": "shm", "mkfifo": "fifo"}

// resolveObjects returns the events with Obj filled in where the script's
// names say which object a call acted on, and a name for the lifeline of
// each object created by name (obj -> "q", "$TMP/fifo").
func resolveObjects(events []Event) ([]Event, map[string]string) {
	out := append([]Event(nil), events...)
	names := map[string]string{} // obj -> the name its lifeline shows
	bound := map[string]string{} // a handle or path -> the object it names now
	created := map[string]int{}  // kind+name -> creations so far
	for i := range out {
		e := &out[i]
		if e.isPrint() {
			continue
		}
		f := stmtFields(e.Stmt)
		arg := func(k int) string {
			if k < len(f) {
				return f[k]
			}
			return ""
		}
		if kind, ok := creates[e.Verb]; ok && e.Obj == "" {
			name := arg(1)
			if name == "" {
				continue
			}
			obj := laterObj(out, i, kind, name)
			if obj == "" {
				// Nothing later names it by id: a lifeline of its own.
				created[kind+" "+name]++
				obj = kind + ":" + name
				if n := created[kind+" "+name]; n > 1 {
					obj += "#" + strconv.Itoa(n)
				}
			}
			e.Obj = obj
			names[obj] = strings.Trim(name, `"`)
			bound[name] = obj
			continue
		}
		if e.Obj != "" {
			if k := e.objKind(); objKinds[k] != "" {
				// The names of an object named by id: its handle, a pipe's
				// ends, the path an open gave.
				h := e.handle()
				bound[h] = e.Obj
				if k == "pipe" {
					base := strings.TrimSuffix(strings.TrimSuffix(h, ".r"), ".w")
					bound[base], bound[base+".r"], bound[base+".w"] = e.Obj, e.Obj, e.Obj
				}
				if e.Verb == "open" && arg(2) != "" {
					bound[arg(2)] = e.Obj
				}
			}
			continue
		}
		switch e.Verb {
		case "attach": // attach VIEW SEG: the view names the segment from now on
			if obj := bound[arg(2)]; obj != "" {
				e.Obj = obj
				bound[arg(1)] = obj
			}
		case "spawn", "wait", "exit", "pclose", "popen", "ipcrm", "sleep", "exec", "kill", "signal", "sigwait", "trap":
		default:
			// msgctl q, shmctl seg, detach VIEW, stat PATH, unlink PATH,
			// pipesize p: the object the word names, if it names one.
			if obj := bound[arg(1)]; obj != "" {
				e.Obj = obj
			}
		}
	}
	return out, names
}

// laterObj finds the object a creation at i made: the first later event
// naming by id an object of that kind, under that name (its handle, or
// for a FIFO the path an open gave), before another creation of the name.
func laterObj(events []Event, i int, kind, name string) string {
	for j := i + 1; j < len(events); j++ {
		e := &events[j]
		if e.Verb == events[i].Verb && len(stmtFields(e.Stmt)) > 1 && stmtFields(e.Stmt)[1] == name {
			return "" // created again before it was used
		}
		if e.objKind() != kind || e.isPrint() {
			continue
		}
		if e.handle() == name {
			return e.Obj
		}
		if f := stmtFields(e.Stmt); e.Verb == "open" && len(f) > 2 && f[2] == name {
			return e.Obj
		}
	}
	return ""
}

// stmtFields splits a statement at spaces, keeping each string literal
// (as the transcript quotes it) as one field, quotes and all, and
// dropping the index of a semaphore ("s[1]" is "s"): the words a name
// can be compared by.
func stmtFields(stmt string) []string {
	out := fields(stmt)
	for i, w := range out {
		if !strings.HasPrefix(w, `"`) {
			out[i], _, _ = strings.Cut(w, "[")
		}
	}
	return out
}

// fields splits a statement at the spaces outside its string literals
// (quoted as the transcript quotes them, Go's %q), each literal one field
// with its quotes.
func fields(stmt string) []string {
	var out []string
	var cur strings.Builder
	inStr, esc := false, false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for k := 0; k < len(stmt); k++ {
		c := stmt[k]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && c == ' ':
			flush()
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return out
}
