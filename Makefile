# Switchboard — build, run and test. `make run` and `make test` work on a fresh Debian machine:
# they install the system packages they need (apt-get, only when missing) before building.

SHELL        := /bin/bash
SWIFT        ?= swift
PREFIX       ?= /usr/local
SYSCONFDIR   ?= /etc/switchboard
UNITDIR      ?= /etc/systemd/system
APT_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libpq-dev libhiredis-dev curl pkg-config python3
# The benchmark's load generator (wrk), its floor (nginx) and the stream client's compiler (gcc).
BENCH_TOOLS  := wrk nginx gcc redis-server
# What the tests use besides curl: `script` (a pseudo-terminal for the REPL), pgrep, venv for the SDKs,
# the headless browser the dashboard test drives (Debian's Chromium and its WebDriver), and a
# PostgreSQL server (the scale-out tests start their own, as an unprivileged user via setpriv) and
# redis-server (the shared-limits tests start their own on a free port).
TEST_TOOLS   := bsdutils procps python3-venv chromium chromium-driver postgresql util-linux redis-server
SUDO         := $(if $(filter 0,$(shell id -u)),,sudo)
# Test-only Python tools, installed into .venv: the OpenAPI validator, the provider SDKs and
# jsonschema (front door tests), schemathesis (the contract run; pinned: its checks and CLI change
# between releases), selenium (drives Chromium for the dashboard test; pinned like schemathesis),
# openai-agents (the Agents SDK test of /v1/responses), opentelemetry-proto (the
# test OTLP receiver decodes spans with it).
PY_TEST_PKGS := openapi-spec-validator openai anthropic jsonschema schemathesis==4.32.5 selenium==4.51.0 \
  openai-agents==0.24.0 opentelemetry-proto==1.45.2

# Fuzzing (Fuzzing/): libFuzzer targets with AddressSanitizer, in their own build folder.
# The sanitizers are also given to swiftc as one comma-joined flag: the driver keeps only the
# last of several -sanitize= flags, which would drop the fuzzer's coverage instrumentation.
# `make fuzz` builds optimized (several times the executions per second); the smoke run in
# `make test` builds debug, which compiles in a third of the time.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_CONFIG  ?= release
FUZZ_BUILD   := $(SWIFT) build --package-path Fuzzing --scratch-path .build-fuzz \
                --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address
FUZZ_RELEASE := -c release -Xswiftc -enable-testing

.PHONY: all setup setup-test build release run lint test contract bench bench-tools bench-check bench-record bench-instructions bench-syscalls bench-profile install clean \
        bench-shared-limits bench-redis-instructions \
        fuzz fuzz-build fuzz-smoke

all: build

setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

setup-test: setup
	@missing=""; for p in $(TEST_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi
	@if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
	@.venv/bin/python -c "import openapi_spec_validator, openai, anthropic, jsonschema, schemathesis, selenium, agents, opentelemetry.proto" 2>/dev/null || \
	  .venv/bin/pip install --quiet --disable-pip-version-check $(PY_TEST_PKGS)

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

run: build
	$(SWIFT) run --skip-build switchboard serve

# swift-format (.swift-format) in strict mode and lines of at most 120 columns, over the Swift files
# under LINT_PATHS. scripts/format-all.sh formats them all.
LINT_PATHS ?= Package.swift Sources Tests Fuzzing
lint:
	@SWIFT=$(SWIFT) scripts/lint.sh $(LINT_PATHS)

test: setup-test build
	@$(MAKE) --no-print-directory lint
	$(SWIFT) test
	$(MAKE) --no-print-directory fuzz-smoke
	.venv/bin/python Tests/Contract/run_schemathesis.py .build/debug/switchboard

# schemathesis against the running daemon (emulator behind it), openapi.yaml as the contract.
contract: setup-test build
	.venv/bin/python Tests/Contract/run_schemathesis.py .build/debug/switchboard

fuzz-build: setup
	@mkdir -p .build-fuzz
	@echo "fuzz: building the targets, $(FUZZ_CONFIG) (log: .build-fuzz/build-$(FUZZ_CONFIG).log)"
	@$(FUZZ_BUILD) $(if $(filter release,$(FUZZ_CONFIG)),$(FUZZ_RELEASE)) >.build-fuzz/build-$(FUZZ_CONFIG).log 2>&1 || \
	  { grep -v 'Cannot export local symbol' .build-fuzz/build-$(FUZZ_CONFIG).log | tail -40; exit 1; }

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BIN=.build-fuzz/$(FUZZ_CONFIG) Fuzzing/run.sh

# What `make test` runs: every target builds and survives a few seconds.
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_CONFIG=debug FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

bench-tools: setup
	@missing=""; for p in $(BENCH_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

# Direct, nginx and Switchboard through each door; BENCH_FULL=1 adds 10,000 streams and the
# five-minute memory settle (Tests/Benchmark/bench.py lists the BENCH_* settings).
# The shared-limits row (issue 16) follows the tables unless BENCH_ONLY picks scenarios.
bench: release bench-tools
	Tests/Benchmark/run.sh .build/release/switchboard
	@if [ -z "$(BENCH_ONLY)" ]; then python3 Tests/Benchmark/shared_limits.py --binary .build/release/switchboard; fi

# What the Redis limits backend adds: p50 at c1 and throughput at c64, Redis vs local limits.
bench-shared-limits: release bench-tools
	python3 Tests/Benchmark/shared_limits.py --binary .build/release/switchboard

# redis-server's instructions per keyed request in the Redis limits mode (callgrind on redis-server).
bench-redis-instructions: release
	@command -v valgrind >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq valgrind >/dev/null; }
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server >/dev/null; }
	Tests/Benchmark/redis_instructions.sh .build/release/switchboard

# CPU instructions per small request and per relayed stream chunk under callgrind (repeatable on a busy machine).
bench-instructions: release
	@command -v valgrind >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq valgrind >/dev/null; }
	Tests/Benchmark/instructions.sh .build/release/switchboard
	BENCH_MODEL=spread Tests/Benchmark/instructions.sh .build/release/switchboard
	BENCH_MODEL=anthropic/claude-3-5-haiku-latest BENCH_DOOR=anthropic Tests/Benchmark/instructions.sh .build/release/switchboard
	Tests/Benchmark/stream_instructions.sh .build/release/switchboard

# System calls per relayed stream chunk under strace, through each door and through nginx (a count, not a timing).
bench-syscalls: release
	@command -v strace >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq strace >/dev/null; }
	@command -v nginx >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nginx >/dev/null; }
	Tests/Benchmark/stream_syscalls.sh .build/release/switchboard
	python3 Tests/Benchmark/request_syscalls.py .build/release/switchboard

# Where each proxy's CPU goes, nginx beside Switchboard: perf's software clock samples user and kernel
# code (no hardware events on these VMs); per small request (c=64, c=1), relayed chunk, stream set-up.
bench-profile: release bench-tools
	@command -v perf >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq linux-perf >/dev/null; }
	python3 Tests/Benchmark/profile.py .build/release/switchboard $(if $(BENCH_DOOR),--door $(BENCH_DOOR))

# Regression guard (not part of `make test`): the short ratio suite against the recorded baseline.
bench-check: release bench-tools
	Tests/Benchmark/run.sh .build/release/switchboard --check

# Records Tests/Benchmark/baseline.json from five short runs (their spread is the tolerance).
bench-record: release bench-tools
	Tests/Benchmark/run.sh .build/release/switchboard --record

install: release
	install -D -m 0755 .build/release/switchboard $(DESTDIR)$(PREFIX)/bin/switchboard
	install -D -m 0644 deploy/switchboard.service $(DESTDIR)$(UNITDIR)/switchboard.service
	@if [ ! -f $(DESTDIR)$(SYSCONFDIR)/config.yaml ]; then \
	  install -D -m 0640 deploy/config.example.yaml $(DESTDIR)$(SYSCONFDIR)/config.yaml; fi
	@if [ ! -f $(DESTDIR)$(SYSCONFDIR)/switchboard.env ]; then \
	  install -D -m 0600 deploy/switchboard.env.example $(DESTDIR)$(SYSCONFDIR)/switchboard.env; fi
	@echo "installed; now: systemctl daemon-reload && systemctl enable --now switchboard"

clean:
	rm -rf .build .build-fuzz .venv
