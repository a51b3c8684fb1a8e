"""Personal data in the shell: ``sealing`` (AES-GCM, one key per lead), ``worker`` (seal
on intake, open for views, shred on erasure), ``replay_persons`` (a replayed lead's person).

May import: ``projections``, ``schemas``, ``streams.runtime``.
"""
