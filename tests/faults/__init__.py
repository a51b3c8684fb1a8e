"""The fault harness: real brokers, real worker processes, injected faults.

Run with ``make faults`` (or ``python -m tests.faults --help``); not collected by
pytest (no ``test_`` modules). See docs/reliability.md.
"""
