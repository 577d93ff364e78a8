"""Provides tui-annotate, a keyboard-first terminal tool for annotating images and texts."""

__version__ = "0.1.0"
