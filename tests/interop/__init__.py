"""leadledger's wire format against the reference implementation, Apache Avro's Java
library (``tests/interop/java``, built by ``tests.support.avro_java``)."""
