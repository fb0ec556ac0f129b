"""The analysis stage: segment the customers with K-Means and describe every segment.

Input: ``CustomerTable`` and ``Config``. Output: ``Analysis`` (``Segmentation``, one
``SegmentProfile`` per segment, the population) and its ``Stability``. Writes no file.
May import: ``table``, ``config``, ``model``, ``errors``, ``runtime``.
"""
