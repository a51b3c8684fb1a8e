VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup test
setup: $(VENV)/.stamp
$(VENV)/.stamp: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Work in progress: only the pure unit tests run until the codec and core land.
test: setup
	$(PY) -m pytest tests/unit -q -p no:cacheprovider
