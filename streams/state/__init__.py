"""State the agents keep beside Faust's tables: ``deadline_index`` (deadlines by due
time, so a tick costs what is due) and ``agreement_book`` (every agreement on every
worker, for share admission).

May import: ``projections`` and ``schemas``.
"""
