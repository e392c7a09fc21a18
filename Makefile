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

## demo: Nook end to end on this computer with no internet: a private Tor
## network on 127.0.0.1, a group server and two app windows (Maya's and
## Jonas's, already contacts, with a group). Ctrl+C stops it. DEMOFLAGS are
## passed on, e.g. DEMOFLAGS="--headless-screenshots build/shots".
.PHONY: demo
demo: deps-test build server
	$(GO) build $(BUILDFLAGS) -o $(BIN)/nook-demo ./app/demo
	$(BIN)/nook-demo $(DEMOFLAGS)

## test: every test; engine packages under the race detector
test: deps-test test-engine test-ui packaging-test

# Nothing a test starts may reach the public Tor network, not even a real
# binary launched by a test (engine/tor refuses when this is set). Only for
# the test targets: `make run` is for people and uses the real network.
test test-engine test-ui packaging-test test-windows: export NOOK_FORBID_PUBLIC_TOR := 1

test-engine:
	$(GO) test -race $(TESTFLAGS) $(ENGINE)

test-ui:
	$(GO) test -race $(TESTFLAGS) $(UI)

## lint: gofmt, go vet, staticcheck
lint: deps-build
	@out=$$(gofmt -l app engine widgets assets packaging); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## bench: the benchmarks, once each, with their reported metrics
BENCHTIME ?= 1s
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -benchmem -timeout 60m $(ENGINE) ./app/ui ./app/desktop

## fuzz: run every fuzz target for FUZZTIME each (the corpora also run in make test)
FUZZTIME ?= 30s
fuzz:
	@n=0; for pkg in $$($(GO) list $(ENGINE)); do \
	  list=$$($(GO) test -list '^Fuzz' $$pkg) || { echo "$$list"; echo "fuzz: cannot list $$pkg"; exit 1; }; \
	  for f in $$(echo "$$list" | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; n=$$((n+1)); \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done; \
	if [ $$n -eq 0 ]; then echo "fuzz: no fuzz targets found"; exit 1; fi; \
	echo "fuzz: $$n targets ran for $(FUZZTIME) each"

clean:
	rm -rf $(BIN) dist

# --- packages (packaging/linux, packaging/windows, packaging/macos; docs/packaging.md) ---
.PHONY: package-linux package-windows package-macos package-server packaging-test tor-bundles tor-repro test-windows

## tor-bundles: tor-bundles/{linux-amd64,windows-amd64}/ built from Debian's source packages
## (tor-bundles/build.sh; cached under ~/.cache/nook/tor-build, checked against manifest.json)
tor-bundles:
	@packaging/linux/deps.sh tor-build
	tor-bundles/build.sh linux-amd64
	tor-bundles/build.sh windows-amd64

## tor-repro: build each tor twice from clean directories (no cache) and compare with the manifest
tor-repro:
	@packaging/linux/deps.sh tor-build
	@for p in linux-amd64 windows-amd64; do for i in 1 2; do \
	  d=$$(mktemp -d); tor-bundles/build.sh --fresh --out $$d $$p > $$d.sums || exit 1; \
	  echo "$$p build $$i:"; cat $$d.sums; rm -rf $$d $$d.sums; \
	done; done; echo "tor-repro: every build had the manifest's SHA-256"

## package-linux: dist/nook_<version>-<build>_<arch>.deb and dist/nook-<version>-linux-<arch>.tar.xz
## (tor, obfs4proxy, snowflake-client and webtunnel-client in lib/nook/tor-bundles/linux-<arch>/)
package-linux: build
	@packaging/linux/deps.sh linux
	@packaging/linux/deps.sh tor-build
	tor-bundles/build.sh linux-amd64
	tor-bundles/transports.sh linux-amd64
	packaging/linux/package.sh

## package-windows: dist/nook-<version>-windows-amd64-setup.exe (mingw-w64 cross-build, tor.exe from source,
## obfs4proxy.exe, snowflake-client.exe and webtunnel-client.exe from tor-bundles/transports.sh, NSIS)
package-windows: deps-build
	@packaging/linux/deps.sh windows
	@packaging/linux/deps.sh tor-build
	tor-bundles/build.sh windows-amd64
	tor-bundles/transports.sh windows-amd64
	packaging/windows/package.sh

## package-macos: dist/nook-<version>-macos-<arch>.dmg; run on a Mac (ARCH=arm64|amd64|universal)
package-macos:
	packaging/macos/package.sh

## package-server: dist/server/: nook-server for linux/amd64 and linux/arm64 (no cgo), the Docker and systemd files, SHA256SUMS
package-server:
	packaging/linux/server.sh

## packaging-test: install the .deb and start it under Xvfb (as root), the tarball's install.sh and its tor in a
## private network, the macOS bundle dry run (the Windows installer: make test-windows)
packaging-test: deps-test
	@packaging/linux/deps.sh test
	@packaging/linux/deps.sh tor-build
	$(GO) test $(TESTFLAGS) ./packaging/linux/... ./packaging/macos/...

## test-windows: the Windows installer under wine 10 (a Debian 13 tree in ~/.cache/nook): install, nook.exe's
## window, tor.exe, a Windows engine and a Linux engine exchanging messages over a private Tor network, uninstall;
## and the installer's languages (TestInstallerLanguages builds nook.nsi with every catalog's strings)
test-windows: deps-test
	@packaging/linux/deps.sh windows-test
	$(GO) test -timeout 80m -v ./packaging/windows/
