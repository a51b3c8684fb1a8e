"""The dispute aggregate: ``fold`` with its ``state`` and ``step``.

May import: the kernel, ``projections.agreement`` (the terms in force), ``schemas``.
"""
