"""The site stage: write ``docs/`` and build ``site/`` with MkDocs (hooks, CSP, Vega bundle).

Input: ``RenderedPage`` values. Output: files on disk, swapped in whole (``site.write``), and
the MkDocs build (``site.mkdocs``, ``site.hooks``). The only stage besides ``table`` that touches
files, and the only one that writes them.
May import: ``report`` and the stages below it. The MkDocs side (``hooks``, ``csp``,
``bundle``) imports no pandas or pyarrow, so a page build stays cheap.
"""
