"""At-least-once delivery around Faust: the guards the fault harness asked for.

``agent_loop`` (every message handled, no exception escaping), ``ack_guard`` and
``commit_guard`` (only handled offsets are acknowledged and committed),
``commit_watchdog`` (a worker whose commits stall exits), ``table_writes`` (acks wait for
changelog writes), ``recorder`` (the record log, written first), ``emit`` (outputs),
``rejections`` (a refused message loses nothing), ``backlog``, ``shutdown``.

Read the reliability page (docs/reliability.md) before changing anything here.

May import: ``projections``, ``schemas``, ``streams.state``, ``streams.personal_data``,
``streams.runtime``, ``streams.observability`` (what it records for ``GET /metrics``).
Never ``streams.agents``.
"""
