"""The lead aggregate: ``fold.evolve(state, event, policy) -> Outcome``.

``state`` (frozen, compact JSON for the table), ``step`` (the builder handlers change a
lead with), ``rules`` (which status changes are allowed), ``clocks`` (what a lead's clocks
do when they run out), ``partners`` (the partner records a lead keeps), ``commission``
(revenue share). Two concerns of the same fold have packages of their own: ``sharing``
and ``privacy``. They import this package's state and step, and ``fold`` composes them:
the only import cycle allowed, inside one aggregate.

May import: the kernel, ``projections.agreement`` (the agreements a share is admitted
under), ``schemas``.
"""
