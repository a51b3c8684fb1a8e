"""The per-partner sharing view: ``fold`` folds a partner's ``PartnerActivity`` events,
``state`` holds them, ``body`` renders ``GET /partners/{id}``, ``kpis`` the agreement's KPIs.

May import: the kernel and ``schemas``.
"""
