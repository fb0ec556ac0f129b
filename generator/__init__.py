"""Segments: a static report site generator for customer segmentation."""

__version__ = "0.1.0"
