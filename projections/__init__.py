"""The functional core: pure folds, rules and views. No Kafka, no Faust, no clock.

Time is a parameter and every answer is a function of the events and the policy, so the
live agents, the auditors' replay and the tests share this code.

Layout:
- the kernel, at this level: ``policy`` (and ``default_policy.toml``), ``calendar``,
  ``ids``, ``outcome``, ``history`` (changes, clocks, escalations every aggregate keeps),
  ``personal`` (what stays readable of a sealed person), ``chain`` (the hash chain),
  ``idempotency`` (an event id names one event: the content digests),
  ``access`` (who may read which view);
- one package per aggregate: ``lead`` (with its ``sharing`` and ``privacy`` concerns),
  ``agreement``, ``dispute``;
- projections across aggregates: ``partner_view``, ``compliance``;
- the auditors' answers over a whole log: ``replay``, ``verify``.

May import: ``schemas`` and itself. Never ``streams``. The kernel imports no package;
``agreement`` and ``dispute`` never import ``lead``; ``replay`` sits on top.
"""
