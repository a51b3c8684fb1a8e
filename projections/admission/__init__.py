"""Admission: what a publisher may say, decided before anything reaches the record log.

A partner publishes on its own topic (``<namespace>.in.<partner>``) or through the
HTTP door with its token; either way the system knows who it is. ``decide`` takes that
identity and one message and answers: admitted (``source`` and ``source_kind`` stamped
from the identity, and the internal lane it goes to) or refused, with every reason.

- ``table``: who may publish which event type, and about what (the table of
  docs/partners.md);
- ``identity``: the fields that name a partner and must name the publisher;
- ``decide``: the whole decision for one message or one parsed event.

What needs a lead's or an agreement's state (a lead the partner captured or holds, an
agreement it is party to, a commission it owes) is decided by the folds, from the
``source_kind`` admission stamps: the fold sees only the record log, so an auditor's
replay decides it the same way.

May import: ``schemas``; nothing of ``projections``.
"""
