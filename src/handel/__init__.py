"""Handel: one commerce platform for a B2B portal and a B2C shop."""

__version__ = "0.1.0"
