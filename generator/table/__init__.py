"""The table stage: read the customer file and validate it into a ``CustomerTable``.

Input: ``Config`` and the file it names (CSV, text, Parquet, Excel). Output: ``CustomerTable``
(``generator.model``), or a ``DataError`` naming the file, row, column, value and what was
expected. The only stage that reads the customer file.
May import: ``config``, ``model``, ``errors``, ``runtime``.
"""
