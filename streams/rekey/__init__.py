"""Re-wrapping the lead keys under a new key-encryption key: ``rotation`` (what
``leadledger keys rotate`` and ``keys status`` do), ``writer`` (records onto the key topic).

Offline: it writes the ``lead-keys`` changelog itself, so it runs only while no worker
of the namespace is in its consumer group. The record log is never touched.

May import: ``streams.personal_data``, ``streams.readback``, the standard library and
Kafka clients.
"""
