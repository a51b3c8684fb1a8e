"""Lead sharing on the lead fold: who may share, admission, the partner's response,
the receiver's own pipeline (``pipeline``), partner clocks, and the end of a share
(release on termination, settling on erasure).

May import: the kernel, ``projections.lead``, ``projections.lead.privacy``,
``projections.agreement``, ``schemas``.
"""
