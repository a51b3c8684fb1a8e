"""``leadledger deliver``: escalations and notifications to webhooks and email.

A process of its own, with its own consumer group on the escalations and notifications
topics. Each alert is routed (``projections.alerts.routing``), queued once per endpoint in
a SQLite outbox under ``$LEADLEDGER_HOME`` before its offset is committed, and sent from
there until it is acknowledged, its retries are spent (dead-letter topic) or its endpoint
answered 410 (disabled). docs/alerts.md says why and how to run it.

- ``intake``: the topics to the outbox, committing offsets only after the rows are on disk;
- ``outbox``: the SQLite rows, their states and next-attempt times;
- ``dispatcher``: sends what is due, records each answer, dead-letters;
- ``senders``: one webhook POST or one email; ``secrets`` and ``settings``: what they need;
- ``deliverer``: the process that wires them.

May import: ``projections``, ``schemas``, ``streams.admission.relay``,
``streams.broker.topics``, ``streams.identity``, ``streams.private_files``,
``streams.settings``.
"""
