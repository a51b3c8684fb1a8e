"""``leadledger demo``'s story (issue 18, item 5): ``week`` builds a realistic,
backdated partner week as events, a pure function of ``now`` and a run tag, so its
clocks are already due when it is published and nothing waits for an SLA to run out.

May import: ``schemas``.
"""
