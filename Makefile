# ipcsh — the two commands of the README are `make run` and `make test`.
GO      ?= go
BIN     := bin/ipcsh
EXAMPLE ?= scripts/examples/02-pipe-to-itself.ipc

.PHONY: all build run test vet fmt-check race fuzz bench clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/ipcsh

# Build and run one example (EXAMPLE=path to pick another).
run: build
	./$(BIN) $(EXAMPLE)

# Every check CI runs: formatting, vet, the race-enabled tests, and a
# final look that the tests left no SysV object behind.
test: fmt-check vet
	./scripts/no-leaks.sh $(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Long fuzzing stays out of `make test` (FUZZTIME=10m make fuzz).
FUZZTIME ?= 2m
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) ./lang/

# Benchmarks report ratios; latency benchmarks pin to one CPU.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./lang/ ./interp/

clean:
	rm -rf bin
