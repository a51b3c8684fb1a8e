"""Unit tests of `projections.dispute`."""
