# Every target does its own set-up: a venv in .venv, the package with its extras,
# the Graphviz `dot` program and pdflatex (apt-get when we are root, else the command to run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast figures bench graphviz latex clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,plot,notebooks,fast,jax]'
	touch $(STAMP)

graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Graphviz (dot) with apt-get..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "Graphviz 'dot' is missing. Install it with:  sudo apt-get install graphviz"; exit 1; \
	fi

# pdflatex for the TikZ test (circuits.to_tikz); the test skips, saying why, where it cannot be installed
latex:
	@if command -v pdflatex >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing pdflatex (texlive) with apt-get..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			texlive-latex-base texlive-pictures texlive-latex-extra >/dev/null; \
	else \
		echo "pdflatex is missing (the TikZ test will be skipped). Install it with:"; \
		echo "  sudo apt-get install texlive-latex-base texlive-pictures texlive-latex-extra"; \
	fi

demo: $(STAMP) graphviz
	$(PY) -m circuits demo

figures: $(STAMP) graphviz
	$(PY) -m circuits figures

test: $(STAMP) graphviz latex
	$(PY) -m pytest

# the edit-run loop: everything but the notebooks and the slow property/benchmark tests
test-fast: $(STAMP) graphviz
	$(PY) -m pytest -m "not slow and not notebooks"

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
