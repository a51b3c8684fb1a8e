"""The ``leadledger`` command: ``main`` (the broker, topics, worker), ``replay`` (replay,
export, reports), ``verify``, ``tokens``, ``keys`` (the KEKs: status, rotate), and
``foreground``/``collector`` helpers.

An edge. May import: anything in ``streams``, ``projections`` and ``schemas``; nothing
imports it.
"""
