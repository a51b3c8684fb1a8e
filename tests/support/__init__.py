"""What the tests share, named for what it builds: ``leads``, ``agreements``,
``partners`` and ``every_type`` (events), ``kafka_io`` (publish and read),
``live_worker`` (a worker process), ``avro_java`` (Apache Avro's Java library, built
with Maven), ``doc_blocks`` (a page's Python blocks and a recording producer),
``ports``, ``recorded``, ``delivery``, ``views``, ``fake_client``.
"""
