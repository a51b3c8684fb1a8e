# Two commands for a new user: `make run` and `make test` (see README).
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup run test check bench faults faults-ci kafka-start kafka-stop clean

# Re-installs only when pyproject.toml changed. The bench extra is part of the set-up
# because the test suite runs a tiny benchmark (tests/integration/test_bench.py) to
# prove `make bench` still works. The Kafka jars are fetched once into
# ~/.cache/leadledger (a marker file records a complete download).
setup: $(VENV)/.stamp
	$(BIN)/leadledger kafka jars

$(VENV)/.stamp: pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,bench]'
	touch $@

run: setup
	$(BIN)/leadledger up

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole suite: unit tests, and integration tests on a real broker (the fixture
# starts one when KAFKA_BOOTSTRAP_SERVERS is not set) with a real worker.
test: check
	$(PY) -m pytest -p no:cacheprovider

# The fault harness (docs/reliability.md): real brokers and worker processes, kill -9,
# rebalances, a broker crash, bad input; the replay of the log is the oracle. Sizes:
# make faults FAULT_EVENTS=100000 FAULT_ARGS='--recovery-leads 1000000'
FAULT_EVENTS ?= 100000
FAULT_RATE ?= 1000
FAULT_ARGS ?=
faults: setup
	$(PY) -m tests.faults --events $(FAULT_EVENTS) --rate $(FAULT_RATE) $(FAULT_ARGS)

# The small size CI runs after `make test`: all four scenarios, about five minutes on
# two cores (the recovery measurement is left to `make faults`).
faults-ci: setup
	$(PY) -m tests.faults --events 1500 --rate $(FAULT_RATE) --bad-copies 5 \
		--scenarios crash,workers,broker,badinput

kafka-start: setup
	$(BIN)/leadledger kafka start

kafka-stop:
	$(BIN)/leadledger kafka stop

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .hypothesis

# Every row of BENCHMARKS.md in one run: its own broker and workers, stopped at the end.
# Sizes: `make bench BENCH_ARGS="--leads 2000 --memory-leads 100000"`.
bench: setup
	$(PY) -m bench $(BENCH_ARGS)
