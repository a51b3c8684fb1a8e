"""Unit tests of `projections.partner_view`."""
