"""Unit tests of `projections.lead.privacy`."""
