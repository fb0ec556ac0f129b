"""What differs between the engines' SQL: quoting, the text type, hashing and bit operations.

Everything else is written once in ``engine.sql``. Both engines read ``1.5`` as a DECIMAL, so
every number is written as a double literal (``1.5e0``); casts that may fail use ``TRY_CAST``
because Spark 4 raises on a bad ``CAST``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# 15 hex digits of an MD5: 60 bits, so the number fits a signed 64-bit integer in both engines.
HASH_DIGITS = 15


def lit(value: float) -> str:
    """A float as a DOUBLE literal that both engines read back to the same bits."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"no SQL literal for {number!r}")
    text = repr(number)
    return f"({text})" if "e" in text else f"({text}e0)"


@dataclass(frozen=True)
class Dialect:
    """One engine's spelling of the few things that differ."""

    name: str
    quote_char: str
    text_type: str

    def quote(self, name: str) -> str:
        """A quoted identifier (the quote character doubled inside)."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def hash64(self, text: str) -> str:
        """A 60-bit integer from the MD5 of ``text`` (the same number in every engine)."""
        digits = f"substr(md5({text}), 1, {HASH_DIGITS})"
        if self.name == "duckdb":
            return f"CAST(('0x' || {digits}) AS BIGINT)"
        return f"CAST(conv({digits}, 16, 10) AS BIGINT)"

    def xor(self, a: str, b: str) -> str:
        """Bitwise exclusive or of two integers (Spark writes ``^``; DuckDB has ``xor``)."""
        return f"xor({a}, {b})" if self.name == "duckdb" else f"({a} ^ {b})"

    def shift_right(self, value: str, bits: int) -> str:
        """``value >> bits`` (arithmetic); Spark before 4.0 has only ``shiftright``."""
        return (
            f"({value} >> {int(bits)})"
            if self.name == "duckdb"
            else (f"shiftright({value}, {int(bits)})")
        )

    def distinct_in_range(self, value: str, low: int, high: int) -> str:
        """The aggregate counting the distinct values of a whole number in ``[low, high]``.

        DuckDB sets one bit per value in a bitmap of the range (no hash table of every value);
        Spark counts them as it always has.
        """
        if self.name == "duckdb":
            return f"bit_count(bitstring_agg(CAST({value} AS BIGINT), {int(low)}, {int(high)}))"
        return f"count(DISTINCT {value})"

    def log1p(self, value: str) -> str:
        """``log(1 + value)``: DuckDB has no ``log1p``."""
        return f"ln(1e0 + {value})" if self.name == "duckdb" else f"log1p({value})"

    def text(self, value: str) -> str:
        """A string literal; Spark reads a backslash as an escape, DuckDB does not."""
        if self.name == "spark":
            # Spark joins adjacent literals ('a' 'b' is 'ab'), so a quote is escaped, not doubled.
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"


DUCKDB = Dialect("duckdb", '"', "VARCHAR")
SPARK = Dialect("spark", "`", "STRING")
