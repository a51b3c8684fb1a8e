"""Unit tests of `projections.lead.sharing`."""
