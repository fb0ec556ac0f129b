"""The config stage: ``data/segments.yml`` read, checked in one place and frozen as ``Config``.

Input: the YAML file. Output: ``Config`` (with its column rules, playbook and persona overrides).
May import: ``generator.errors`` and ``generator.runtime``.
"""
