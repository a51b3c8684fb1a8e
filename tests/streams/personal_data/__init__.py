"""Unit tests of `streams.personal_data`."""
