package main

// End-to-end tests of --trace FILE.json and --diagram: the built binary
// records and draws real runs, and headless Chromium looks at the
// pictures. Run them alone with `go test ./cmd/ipcsh -run Visual`;
// `-update` records timeline/testdata/arrows.jsonl and its arrows anew
// (then `go test ./timeline -update` redraws the goldens made from it).

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ipcsh/timeline"
)

// arrowsDir holds the script whose arrows are known, and their golden file.
var arrowsDir = filepath.Join("..", "..", "timeline", "testdata")

func init() {
	// -update may be defined by another test file of the package.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files from real runs")
	}
}

func visualUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// traceOf runs the arrows script with --trace into dir/name and returns
// what was written. The script runs in its own directory, so positions
// read "arrows.ipc:LINE:COL" wherever the test runs from.
func traceOf(t *testing.T, name string, extra ...string) (string, result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	before := sysvSnapshot(t)
	args := append([]string{"--trace", out}, extra...)
	r := ipcsh(t, opts{dir: arrowsDir}, append(args, "arrows.ipc")...)
	wantCode(t, r, 0)
	wantNoNewObjects(t, before)
	return out, r
}

// TestVisualArrowsGolden: the arrows of a live run are exactly the ones
// reviewed in timeline/testdata/arrows.golden: a pipe read spanning two
// writes, a write split over two reads, messages picked by type, a
// semaphore op on two semaphores, spawn, exit and wait, and EOF.
func TestVisualArrowsGolden(t *testing.T) {
	t.Parallel()
	path, _ := traceOf(t, "t.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	events, err := timeline.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range timeline.Arrows(events) {
		b.WriteString(timeline.ArrowLine(events, a) + "\n")
	}
	golden := filepath.Join(arrowsDir, "arrows.golden")
	if visualUpdate() {
		for file, data := range map[string][]byte{golden: []byte(b.String()), filepath.Join(arrowsDir, "arrows.jsonl"): raw} {
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the arrows of a run of arrows.ipc:\n%s\nwant (%s):\n%s", b.String(), golden, want)
	}
}

// TestVisualChromeTrace: --trace FILE.json is a valid Chrome trace with
// a track per process and a flow per arrow; other names stay JSON Lines.
func TestVisualChromeTrace(t *testing.T) {
	t.Parallel()
	path, _ := traceOf(t, "t.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := timeline.CheckChrome(data)
	if err != nil {
		t.Fatalf("%s breaks the trace format:\n%v", path, err)
	}
	want, err := os.ReadFile(filepath.Join(arrowsDir, "arrows.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if arrows := strings.Count(string(want), "\n"); st.Tracks != 2 || st.Flows != arrows || st.Slices == 0 || st.Instants == 0 {
		t.Errorf("the trace holds %+v; want 2 tracks, %d flows, slices and instants", st, arrows)
	}

	for _, name := range []string{"t.jsonl", "t"} {
		path, _ := traceOf(t, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		var rec map[string]any
		if err := json.Unmarshal([]byte(first), &rec); err != nil || rec["seq"] != 1.0 {
			t.Errorf("--trace %s: the first line is not an event of JSON Lines: %q (%v)", name, first, err)
		}
	}
}

// TestVisualDiagramKinds: each kind of --diagram, alone and with --trace.
func TestVisualDiagramKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mmd, svg, html := filepath.Join(dir, "d.mmd"), filepath.Join(dir, "d.svg"), filepath.Join(dir, "d.html")
	trace, _ := traceOf(t, "both.jsonl", "--diagram", mmd)
	for _, args := range [][]string{{"--diagram", svg}, {"--diagram", html}} {
		r := ipcsh(t, opts{dir: arrowsDir}, append(args, "arrows.ipc")...)
		wantCode(t, r, 0)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if s := read(trace); strings.Count(s, "\n") != 26 {
		t.Errorf("--trace beside --diagram: %d lines, want the 26 events", strings.Count(s, "\n"))
	}
	m := read(mmd)
	wantContains(t, "the Mermaid diagram", m, "%% ipcsh arrows.ipc: 26 events, 2 processes\nsequenceDiagram\n",
		"participant P0 as main", "participant P4 as child")
	if !regexp.MustCompile(`O1-->>P0: #35;\d+ read p.r 13 -#gt; "o, world\\n"  ⟵ #35;\d+,#35;\d+\n`).MatchString(m) {
		t.Errorf("the Mermaid diagram lacks the read that took two writes:\n%s", m)
	}
	for _, p := range []string{svg, html} {
		s := strings.TrimPrefix(read(p), "<!DOCTYPE html>\n")
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed: %v", p, err)
			}
		}
		wantContains(t, p, s, ">main</text>", ">child</text>", ">pipe p</text>")
		wantLacks(t, p, s, "<script", "src=", "href=")
	}
}

func TestVisualFlagErrors(t *testing.T) {
	t.Parallel()
	script := writeScript(t, "x.ipc", "print 1\n")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--diagram", filepath.Join(dir, "x.png")}, "--diagram " + filepath.Join(dir, "x.png") + ": the name must end in .mmd (Mermaid), .svg or .html"},
		{[]string{"--diagram", filepath.Join(dir, "no", "x.svg")}, "--diagram: open"},
		{[]string{"--trace", filepath.Join(dir, "no", "x.json")}, "--trace: open"},
	} {
		r := ipcsh(t, opts{}, append(c.args, script)...)
		wantCode(t, r, 2)
		wantContains(t, "stderr", r.stderr, c.want)
		wantLacks(t, "stdout", r.stdout, "main: 1") // nothing ran
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); err == nil {
		t.Error("a diagram of an unknown kind was created")
	}
}

// threeProcs has main and two children: a producer and a consumer.
const threeProcs = `pipe p
semget s key=private init=0 create
spawn producer {
  write p.w "work\n"
  sem v s
}
spawn consumer {
  sem p s
  read p.r line
}
wait
`

// TestVisualChromium renders the SVG and the HTML page of a run in
// headless Chromium, and looks at the screenshot: not blank, and one
// header band per process, in the process colours.
func TestVisualChromium(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (apt-get install chromium): the pictures are not looked at")
	}
	script := writeScript(t, "three.ipc", threeProcs)
	for _, kind := range []string{"svg", "html"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			pic := filepath.Join(t.TempDir(), "d."+kind)
			before := sysvSnapshot(t)
			r := ipcsh(t, opts{}, "--diagram", pic, script)
			wantCode(t, r, 0)
			wantNoNewObjects(t, before)
			img := screenshot(t, pic)
			if frac := inked(img); frac < 0.01 {
				t.Errorf("the screenshot is blank: %.4f of its pixels are not white", frac)
			}
			bands := headerBands(img)
			want := []string{timeline.ProcessColors[0], timeline.ProcessColors[1], timeline.ProcessColors[2]}
			if strings.Join(bands, " ") != strings.Join(want, " ") {
				t.Errorf("header bands %v, want one per process: %v", bands, want)
			}
		})
	}
}

// screenshot renders page in headless Chromium at 1200x900 and decodes
// the PNG. Chromium runs in a process group of its own, killed when done,
// so none of its helper processes outlives the test.
func screenshot(t *testing.T, page string) image.Image {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.png")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+out, "--window-size=1200,900", "file://"+page)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its helpers, if any are left
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, clip(log.String()))
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, clip(log.String()))
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func rgb(img image.Image, x, y int) (int, int, int) {
	r, g, b, _ := img.At(x, y).RGBA()
	return int(r >> 8), int(g >> 8), int(b >> 8)
}

// inked is the fraction of pixels that are not white.
func inked(img image.Image) float64 {
	bd := img.Bounds()
	n := 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if r, g, b := rgb(img, x, y); r+g+b < 3*250 {
				n++
			}
		}
	}
	return float64(n) / float64(bd.Dx()*bd.Dy())
}

// paletteIndex is the process colour a pixel has, or -1.
func paletteIndex(r, g, b int) int {
	for k, c := range timeline.ProcessColors {
		v, _ := strconv.ParseUint(c[1:], 16, 32)
		cr, cg, cb := int(v>>16), int(v>>8&0xff), int(v&0xff)
		if abs(r-cr) <= 8 && abs(g-cg) <= 8 && abs(b-cb) <= 8 {
			return k
		}
	}
	return -1
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// headerBands finds the process headers in a screenshot: solid blocks of
// a process colour, at least 100 pixels wide and 4 high (arrows in those
// colours are thin lines, labels are small), on one line across the
// picture. It returns their colours, left to right, for the line with
// the most of them.
func headerBands(img image.Image) []string {
	bd := img.Bounds()
	type run struct{ k, x0, x1 int }
	// The runs of each line, from a map of every pixel's colour.
	known := map[[3]int]int{}
	lines := make([][]run, bd.Dy())
	for y := range lines {
		k0, x0 := -1, 0
		for x := 0; x <= bd.Dx(); x++ {
			k := -1
			if x < bd.Dx() {
				r, g, b := rgb(img, bd.Min.X+x, bd.Min.Y+y)
				c, ok := known[[3]int{r, g, b}]
				if !ok {
					c = paletteIndex(r, g, b)
					known[[3]int{r, g, b}] = c
				}
				k = c
			}
			if k == k0 && x < bd.Dx() {
				continue
			}
			if k0 >= 0 && x-x0 >= 100 {
				lines[y] = append(lines[y], run{k0, x0, x})
			}
			k0, x0 = k, x
		}
	}
	var best []string
	for y := 0; y+3 < len(lines); y++ {
		var found []string
		for _, r := range lines[y] {
			for _, s := range lines[y+3] {
				if s.k == r.k && abs(s.x0-r.x0) <= 2 && abs(s.x1-r.x1) <= 2 {
					found = append(found, timeline.ProcessColors[r.k])
				}
			}
		}
		if len(found) > len(best) {
			best = found
		}
	}
	return best
}

// keepShot copies a screenshot to $IPCSH_SHOTS, when set, to be looked at.
func keepShot(t *testing.T, img image.Image, name string) {
	dir := os.Getenv("IPCSH_SHOTS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// countColor counts the pixels of one colour, give or take 8 a channel.
func countColor(img image.Image, hex string) int {
	v, _ := strconv.ParseUint(hex[1:], 16, 32)
	cr, cg, cb := int(v>>16), int(v>>8&0xff), int(v&0xff)
	bd := img.Bounds()
	n := 0
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if r, g, b := rgb(img, x, y); abs(r-cr) <= 8 && abs(g-cg) <= 8 && abs(b-cb) <= 8 {
				n++
			}
		}
	}
	return n
}

// diagramOf runs a script with --diagram and returns the SVG, its
// structure, and that no label of it overlaps a bar or another label.
func diagramOf(t *testing.T, dir, script string, code int, extra ...string) (string, timeline.SVGStructure) {
	t.Helper()
	pic := filepath.Join(t.TempDir(), "d.svg")
	before := sysvSnapshot(t)
	r := ipcsh(t, opts{dir: dir}, append(append([]string{"--diagram", pic}, extra...), script)...)
	wantCode(t, r, code)
	wantNoNewObjects(t, before)
	data, err := os.ReadFile(pic)
	if err != nil {
		t.Fatal(err)
	}
	st, err := timeline.ReadSVG(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := timeline.CheckSVGLayout(data); err != nil {
		t.Errorf("%s: %v", script, err)
	}
	return pic, st
}

// TestVisualRingBuffer: three processes blocked in turn side by side (a
// ring buffer): lifelines in spawn order, no label over a bar, and in
// Chromium one header band per process, in the process colours.
func TestVisualRingBuffer(t *testing.T) {
	t.Parallel()
	pic, st := diagramOf(t, arrowsDir, "ring.ipc", 0)
	if got := strings.Join(st.Lanes, " "); got != "main shm seg sem s producer consumer1 consumer2" {
		t.Errorf("lanes %q", got)
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (apt-get install chromium): the picture is not looked at")
	}
	img := screenshot(t, pic)
	keepShot(t, img, "ring.png")
	want := strings.Join(timeline.ProcessColors[:4], " ")
	if got := strings.Join(headerBands(img), " "); got != want {
		t.Errorf("header bands %v, want %v", got, want)
	}
}

// TestVisualDeadlock: the deadlock example's picture shows each blocked
// call as an open bar to the end, and the deadlock band, in Chromium too.
func TestVisualDeadlock(t *testing.T) {
	t.Parallel()
	pic, st := diagramOf(t, filepath.Join("..", "..", "scripts", "examples"), "30-deadlock-report.ipc", 3, "--stall", "300ms")
	if st.OpenBars != 3 || !st.Deadlock {
		t.Errorf("%d open bars, deadlock marked %v; want 3 and true", st.OpenBars, st.Deadlock)
	}
	if got := strings.Join(st.Lanes, " "); got != "main pipe a pipe b left right" {
		t.Errorf("lanes %q", got)
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (apt-get install chromium): the picture is not looked at")
	}
	img := screenshot(t, pic)
	keepShot(t, img, "deadlock.png")
	// The band's pink fill and red text are drawn: a band across the
	// picture is thousands of pixels, its text hundreds.
	if n := countColor(img, "#fde8ea"); n < 5000 {
		t.Errorf("the deadlock band is missing: %d pixels of its colour", n)
	}
	if n := countColor(img, "#b00020"); n < 300 {
		t.Errorf("the deadlock's red text is missing: %d pixels", n)
	}
}
