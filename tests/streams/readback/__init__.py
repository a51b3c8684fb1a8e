"""Unit tests of `streams.readback`."""
