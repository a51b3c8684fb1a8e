"""Reading logs back out of Kafka, for replay, export and verify: ``partitions`` (a
partition from start to now, with librdkafka), ``event_log`` (the event log in a
deterministic order), ``record_log`` (the record log as it is), ``steps`` (what a
reader reports of its progress, for the commands' bars).

May import: ``projections``, ``schemas``, ``streams.broker``, ``streams.identity`` (how to
connect), ``streams.personal_data``.
"""
