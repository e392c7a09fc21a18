# Nook's build. The two commands a newcomer needs:
#   make run    build and start the desktop messenger
#   make test   run every test (installs missing system packages as root)

GO        ?= go
BIN       := bin
ENGINE    := ./engine/...
UI        := ./app/... ./widgets/... ./assets/...
TESTFLAGS ?= -timeout 30m
# Pinned to the same flags everywhere: changing -trimpath or CGO_CFLAGS
# recompiles Fyne's C code (≈ 3 minutes).
BUILDFLAGS := -trimpath

.PHONY: all run build server test test-engine test-ui lint bench fuzz deps-build deps-test clean

all: build

deps-build:
	@packaging/deps.sh build

deps-test:
	@packaging/deps.sh test

## run: build the desktop app and start it
run: build
	$(BIN)/nook

## build: the desktop app at bin/nook
build: deps-build
	$(GO) build $(BUILDFLAGS) -o $(BIN)/nook ./app/desktop

## server: the headless group server at bin/nook-server (no Fyne, no cgo)
server:
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o $(BIN)/nook-server ./app/server

## test: every test; engine packages under the race detector
test: deps-test test-engine test-ui

test-engine:
	$(GO) test -race $(TESTFLAGS) $(ENGINE)

test-ui:
	$(GO) test $(TESTFLAGS) $(UI)

## lint: gofmt, go vet, staticcheck
lint: deps-build
	@out=$$(gofmt -l app engine widgets assets); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## bench: the benchmarks, once each, with their reported metrics
BENCHTIME ?= 1s
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -timeout 60m $(ENGINE)

## fuzz: run every fuzz target for FUZZTIME each (the corpora also run in make test)
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list $(ENGINE)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN) dist
