# Robot Passport: `make run` serves the portal, `make test` proves it. Both install what a
# fresh Debian machine lacks first, and skip what is already there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

# Build tools: cargo's own bin folder and npm's binaryen come before anything in /usr/bin
# (Debian's wasm-opt is too old and breaks hydration silently).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Builds live outside the checkout so a fresh clone on a warm machine builds incrementally.
CACHE_DIR ?= $(HOME)/.cache/robopass
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3; exit}' Cargo.lock)
APT_UPDATED := $(CACHE_DIR)/.apt-updated

.PHONY: run build setup tools target test test-unit test-e2e test-soak browser e2e-deps smtp-deps fmt clean-data bench soak examples

run: build ## Build in release mode and serve on 127.0.0.1:3000 with SQLite and demo data.
	target/release/robopass

build: setup
	@# --split: code marked #[lazy] (the camera's QR decoder) goes into wasm of its own,
	@# fetched only when used, so every page's wasm stays small.
	cargo leptos build --release --split
	target/release/robopass precompress

setup: tools target

# The build cache is shared by every clone on this machine, and each clone's own builds (and
# every rebuild's test binaries) stay in it. When the disk runs low, this package's own build
# products and the incremental data go (dependencies stay, so the next build is minutes, not
# the better part of an hour).
MIN_FREE_GB ?= 15

target:
	@mkdir -p $(CACHE_DIR)/target
	@if [ ! -e target ]; then ln -s $(CACHE_DIR)/target target; fi
	@free_kb=$$(df -Pk $(CACHE_DIR) | awk 'NR == 2 { print $$4 }'); \
	if [ -n "$$free_kb" ] && [ "$$free_kb" -lt $$(( $(MIN_FREE_GB) * 1024 * 1024 )) ]; then \
	  echo "less than $(MIN_FREE_GB) GB free: clearing this project's old build products from $(CACHE_DIR)/target"; \
	  rm -rf $(CACHE_DIR)/target/debug/incremental; \
	  CARGO_TARGET_DIR=$(CACHE_DIR)/target cargo clean -p server -p app -p registry -p domain -p photo; fi
	@# Test binaries and the server's library are gigabytes each, and a change to a dependency
	@# builds them all again under new names: of each, only the newest is kept.
	@if [ -d $(CACHE_DIR)/target/debug/deps ]; then cd $(CACHE_DIR)/target/debug/deps && \
	  declare -A seen && \
	  for f in $$(find . -maxdepth 1 -type f -size +500M -printf '%T@ %f\n' | sort -rn | cut -d' ' -f2); do \
	    n=$${f%-*}; if [ -n "$${seen[$$n]:-}" ]; then rm -f -- "$$f"; else seen[$$n]=1; fi; done; fi

tools:
	@mkdir -p $(CACHE_DIR)
	@for tool in rustup cargo npm curl python3; do \
	  command -v $$tool >/dev/null || { echo "missing $$tool: install it first (the Rust toolchain through rustup; npm, curl and python3 from Debian)"; exit 1; }; done
	@if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then \
	  rustup target add wasm32-unknown-unknown; fi
	@if ! cargo leptos --version 2>/dev/null | grep -q "$(CARGO_LEPTOS_VERSION)"; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 10 minutes, once)"; \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads; fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (matches Cargo.lock)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi
	@if [ ! -x tools/node_modules/.bin/wasm-opt ]; then \
	  (cd tools && npm ci --no-audit --no-fund --loglevel=error); fi

browser:
	@mkdir -p $(CACHE_DIR)
	@if [ ! -x /usr/bin/chromium ] || [ -z "$$(fc-list 'Noto Sans CJK SC' 2>/dev/null)" ]; then \
	  sudo=$$(command -v sudo || true); \
	  if [ ! -f $(APT_UPDATED) ]; then $$sudo apt-get update && touch $(APT_UPDATED); fi; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium fonts-noto-cjk; fi

# A real SMTP server for the mail test (Python's aiosmtpd, from PyPI).
smtp-deps:
	@python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd \
	  || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages aiosmtpd

e2e-deps:
	@if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  (cd end2end && npm ci --no-audit --no-fund --loglevel=error); fi

test: build browser e2e-deps smtp-deps test-unit test-e2e test-soak ## Every test: unit, property, integration (SQLite + PostgreSQL), browser, a short soak.

test-unit:
	@# Each PostgreSQL test makes its own database; clear the ones earlier runs left behind.
	@if [ -n "$${TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null; then \
	  psql "$$TEST_POSTGRES_URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'robopass_test_%'" \
	    | while read -r db; do psql "$$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$$db\""; done || true; fi
	@# Not incremental: each test binary's incremental data is a gigabyte (16 binaries, 16 GB,
	@# enough to fill this machine's disk); unchanged crates are still not rebuilt.
	CARGO_INCREMENTAL=0 LEPTOS_SITE_ROOT=$(CURDIR)/target/site cargo test --workspace

test-e2e:
	end2end/run.sh

# The benchmarks' and the soak test's helpers, built like the server (release).
examples:
	cargo build --release -p server --example label_photo --example soak

# Hostile traffic mixed with real, for 45 seconds: no 5xx, still answering, stops on SIGTERM.
test-soak: examples
	bench/soak.sh --quick

# The same for ten minutes on 28,000 robots: the figures in bench/README.md.
soak: build examples
	bench/soak.sh

bench: build examples
	bench/run.sh
	bench/labels.sh

fmt:
	cargo fmt --all
