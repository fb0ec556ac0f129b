"""The release stage: keep segment identities across data updates, and say what changed.

Input: a fresh ``Analysis``, the lock file and the assignments sidecar of the last release.
Output: a ``Release`` (the analysis renumbered and renamed to match the lock, persona overrides
applied, the change report, the next lock and sidecar as text). Writes no file.
May import: ``analysis``, ``table``, ``config``, ``model``, ``errors``, ``runtime``.
"""
