"""Partners on the bus: the admission step, the per-partner feeds, and the producer and
consumer loop they share.

- ``step``: reads every partner's publish topic (``<namespace>.in.<partner>``, a
  pattern subscription, so a partner added while the worker runs is read without a
  restart), asks ``projections.admission`` what to do with each message, forwards what
  it admits to the internal topics the agents fold, and sends each refusal to the
  rejections topic and to the partner's feed;
- ``feeds``: copies what is addressed to a partner (escalations, notifications, its
  activities, the refusals of its admitted events) to its feed
  (``<namespace>.out.<partner>``);
- ``relay``: the at-least-once loop both run outside Faust: read, decide, send, wait
  until the broker has every send, then commit;
- ``bus``: the producer they and the HTTP door share, and which topics exist;
- ``janitor``: deletes what admission handled from the publish topics (plaintext
  personal data lives there only until then).

May import: ``projections``, ``schemas``, ``streams.broker.topics``, ``streams.identity``,
``streams.delivery.rejections``, ``streams.personal_data.sealing``, ``streams.runtime``,
``streams.settings``, ``streams.observability`` (refusals by partner, for ``GET /metrics``).
"""
