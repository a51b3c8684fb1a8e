"""Unit tests of `projections.agreement`."""
