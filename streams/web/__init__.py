"""The worker's HTTP views: ``views`` (leads, escalations, stats, and the registration),
``metrics`` (``GET /metrics``, the Prometheus text format),
``agreements``, ``partners``, ``privacy``; ``events`` (the HTTP door, ``POST /events``)
and ``event_reuse`` (its 409 for a reused event id);
``access`` (the bearer-token gate), ``http_log`` (a request the server cannot parse is
logged as the client's error: a warning, no traceback) and
``token_store`` (the token file, hashes only).

An edge: nothing else in ``streams`` imports it but ``wiring`` and the ``tokens`` command.

May import: ``projections``, ``schemas``, ``streams.agents``, ``streams.personal_data``,
``streams.runtime``, ``streams.settings``, ``streams.private_files``,
``streams.observability``.
"""
