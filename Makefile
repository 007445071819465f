# Every target does its own set-up: a venv in .venv, the package with its extras,
# the Graphviz `dot` program and pdflatex (apt-get when we are root, else the command to run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs

.PHONY: demo test test-fast figures bench docs graphviz chromium latex clean dist wheel-test lint lint-ruff

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,plot,notebooks,fast,jax,browser]'
	touch $(STAMP)

graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Graphviz (dot) with apt-get..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "Graphviz 'dot' is missing. Install it with:  sudo apt-get install graphviz"; exit 1; \
	fi

# Chromium for the viewer's browser tests (driven by Playwright, which uses this binary)
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium with apt-get..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing (the viewer's browser tests will be skipped). Install it with:  sudo apt-get install chromium"; \
	fi

# pdflatex for the TikZ test (circuits.to_tikz); the test skips, saying why, where it cannot be installed
latex:
	@if command -v pdflatex >/dev/null 2>&1 && kpsewhich phvr8t.tfm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing pdflatex (texlive, with the Helvetica the TikZ drawings use) with apt-get..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			texlive-latex-base texlive-pictures texlive-latex-extra texlive-fonts-recommended >/dev/null; \
	else \
		echo "pdflatex or its Helvetica is missing (the TikZ test will be skipped). Install them with:"; \
		echo "  sudo apt-get install texlive-latex-base texlive-pictures texlive-latex-extra texlive-fonts-recommended"; \
	fi

demo: $(STAMP) graphviz
	$(PY) -m circuits demo

figures: $(STAMP) graphviz
	$(PY) -m circuits figures

test: $(STAMP) graphviz chromium latex
	$(PY) -m pytest

# the edit-run loop: everything but the notebooks and the slow property/benchmark tests
test-fast: $(STAMP) graphviz
	$(PY) -m pytest -m "not slow and not notebooks"

# the documentation site: Sphinx, warnings are errors; open docs/_build/html/index.html
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m benchmarks

# sdist and wheel in dist/
dist: $(STAMP)
	$(PY) -m pip install --quiet build
	rm -rf dist
	$(PY) -m build --outdir dist . > /dev/null
	@ls dist

# the wheel installed into a fresh venv outside the checkout, used as a stranger would
wheel-test: dist graphviz
	bash .ci/wheel_smoke.sh

# ruff's bug-finding rules ([tool.ruff] in pyproject.toml)
lint-ruff: $(STAMP)
	$(PY) -m pip install --quiet -e '.[lint]'
	$(PY) -m ruff check circuits tests benchmarks

# ruff, then mypy on the package ([tool.mypy]); CI runs this
lint: lint-ruff
	$(PY) -m mypy circuits

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .kernel-cache build dist *.egg-info docs/_build docs/_generated docs/generated
