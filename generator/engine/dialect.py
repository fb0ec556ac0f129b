"""What differs between the engines' SQL: one ``Dialect`` subclass per engine.

Everything else is written once in ``engine.sql`` and the ``engine_*`` modules, in the SQL every
engine reads: subqueries named (``AS q``), numbers written as double literals (``1.5e0``, which
DuckDB and Spark read as a DOUBLE and PostgreSQL as an exact NUMERIC that meets a DOUBLE
PRECISION column exactly), casts that may fail written through the dialect (``try_double``).
A new engine's dialect overrides what its SQL spells otherwise; nothing outside a dialect asks
which engine it is.
"""

from __future__ import annotations

import math

# 15 hex digits of an MD5: 60 bits, so the number fits a signed 64-bit integer in every engine.
HASH_DIGITS = 15


def lit(value: float) -> str:
    """A float as a DOUBLE literal that every engine reads back to the same bits."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"no SQL literal for {number!r}")
    text = repr(number)
    return f"({text})" if "e" in text else f"({text}e0)"


class Dialect:
    """One engine's spelling of the few things that differ (DuckDB's, unless overridden)."""

    name = "duckdb"
    quote_char = '"'
    text_type = "VARCHAR"
    double_type = "DOUBLE"
    # Appended to each layer of ``sql.layered``: "" where the engine computes a layer's column
    # once however often the next layer names it.
    layer_fence = ""

    def quote(self, name: str) -> str:
        """A quoted identifier (the quote character doubled inside)."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def text(self, value: str) -> str:
        """A string literal (a quote doubled inside)."""
        return "'" + value.replace("'", "''") + "'"

    def double(self, value: str) -> str:
        """``value`` as a double."""
        return f"CAST({value} AS {self.double_type})"

    def as_text(self, value: str) -> str:
        """``value`` as text."""
        return f"CAST({value} AS {self.text_type})"

    def by_code_point(self, text: str) -> str:
        """A text to order by as Python sorts strings (by code point, whatever the locale)."""
        return text

    def try_double(self, text: str) -> str:
        """The number a text spells, or NULL when it spells none."""
        return f"TRY_CAST({text} AS {self.double_type})"

    def try_bigint(self, text: str) -> str:
        """The whole number a text spells when it fits 64 bits, else NULL."""
        return f"TRY_CAST({text} AS BIGINT)"

    def is_nan(self, value: str) -> str:
        """True when a double is NaN."""
        return f"isnan({value})"

    def infinity(self) -> str:
        """Positive infinity as a double."""
        return self.double("'Infinity'")

    def hash64(self, text: str) -> str:
        """A 60-bit integer from the MD5 of ``text`` (the same number in every engine)."""
        return f"CAST(('0x' || {self._digits(text)}) AS BIGINT)"

    def _digits(self, text: str) -> str:
        return f"substr(md5({text}), 1, {HASH_DIGITS})"

    def xor(self, a: str, b: str) -> str:
        """Bitwise exclusive or of two integers."""
        return f"xor({a}, {b})"

    def shift_right(self, value: str, bits: int) -> str:
        """``value >> bits`` (arithmetic)."""
        return f"({value} >> {int(bits)})"

    def distinct_in_range(self, value: str, low: int, high: int) -> str:
        """The aggregate counting the distinct values of a whole number in ``[low, high]``.

        DuckDB sets one bit per value in a bitmap of the range (no hash table of every value).
        """
        return f"bit_count(bitstring_agg(CAST({value} AS BIGINT), {int(low)}, {int(high)}))"

    def log1p(self, value: str) -> str:
        """``log(1 + value)``: DuckDB has no ``log1p``."""
        return f"ln(1e0 + {value})"


class SparkDialect(Dialect):
    """Spark SQL: backquotes, backslash escapes, ``^`` and ``shiftright``."""

    name = "spark"
    quote_char = "`"
    text_type = "STRING"

    def text(self, value: str) -> str:
        """Spark reads a backslash as an escape and joins adjacent literals ('a' 'b' is 'ab')."""
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def hash64(self, text: str) -> str:
        """The MD5's first 15 hex digits as a number (``conv``)."""
        return f"CAST(conv({self._digits(text)}, 16, 10) AS BIGINT)"

    def xor(self, a: str, b: str) -> str:
        """Spark writes ``^``."""
        return f"({a} ^ {b})"

    def shift_right(self, value: str, bits: int) -> str:
        """Spark before 4.0 has only ``shiftright``."""
        return f"shiftright({value}, {int(bits)})"

    def distinct_in_range(self, value: str, low: int, high: int) -> str:
        """Spark counts them as it always has."""
        return f"count(DISTINCT {value})"

    def log1p(self, value: str) -> str:
        """Spark has ``log1p``."""
        return f"log1p({value})"


# What PostgreSQL's float8 input reads (it has no TRY_CAST): a decimal number, or infinity or
# NaN in any case. An exponent of up to three digits keeps the cast from failing on the digits;
# ``try_double`` checks the magnitude before casting.
PG_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"
PG_SPECIAL = r"^[+-]?(inf|infinity|nan)$"
PG_WHOLE = r"^-?[0-9]{1,19}$"
DOUBLE_MAX = "1.7976931348623157e308"


class PostgresDialect(Dialect):
    """PostgreSQL: no TRY_CAST, ``#`` for xor, hex through ``bit(64)``, NaN compared."""

    name = "postgres"
    text_type = "TEXT"
    double_type = "DOUBLE PRECISION"
    # PostgreSQL flattens nested subqueries, pasting a layer's expression wherever the next one
    # names it: the sample key's eleven layers, each naming the one before twice, became a tree
    # of thousands of copies. OFFSET 0 keeps each layer a step of its own.
    layer_fence = " OFFSET 0"

    def try_double(self, text: str) -> str:
        """A regular expression stands in for TRY_CAST; beyond a double's range is infinite.

        PostgreSQL evaluates a ``CASE`` branch only when its condition holds, so the cast
        never sees a text it would refuse.
        """
        big = f"abs(CAST({text} AS NUMERIC)) > {DOUBLE_MAX}"
        signed = f"CASE WHEN {text} LIKE '-%' THEN -{self.infinity()} ELSE {self.infinity()} END"
        return (
            f"CASE WHEN {text} ~* '{PG_SPECIAL}' THEN {self.double(text)} "
            f"WHEN {text} ~ '{PG_NUMBER}' THEN CASE WHEN {big} THEN {signed} "
            f"ELSE {self.double(text)} END ELSE NULL END"
        )

    def by_code_point(self, text: str) -> str:
        """A database's collation may sort ``a10`` before ``B2``; the C collation does not."""
        return f'{text} COLLATE "C"'

    def try_bigint(self, text: str) -> str:
        """Up to 19 digits, then the range of a BIGINT checked in NUMERIC."""
        fits = f"CAST({text} AS NUMERIC) BETWEEN {-(2**63)} AND {2**63 - 1}"
        return (
            f"CASE WHEN {text} ~ '{PG_WHOLE}' THEN "
            f"CASE WHEN {fits} THEN CAST({text} AS BIGINT) END ELSE NULL END"
        )

    def is_nan(self, value: str) -> str:
        """PostgreSQL holds NaN equal to itself (and above every number)."""
        nan = self.double("'NaN'")
        return f"({value} = {nan})"

    def hash64(self, text: str) -> str:
        """The hex digits read as 64 bits (a leading zero makes 16 digits)."""
        return f"CAST(CAST(('x0' || {self._digits(text)}) AS BIT(64)) AS BIGINT)"

    def xor(self, a: str, b: str) -> str:
        """PostgreSQL writes ``#``."""
        return f"({a} # {b})"

    def distinct_in_range(self, value: str, low: int, high: int) -> str:
        """PostgreSQL counts them (no bitmap aggregate)."""
        return f"count(DISTINCT {value})"


DUCKDB = Dialect()
SPARK = SparkDialect()
POSTGRES = PostgresDialect()
