"""The tests mirror the code: ``tests/projections``, ``tests/streams``, ``tests/schemas``
hold unit tests next to the package they test; ``integration`` runs a real broker and
worker; ``golden`` holds golden logs and their answers; ``faults`` is the fault harness;
``docs`` checks what the docs print; ``support`` builds what the tests share (events,
agreements, partners, a live worker, Kafka readers).
"""
