"""The SLA dashboard's figures (issue 18, item 2), pure: ``figures`` computes what the
operator's and a partner's dashboard show from lead states, escalation rows and partner
views at a given ``now``; ``reasons`` groups refusal reasons that name leads into kinds.

May import: the kernel, ``lead``, ``partner_view``, ``replay`` and ``schemas``.
"""
