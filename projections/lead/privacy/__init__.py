"""Personal-data duties on the lead fold: consent, erasure requests, who holds the lead,
deletion obligations and retention.

May import: the kernel, ``projections.lead``, ``projections.lead.sharing``, ``schemas``.
"""
