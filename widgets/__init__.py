"""The built-in themes, one folder each (`_base` is what they all extend): package data."""
