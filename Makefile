# feedhub: `make run` serves config.yaml; `make test` runs the whole suite; `make bench`;
# `make dist` builds the wheel and the sdist into dist/; `make wordpress` the WordPress plugin's
# zip, dist/feedhub-wordpress.zip (installs through Plugins → Add New → Upload).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test bench soak lint check clean screenshots messages dist corpus wordpress

$(VENV)/.base: pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) install -e '.[test]'
	touch $@

run: $(VENV)/.base
	$(VENV)/bin/feedhub serve -c config.yaml

check: $(VENV)/.base
	$(VENV)/bin/feedhub check -c config.yaml

test: lint
	scripts/system-deps.sh test
	scripts/run-tests.sh $(PY) $(TESTS)

bench: $(VENV)/.test
	scripts/system-deps.sh bench
	$(PY) -m bench $(BENCH)

# Real feeds nobody here wrote (shared/corpus/ beside the checkout), read as a poll reads them
# and beside feedparser: a check before merging parsing, selection or rendering; not a test.
corpus: $(VENV)/.base
	$(PY) -m checks.corpus

soak: $(VENV)/.test
	scripts/system-deps.sh bench
	$(PY) -m bench.soak --write docs/soak.md $(SOAK)

screenshots: $(VENV)/.test
	scripts/system-deps.sh screenshots
	FEEDHUB_WRITE_DOCS=1 $(PY) -m pytest -q -k "browser" tests

# The widget's words: after editing a feedhub.po (or adding a locale beside them), compile
# the catalogues the package ships (tests check that the .mo files match the .po files).
messages: $(VENV)/.base
	$(VENV)/bin/pybabel compile -d feedhub/publish/locales -D feedhub

dist: $(VENV)/.test
	rm -rf dist
	$(PY) -m build --outdir dist .

WORDPRESS_ZIP ?= dist/feedhub-wordpress.zip
wordpress:
	mkdir -p $(dir $(abspath $(WORDPRESS_ZIP)))
	rm -f $(WORDPRESS_ZIP)
	cd contrib/wordpress && $(PYTHON) -m zipfile -c $(abspath $(WORDPRESS_ZIP)) feedhub

# One enforced style: `ruff format feedhub tests bench checks` writes it, this checks it.
lint: $(VENV)/.test
	$(VENV)/bin/ruff check feedhub tests bench checks
	$(VENV)/bin/ruff format --check feedhub tests bench checks
	$(VENV)/bin/mypy feedhub

clean:
	rm -rf $(VENV) var .pytest_cache dist build
