"""Who is on the bus: the partner registry (``registry``) and, beside it, the
credentials and client settings every Kafka client of the project connects with:
``credentials`` (the project's own principals and their owner-only file),
``clients`` (one ``KafkaAccess`` rendered for kafka-python, aiokafka, Faust and
confluent-kafka), ``provisioning`` (a partner's SCRAM user and ACLs on a running broker)
and ``certificates`` (the CA and broker certificate of the TLS listener).

A partner's identity is what the system authenticated: the SASL principal whose ACLs
allow exactly one publish topic (``<namespace>.in.<partner>``) and one feed
(``<namespace>.out.<partner>``), or an HTTP token. Never a field of the payload.

May import: the standard library, the Kafka clients and ``cryptography``, ``projections``
and ``schemas``; of ``streams`` only ``streams.private_files`` (owner-only files).
"""
