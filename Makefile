# Two commands on a fresh machine with only Python 3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: demo test test-fast lint bench notebooks docs clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[demo]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test,plot]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m minikeras.demo

# One pytest worker per core, each running whole files (module fixtures are computed once).
test: $(VENV)/.installed-test
	$(PY) -m pytest -q -n auto --dist loadfile

# The edit loop: the suite without the tests marked slow (tests/slow_tests.txt and @slow).
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -q -n auto --dist loadfile -m "not slow" -x

# ruff: lint and import sorting for the package, tests, benchmarks and tutorials.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

bench: $(VENV)/.installed-test
	$(PY) benchmarks/fit_speed.py

$(VENV)/.installed-notebooks: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[notebooks,plot]"
	touch $@

# The tutorials are jupytext percent-format scripts; this renders each to tutorials/NN_name.ipynb.
notebooks: $(VENV)/.installed-notebooks
	$(PY) -m jupytext --to ipynb tutorials/[0-9][0-9]_*.py

# The docs extra's requirements (from pyproject.toml) into the venv, which has minikeras
# already: `pip install -e ".[docs]"` would build minikeras's editable wheel a second time.
$(VENV)/.installed-docs: $(VENV)/.installed pyproject.toml constraints.txt
	$(PY) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']\
	['optional-dependencies']['docs'], sep='\n')" > $(VENV)/docs-requirements.txt
	$(PY) -m pip install --quiet -c constraints.txt -r $(VENV)/docs-requirements.txt
	touch $@

# The documentation site in site/ (open site/index.html): the guide (docs/*.md), the API
# reference from the docstrings, and the tutorials executed in quick mode (cached in
# .cache/docs-tutorials until a tutorial or minikeras changes). Strict: a broken link, a missing
# reference or a public name without a docstring fails it (docs/hooks/).
docs: $(VENV)/.installed-docs
	MINIKERAS_QUICK=1 TF_CPP_MIN_LOG_LEVEL=2 NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

clean:
	rm -rf $(VENV) build *.egg-info demo_output

# keras's own unit tests for the modules minikeras claims, run against minikeras (fetched into
# .venv/conformance, never committed); writes docs/conformance.md and fails when a test in
# tests/conformance/baseline.txt stops passing. `make conformance UPDATE=1` rewrites the baseline.
.PHONY: conformance
conformance: $(VENV)/.installed-test
	$(PY) tests/conformance/harness.py $(if $(UPDATE),--update)
