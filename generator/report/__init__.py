"""The report stage: decide what the site says and draw it (pages, charts, downloads).

Input: a ``Release`` and ``Config``. Output: ``ChartSpec`` and ``RenderedPage`` values in memory.
The words live in ``templates/``; this package hands them numbers through one Jinja environment
(``report.text``) and applies the privacy rule (``report.privacy``) to everything it publishes.
May import: ``release``, ``analysis``, ``table``, ``config``, ``model``, ``errors``, ``runtime``.
"""
