# One task runner for people, README and CI.  `make help` lists the targets.
SHELL := /bin/bash
PORT ?= 8501
# Loopback by default; set ADDRESS=0.0.0.0 only behind an HTTPS reverse proxy (SECURITY.md).
ADDRESS ?= 127.0.0.1
# uv from PATH, else the module pip installs (works whether or not pip's bin folder is on PATH).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: help uv install run dev test test-fast lint bench load-bench browser-deps clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# Bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set (this machine), every
# server start and test process would otherwise compile plotly, pandas, streamlit … from source
# again (measured: login form 9,0 s → 5,7 s after a cold start at 1 M lines).
install: uv ## install the locked dependencies into .venv (uv; pip installs uv if missing)
	$(UV) sync --locked --quiet --compile-bytecode
	$(UV) run --no-sync python -m compileall -q app.py pages ui data_access charts report cli

run: install ## start the app on http://127.0.0.1:$(PORT) (creates the database and demo data on first start)
	$(UV) run innsikt init
	$(UV) run python -m ui.serve --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

dev: install ## like run, but reloads pages when their source changes
	$(UV) run innsikt init
	$(UV) run python -m ui.serve --server.port $(PORT) --server.address $(ADDRESS) --server.headless true --server.fileWatcherType auto --server.runOnSave true

browser-deps: ## Debian's chromium for browser tests and static chart images
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

test: install browser-deps lint ## lint, then the whole test suite (unit, doctests, AppTest, PostgreSQL, browser)
	$(UV) run pytest

test-fast: install ## the suite without browser tests
	$(UV) run pytest -m "not browser"

lint: install ## ruff (lint, complexity, format) and mypy --strict on data_access/ and charts/
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

SIZE ?= 1.0
bench: install browser-deps ## measure the app at SIZE (default 1.0 ≈ 1,1 M lines) on SQLite and PostgreSQL; prints one table
	$(UV) run python bench/run_bench.py --size $(SIZE)

SESSIONS ?= 8
BENCH_SECONDS ?= 120
THINK ?= 0
load-bench: install browser-deps ## N browser sessions against one local server (SESSIONS=8 BENCH_SECONDS=120 THINK=0)
	$(UV) run python bench/load_bench.py --sessions $(SESSIONS) --seconds $(BENCH_SECONDS) --think $(THINK)

clean-data: ## delete the local embedded database (demo data is recreated on next start)
	rm -rf data/
