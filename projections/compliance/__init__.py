"""Compliance views for data-protection officers: ``views`` (a lead's and an agreement's
compliance page) and ``partner`` (whose personal data a partner holds).

May import: the kernel, ``projections.lead`` (and its ``privacy``), ``projections.agreement``,
``schemas``.
"""
