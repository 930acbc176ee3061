# ipcsh — the two commands of the README are `make run` and `make test`.
GO      ?= go
BIN     := bin/ipcsh
EXAMPLE ?= scripts/examples/02-pipe-to-itself.ipc

.PHONY: all build run test soak vet fmt-check race fuzz bench clean diagrams

all: build

build:
	$(GO) build -o $(BIN) ./cmd/ipcsh

# Build and run one example (EXAMPLE=path to pick another).
run: build
	./$(BIN) $(EXAMPLE)

# Every check CI runs: formatting, vet, the race-enabled tests, and a
# final look that the tests left no SysV object behind.
# Packages run one at a time (-p 1): several of them check that the system
# has no SysV object their runs did not clean up, and another package's
# test holding a semaphore at that moment would look like a leak.
# Each golden script runs IPCSH_GOLDEN_RUNS times (5 times as many with
# several processes); make soak repeats the whole suite for the long count.
IPCSH_GOLDEN_RUNS ?= 2
export IPCSH_GOLDEN_RUNS
test: fmt-check vet
	./scripts/no-leaks.sh $(GO) test -race -count=1 -p 1 ./...

# The whole `make test`, SOAK_RUNS times (default 10), each in a fresh
# clone of HEAD: every test that failed in any run, with its output, and
# anything a run left behind. Not part of `make test`: it takes N times as long.
soak:
	./scripts/soak.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Long fuzzing stays out of `make test` (FUZZTIME=10m make fuzz): what
# parses text (the parser, the formatter, pack formats) and the start
# record that carries values to a child. Each keeps its corpus in testdata.
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./lang/
	$(GO) test -run='^$$' -fuzz='^FuzzFormat$$' -fuzztime=$(FUZZTIME) ./lang/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeStmts$$' -fuzztime=$(FUZZTIME) ./lang/
	$(GO) test -run='^$$' -fuzz='^FuzzPackFormat$$' -fuzztime=$(FUZZTIME) ./interp/
	$(GO) test -run='^$$' -fuzz='^FuzzStartRecord$$' -fuzztime=$(FUZZTIME) ./interp/
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeStart$$' -fuzztime=$(FUZZTIME) ./interp/

# The Go micro-benchmarks, then the table of BENCHMARKS.md: ipcsh against
# C, Perl and Python, interleaved rounds, ratios, latency pinned to one CPU
# (bench/main.go). BENCH_QUICK=1 for a quick look, BENCH_ROUNDS=N for more.
# The status file carries go test's exit status past tee (sh has no pipefail).
bench:
	@mkdir -p bench/out
	( $(GO) test -run='^$$' -bench=. -benchmem -count=1 $(if $(filter 1,$(BENCH_QUICK)),-benchtime=200ms) ./lang/ ./interp/; \
	  echo $$? >bench/out/gobench.status ) | tee bench/out/gobench.txt
	@exit $$(cat bench/out/gobench.status)
	GO=$(GO) $(GO) run ./bench -gobench bench/out/gobench.txt

# The pictures the tour links: one run of each example, drawn as a sequence
# diagram (go test ./golden -run Diagrams checks that each has the
# lifelines and arrows a run draws now, and that no label overlaps).
diagrams: build
	@mkdir -p docs/diagrams
	@for f in scripts/examples/*.ipc golden/testdata/readme-ping.ipc; do \
		n=$$(basename $$f .ipc); \
		(cd $$(dirname $$f) && ../../$(BIN) --stall 300ms --diagram ../../docs/diagrams/$$n.svg $$n.ipc >/dev/null 2>&1); \
		test -s docs/diagrams/$$n.svg || { echo "no diagram for $$f"; exit 1; }; \
	done

clean:
	rm -rf bin
