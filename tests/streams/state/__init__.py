"""Unit tests of `streams.state`."""
