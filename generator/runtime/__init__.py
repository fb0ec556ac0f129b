"""Run-time services every stage may use: the build cache, stage timings and progress bars.

Input: nothing of the product's values. Output: a cache folder, timing events, terminal bars.
May import: ``generator.errors`` and the standard library only (never a stage above it).
"""
