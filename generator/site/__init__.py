"""The site stage: the only writer, and the MkDocs side.

Input: the ``RenderedPage`` values of ``report`` and the release's lock and sidecar text.
Output: ``docs/``, ``site/``, the lock and the sidecar, published together as one release
(``write`` stages, ``outputs`` guards the folders, ``publish`` moves them in); MkDocs runs
through ``mkdocs``, ``hooks`` and ``csp``, registered as the ``segments`` plugin (``plugin``);
``project`` finds and checks a project's ``mkdocs.yml`` before any analysis.
May import: ``report``, ``release``, ``analysis``, ``table``, ``config``, ``model``, ``errors``,
``runtime``.
"""
