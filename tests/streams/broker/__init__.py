"""Unit tests of `streams.broker`."""
