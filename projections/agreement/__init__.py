"""The lead-sharing agreement aggregate: ``fold.evolve_agreement``.

``state`` (and the questions other folds ask of it), ``step``, ``terms`` (proposal,
signatures, amendments), ``lifecycle`` (activation, review, expiry, termination),
``codec`` (the table's JSON and the view).

May import: the kernel and ``schemas``. The lead and dispute folds import this package,
never the other way round.
"""
