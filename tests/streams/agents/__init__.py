"""Unit tests of `streams.agents`."""
