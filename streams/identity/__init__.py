"""Who is on the bus: the partner registry (``registry``) and, beside it, the
credentials and client settings every Kafka client of the project connects with.

A partner's identity is what the system authenticated: the SASL principal whose ACLs
allow exactly one publish topic (``<namespace>.in.<partner>``) and one feed
(``<namespace>.out.<partner>``), or an HTTP token. Never a field of the payload.

May import: the standard library, ``projections`` and ``schemas``; nothing else of
``streams``.
"""
