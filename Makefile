# baocao — two commands on a fresh machine: `make ingest`, then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORPUS ?= corpus
DB     ?= output/corpus.db
JOBS   ?= 2
EXTRAS ?= dev

.PHONY: ingest test test-fast bench bench-scale setup system-deps clean fixtures browse

# Debian packages: a venv-capable Python, DejaVu fonts (Vietnamese glyphs) that the
# tests and the benchmark use to draw PDFs with reportlab, LibreOffice Writer with its
# Python bridge (python3-uno) that converts .doc/.rtf/.odt (extractors/office.py),
# Tesseract with its Vietnamese and orientation models (OCR of scans), and Chromium
# for the browser test of `baocao serve`. Installed only when missing and when running
# as root (CI, a fresh machine); elsewhere, ask your administrator.
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf

system-deps:
	@missing=""; \
	$(PYTHON) -c "import ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	[ -f $(FONT) ] || missing="$$missing fonts-dejavu-core"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	/usr/bin/python3 -c "import uno" 2>/dev/null || missing="$$missing python3-uno"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx vie || missing="$$missing tesseract-ocr-vie"; \
	tesseract --list-langs 2>/dev/null | grep -qx osd || missing="$$missing tesseract-ocr-osd"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		else echo "warning: missing Debian packages:$$missing (install them, or run make as root;" \
			"without LibreOffice, .doc/.rtf/.odt files are stored as failed)"; fi; fi

$(BIN)/.installed: pyproject.toml
	$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	@touch $@

setup: $(BIN)/.installed

ingest: setup
	$(BIN)/baocao ingest $(CORPUS) --db $(DB) --jobs $(JOBS)

test: setup system-deps
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup system-deps
	$(BIN)/python bench/run.py

# One more document into 50 / 500 / 5,000 generated documents (bench/scale.py; ~15 min).
bench-scale: setup
	$(BIN)/python bench/scale.py

# Regenerate the committed sample fixtures (needs LibreOffice for the PDF rendering).
fixtures: setup
	$(BIN)/python scripts/make_fixtures.py

browse: setup
	$(BIN)/baocao serve --db $(DB)

clean:
	rm -rf $(VENV) output/*.db output/*.db-*
