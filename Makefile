# The README's two commands: `make demo` and `make test`. Both run `make setup` first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# redone when pyproject.toml or the lock changes
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib;print(hashlib.sha1(open('pyproject.toml','rb').read()+open('requirements.lock','rb').read()).hexdigest()[:12])")
LOCK_TOOLS := var/pip-tools

.PHONY: setup system db demo test lint bench load lock clean

setup: $(STAMP) system db  ## virtualenv, dependencies, system packages, database (idempotent)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,bench]"
	@rm -f $(VENV)/.installed-* && touch $@

system:  ## Pango and fonts (the NRU's PDF), Chromium (browser tests), ogrinfo (apt-get when root)
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

lock:  ## requirements.lock from pyproject.toml (pip-compile); LOCK_ARGS=--upgrade: newest of all
	@test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) \
		&& $(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools; }
	$(LOCK_TOOLS)/bin/pip-compile --quiet --extra dev --extra bench --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock \
		$(LOCK_ARGS) pyproject.toml

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
