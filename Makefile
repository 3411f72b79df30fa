# baocao — two commands on a fresh machine: `make ingest`, then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORPUS ?= corpus
DB     ?= output/corpus.db
JOBS   ?= 2

.PHONY: ingest test test-fast bench setup system-deps clean fixtures browse

# Debian packages the project needs at run time: none beyond Python itself today, but
# installed here (as root only) so that a fresh machine gets them from the same command.
SYSTEM_PACKAGES := python3-venv

$(BIN)/.installed: pyproject.toml
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null && ! $(PYTHON) -c "import ensurepip" 2>/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

setup: $(BIN)/.installed

ingest: setup
	$(BIN)/baocao ingest $(CORPUS) --db $(DB) --jobs $(JOBS)

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] && [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core; fi
	$(BIN)/python bench/run.py

# Regenerate the committed sample fixtures (needs LibreOffice for the PDF rendering).
fixtures: setup
	$(BIN)/python scripts/make_fixtures.py

browse: setup
	$(BIN)/pip install -q datasette==0.65.5 && $(BIN)/datasette $(DB) -m docs/datasette-metadata.json

clean:
	rm -rf $(VENV) output/*.db output/*.db-*
