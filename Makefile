# Swarmscope: two commands do everything on a fresh Debian/Ubuntu machine.
#   make run    install missing build packages, build, start the app
#   make test   install the test tools (real clients, tracker, Xvfb) and run every check
SHELL := /bin/bash
GO ?= go
# FyneApp.toml opts into fyneDo; plain `go build` needs the tag to match.
TAGS := migrated_fynedo
BIN := bin/swarmscope
GOBIN_DIR := $(shell $(GO) env GOPATH)/bin
STATICCHECK := $(GOBIN_DIR)/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME ?= 5s

.PHONY: all run build test deps-build deps-test tools lint unit fuzz bench-create screenshot install-desktop clean

all: build

run: deps-build build
	./$(BIN)

build: deps-build
	$(GO) build -tags $(TAGS) -o $(BIN) .

deps-build:
	@.ci/install-deps.sh build

deps-test:
	@.ci/install-deps.sh test

tools:
	@if [ ! -x "$(STATICCHECK)" ] || ! "$(STATICCHECK)" -version | grep -q "($(STATICCHECK_VERSION:v%=%))"; then \
		echo "Installing staticcheck $(STATICCHECK_VERSION)"; \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi

lint: tools
	@unformatted="$$(gofmt -l $$(git ls-files --cached --others --exclude-standard -- '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	$(STATICCHECK) -tags $(TAGS) ./...

# The engine runs under the race detector; everything else normally.
unit:
	$(GO) test -tags $(TAGS) -race -timeout 30m ./engine/...
	$(GO) test -tags $(TAGS) -timeout 30m $$($(GO) list ./... | grep -v '/engine/')

fuzz:
	.ci/fuzz.sh $(FUZZTIME)

test: deps-test lint unit fuzz

# Benchmarks are not part of `make test`: they print medians and ratios against
# the real clients measured in the same run.
bench-create: build
	bench/create.sh

# docs/screenshot.png: the app mid-download from a loopback swarm, under a private Xvfb.
screenshot:
	@.ci/install-deps.sh screenshot
	.ci/screenshot.sh

# Registers Swarmscope for .torrent files and magnet links for the current user.
install-desktop: build
	install -Dm755 $(BIN) $(HOME)/.local/bin/swarmscope
	install -Dm644 assets/icon.png $(HOME)/.local/share/icons/hicolor/512x512/apps/swarmscope.png
	install -Dm644 assets/swarmscope.desktop $(HOME)/.local/share/applications/swarmscope.desktop
	-xdg-mime default swarmscope.desktop application/x-bittorrent x-scheme-handler/magnet

clean:
	rm -rf bin
