"""The broker and its plumbing: ``topics`` (the one registry of every topic), ``admin``
(create them with explicit settings), ``jars`` (the Kafka jars from Maven Central),
``local_broker`` and ``local_cluster`` (KRaft brokers started with ``java``), and
``kafka/`` (the Maven file and log settings they use).

May import: the standard library and Kafka clients only; nothing of the project.
"""
