"""Unit tests of `streams.web`."""
