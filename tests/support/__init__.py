"""What the tests share, named for what it builds: ``leads`` and ``agreements`` and
``partners`` (events), ``kafka_io`` (publish and read), ``live_worker`` (a worker
process), ``ports``, ``recorded``, ``delivery``, ``views``, ``fake_client``.
"""
