"""Every chart of the site, built with Altair from aggregates and stored as Vega-Lite JSON.

Input: a ``Release``'s analysis and its ``Suppressor``. Output: ``ChartSpec`` values.
May import: the rest of ``report`` (privacy, downloads) and the stages below it.
"""
