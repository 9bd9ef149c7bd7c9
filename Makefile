# customer-snapshot: two commands on a fresh machine
#   make demo   create .venv, install everything (model included), run on the bundled example
#   make test   ruff + mypy + pytest in the same environment
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLE := examples/acme_onboarding.vtt
OUT    ?= out

.PHONY: all venv demo screenshots test lint typecheck pytest bench bench-reader bench-analysis bench-memory bench-batch clean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the packaging metadata changes; editable, so source edits need no reinstall.
$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[model,dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/customer-snapshot validate $(EXAMPLE)
	$(BIN)/customer-snapshot cues $(EXAMPLE) > $(OUT)/acme_onboarding.cues.jsonl
	$(BIN)/customer-snapshot analyze $(EXAMPLE)
	$(BIN)/customer-snapshot analyze --json $(EXAMPLE) > $(OUT)/acme_onboarding.analysis.json
	$(BIN)/customer-snapshot process $(EXAMPLE) -f all -o $(OUT)/ --no-progress
	@echo "demo outputs:"
	@echo "  $(OUT)/acme_onboarding.cues.jsonl      (parsed cues, one JSON object per line)"
	@echo "  $(OUT)/acme_onboarding.analysis.json   (speakers, topics, entities, candidate facts)"
	@echo "  $(OUT)/acme_onboarding.snapshot.json   (the Customer Solution Snapshot, machine-readable)"
	@echo "  $(OUT)/acme_onboarding.snapshot.md     (the Customer Solution Snapshot, Markdown)"
	@echo "  $(OUT)/acme_onboarding.snapshot.html   (the same, one self-contained web page)"
	@echo "  $(OUT)/acme_onboarding.snapshot.docx   (the same, a Word document)"

# The README's pictures (needs chromium, LibreOffice and pdftoppm; .ci/run installs them).
screenshots: $(STAMP)
	$(BIN)/python tools/screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check customer_snapshot tests benchmarks
	$(BIN)/ruff format --check customer_snapshot tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy customer_snapshot

PYTEST_ARGS ?= -q

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: bench-reader bench-analysis bench-memory bench-batch

bench-reader: $(STAMP)
	$(BIN)/python benchmarks/bench_reader.py --mb 50 --big-mb 1024 --repeat 5 --write docs/performance.md

bench-analysis: $(STAMP)
	$(BIN)/python benchmarks/bench_analysis.py --write docs/performance.md

# Files per minute with 1 and 2 workers, peak memory per worker, cache hits (the dev set x 4).
bench-batch: $(STAMP)
	$(BIN)/python benchmarks/bench_batch.py --copies 4 --repeat 3 --write docs/performance.md

# The memory spec's claims, measured (about 2 hours: the largest transcript is 60 MB).
bench-memory: $(STAMP)
	$(BIN)/python benchmarks/bench_memory.py --repeat 5 --write docs/memory.md

clean:
	rm -rf $(VENV) build dist *.egg-info $(OUT)
