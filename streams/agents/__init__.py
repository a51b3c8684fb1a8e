"""The Faust agents, one module each: ``lead`` (with ``lead_batch``), ``agreement``
(with ``agreement_commands``), ``clock``, ``partner``, and the intake ``janitor``.

Each agent decodes, calls a pure fold and hands what it returns to ``streams.delivery``;
no business rule lives here.

May import: ``projections``, ``schemas``, ``streams.delivery``, ``streams.state``,
``streams.personal_data``, ``streams.runtime``, ``streams.settings``,
``streams.observability`` (a rejection's reason class, for ``GET /metrics``), and
``streams.admission`` (the partner agent copies activities to the partners' feeds).
"""
