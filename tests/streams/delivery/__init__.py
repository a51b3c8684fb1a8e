"""Unit tests of `streams.delivery`."""
