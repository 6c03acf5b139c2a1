# The README's two commands: `make demo` and `make test`. Both run `make setup` first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('pyproject.toml','rb').read()).hexdigest()[:12])")

.PHONY: setup system db demo test lint bench load clean

setup: $(STAMP) system db  ## virtualenv, dependencies, system packages, database (idempotent)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@rm -f $(VENV)/.installed-* && touch $@

system:  ## Chromium for the browser tests (apt-get when root)
	bash scripts/system-deps.sh

db: $(STAMP)  ## find or provide PostgreSQL + PostGIS, write GEOPORTAL_DATABASE_URL to .env
	$(BIN)/python -m geoportal.setup.provision

demo: setup  ## migrations, demo commune, server on http://127.0.0.1:8000
	$(BIN)/geoportal demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup lint  ## ruff, mypy, then pytest on two workers (a skipped test fails the run)
	$(BIN)/pytest -n 2 --dist loadfile

bench: setup  ## import, NRU and batch benchmarks, with their figures
	$(BIN)/python -m bench.bench_import
	$(BIN)/python -m bench.bench_nru
	$(BIN)/python -m bench.bench_batch
	$(BIN)/python -m bench.bench_sse
	$(BIN)/python -m bench.bench_map
	$(BIN)/python -m bench.bench_scan
	$(BIN)/python -m bench.bench_scale

load: setup  ## locust at 100 requests/s for 5 minutes: failures, p50/p95 (LOAD_ARGS="--seconds 60")
	$(BIN)/python -m bench.bench_load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
