"""Typed facts and their pure navigation helpers, one module per input (DESIGN.md's layout)."""
