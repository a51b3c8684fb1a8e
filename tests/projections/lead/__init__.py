"""Unit tests of `projections.lead`."""
