"""The analysis half of the program: config and table in, ``Analysis`` out."""

from __future__ import annotations

from generator.config import Config
from generator.load import read_table
from generator.model import Analysis, CustomerTable
from generator.validate import validate


def load_table(config: Config) -> CustomerTable:
    """Read and validate the configured table."""
    raw, source = read_table(config)
    return validate(raw, source, config)


def run_analysis(config: Config) -> Analysis:
    """Load, validate, segment and profile."""
    # Imported here so `segments validate` does not pay for loading scikit-learn.
    from generator.profile import analyse
    from generator.segment import segment

    table = load_table(config)
    return analyse(table, segment(table, config), config)
