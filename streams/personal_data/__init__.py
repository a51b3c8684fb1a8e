"""Personal data in the shell: ``sealing`` (AES-GCM, one key per lead), ``worker`` (seal
on intake, open for views, shred on erasure), ``replay_persons`` (a replayed lead's person),
``keyring`` (the key-encryption keys, outside Kafka) and ``key_records`` (a lead key as
the key topic holds it: wrapped).

May import: ``projections``, ``schemas``, ``streams.runtime``.
"""
