"""The event contract: pydantic models, Avro schemas and the codec that reads and writes them."""
