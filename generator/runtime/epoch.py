"""The build date: ``SOURCE_DATE_EPOCH`` (reproducible builds), never the clock."""

from __future__ import annotations

import os

from generator.errors import ConfigError

# 9999-12-31T23:59:59Z: the last moment a date can be written with four digits.
LATEST = 253_402_300_799


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as whole seconds, or None when unset or empty.

    Raises:
        ConfigError: When it is set to anything but whole seconds from 0 to the year 9999.
    """
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > LATEST:
        raise ConfigError(
            f"SOURCE_DATE_EPOCH={text[:40]!r}: expected whole seconds since 1970-01-01 UTC, "
            f"from 0 to {LATEST} (e.g. git log -1 --format=%ct), or unset it"
        )
    return int(text)
