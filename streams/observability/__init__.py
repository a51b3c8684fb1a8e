"""What the worker says about itself on ``GET /metrics``: ``reasons`` (a rejection's
free-text reasons reduced to a bounded class, for a metric label), ``instruments`` (the
per-process counters, histograms and gauges the agents, the admission step and the
delivery guards record into), ``exits`` (the watchdog's exits, kept in a file so the
next process reports them) and ``collectors`` (figures computed at scrape time: from
the tables, from the process counters of ``streams.runtime``, and the consumer's lag).

``delivery``, ``agents`` and ``admission`` record into it; only ``web`` reads it out.

May import: ``projections``, ``schemas``, ``streams.runtime``, ``streams.state``,
``streams.private_files``. Never ``streams.delivery`` or ``streams.agents`` (they import it).
"""
