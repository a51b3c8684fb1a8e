"""The streaming shell: the Faust app around the pure core, and its edges.

Layout:
- at this level: ``app`` (what ``faust -A streams.app worker`` runs), ``wiring`` (builds the
  app), ``runtime`` (what agents, timer and views share), ``settings``, ``log_level``,
  ``local_auth`` (a local broker or cluster with its credentials), ``private_files``
  (owner-only files written atomically);
- ``agents``: one module per Faust agent, each a thin loop around a fold;
- ``delivery``: the at-least-once guarantees built around Faust (ack guard, commit guard,
  commit watchdog, agent loop, record log, emit, table writes, rejections, shutdown);
- ``state``: what the agents keep beside Faust's tables (the deadline index, the global
  agreement book);
- ``personal_data``: sealing, opening and shredding personal data; the keyring (the
  key-encryption keys that wrap the lead keys, outside Kafka);
- ``rekey``: re-wrapping every lead key under a new key-encryption key (offline);
- ``admission``: partners on the bus: the admission step that reads every partner's
  publish topic, and the per-partner feeds;
- ``identity``: who is on the bus: the partner registry, credentials, client settings;
- ``broker``: the local broker and cluster, the Kafka jars, the topic registry and admin;
- ``readback``: reading the event and record logs back out of Kafka;
- ``web``: HTTP views and their token gate;
- ``cli``: the ``leadledger`` command.

May import: ``projections`` and ``schemas``; the direction is always
``streams -> projections -> schemas``. Inside, ``agents`` use ``delivery``, ``state``,
``personal_data`` and ``runtime``; ``delivery`` never imports ``agents``; ``web`` and
``cli`` are edges that nothing else imports.
"""
