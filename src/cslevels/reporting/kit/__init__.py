"""Shared building blocks of the reports, one module per medium."""
