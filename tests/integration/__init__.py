"""End-to-end tests: a real broker, a real worker process, real topics."""
