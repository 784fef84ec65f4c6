# Two commands set everything up on a fresh machine with Python 3.11+ and make:
#   make demo   — install into .venv and write every sample's documents under out/
#   make test   — install into .venv (with test tools) and run the tests
#   make lint   — ruff and mypy (pyproject.toml says how), as CI runs them before the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out
STAMP  := $(VENV)/.installed

.PHONY: demo test lint test-fallback fuzz bench fidelity install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	@for f in samples/candidates/*.json; do \
	  $(BIN)/docgen admission-decision "$$f" --org samples/org.json -o $(OUT)/decisions || exit $$?; \
	  $(BIN)/docgen admission-decision "$$f" --org samples/org-btv.json -o $(OUT)/decisions-btv || exit $$?; \
	  $(BIN)/docgen admission-dossier "$$f" --org samples/org.json -o $(OUT)/dossiers/$$(basename "$$f" .json) || exit $$?; \
	done
	$(BIN)/docgen congress samples/congress.json --org samples/org.json -o $(OUT)/congress
	$(BIN)/docgen congress samples/congress-small.json --org samples/org.json -o $(OUT)/congress-small
	$(BIN)/docgen congress samples/congress-round2.json --org samples/org.json -o $(OUT)/congress-round2
	$(BIN)/docgen recognition-dossier samples/recognition/on-time.json --org samples/org.json -o $(OUT)/recognition/on-time
	$(BIN)/docgen recognition-dossier samples/recognition/late-committee.json --org samples/org.json -o $(OUT)/recognition/late-committee
	$(BIN)/docgen recognition-dossier samples/recognition/leap-day.json --org samples/org-btv.json -o $(OUT)/recognition/leap-day
	$(BIN)/docgen batch admission-decision samples/roster.xlsx --org samples/org.json -o $(OUT)/roster
	@echo "A workspace: each person's dossier and the register of document numbers (docgen init):"
	@rm -rf $(OUT)/workspace
	$(BIN)/docgen init $(OUT)/workspace --org samples/org.json
	$(BIN)/docgen --workspace $(OUT)/workspace batch admission-dossier samples/candidates/ -j 1
	$(BIN)/docgen --workspace $(OUT)/workspace admission-dossier samples/workspace/hoang-minh-tri.json
	$(BIN)/docgen --workspace $(OUT)/workspace recognition-dossier samples/recognition/on-time.json
	$(BIN)/docgen --workspace $(OUT)/workspace dossier list
	$(BIN)/docgen --workspace $(OUT)/workspace dossier show kn-2026-004
	$(BIN)/docgen --workspace $(OUT)/workspace register --export $(OUT)/workspace/so-dang-ky.xlsx
	$(BIN)/docgen --workspace $(OUT)/workspace dossier export kn-2026-004 -o $(OUT)/workspace
	@echo "Excel workbooks to fill, one sheet per part (docgen workbook), for docgen batch and docgen serve:"
	$(BIN)/docgen workbook admission-dossier -o $(OUT)/ho-so.xlsx --force
	$(BIN)/docgen workbook congress -o $(OUT)/dai-hoi.xlsx --force
	@echo "The web form: docgen --workspace $(OUT)/workspace serve"
	@echo "A roster with broken rows, to show the report (exit code 3 is expected):"
	-$(BIN)/docgen batch admission-decision samples/roster-broken.xlsx --org samples/org.json -o $(OUT)/roster-broken

test: $(STAMP)
	$(BIN)/python -m pytest -rs

lint: $(STAMP)
	$(BIN)/ruff check docgen tests bench tools
	$(BIN)/mypy docgen

# The tests again with the PDF font forced to DejaVu Serif, the fallback of a machine with no
# Times-metric font: a folder holding only DejaVu Serif is given as DOCGEN_FONT_DIR.
FALLBACK_FONTS := $(OUT)/fonts-fallback
test-fallback: $(STAMP)
	@rm -rf $(FALLBACK_FONTS) && mkdir -p $(FALLBACK_FONTS)
	@found=$$(find /usr/share/fonts /usr/local/share/fonts $$HOME/.fonts -name 'DejaVuSerif*.ttf' 2>/dev/null); \
	if [ -z "$$found" ]; then echo "DejaVu Serif is not installed (Debian/Ubuntu: apt install fonts-dejavu-core)"; exit 1; fi; \
	for f in $$found; do ln -sf "$$f" $(FALLBACK_FONTS)/; done
	DOCGEN_FONT_DIR=$(abspath $(FALLBACK_FONTS)) $(BIN)/python -m pytest -rs

# 10,000 hostile inputs (tests/fuzzing.py); make test runs the first 500
fuzz: $(STAMP)
	DOCGEN_FUZZ_CASES=10000 $(BIN)/python -m pytest -q -s tests/test_fuzz.py

# The whole-process figures (start-up, one paper, PDF per page and size against LibreOffice, -j,
# 1,000 dossiers, peak RSS) as paired runs with the load printed, then the in-process render
# figures and the long-text PDF. BENCH_ARGS go to bench_paired.py: "--quick" for a short run
# (100 dossiers, peak RSS at 500 and 5,000), "--dossiers 100", "--rss 500,5000" (the default,
# 500,50000, is the acceptance measure of memory: two minutes, and 200 MB of profiles made once).
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/bench_paired.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_render.py
	$(BIN)/python bench/bench_long_text.py

fidelity: $(STAMP)
	$(BIN)/python bench/fidelity.py

clean:
	rm -rf $(OUT) build dist .pytest_cache
