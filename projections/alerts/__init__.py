"""Alerts delivered to people and systems: the pure parts.

Which endpoints an escalation or notification goes to (``routing``), when a failed
delivery is tried again (``retry``), what a webhook carries and how it is signed
(``webhook``), and what an email says (``email``). No I/O and no clock: the deliverer
(``streams/alerts``) passes the time in.

May import: ``schemas``; nothing of ``projections`` (``projections.policy`` imports
``routing`` for its ``[alerts]`` section).
"""
