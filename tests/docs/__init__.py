"""The docs' examples, run as printed."""
