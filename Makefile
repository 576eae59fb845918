# The commands the README shows. `make demo` and `make test` set everything up themselves.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
# llama-cpp-python is built from source; native CPU flags crash on some CPUs (AMX), so build
# a portable binary. Used only when pip has to build it.
export CMAKE_ARGS := -DGGML_NATIVE=OFF
DEMO_QUESTION ?= How can activation steering reduce hallucinations?

.PHONY: install demo app test lint bench clean

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
	$(BIN)/ruff check src tests benchmarks app_gradio.py
	$(BIN)/mypy

bench: install
	$(PY) benchmarks/bench_ingest.py --n 10000
	$(PY) benchmarks/bench_answer.py

clean:
	rm -rf $(VENV)
