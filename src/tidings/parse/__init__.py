"""Parse: turn fetched bytes into entries (RSS, Atom, JSON Feed, sitemaps), with no network.

``feed.parse_feed`` picks the reader. Layers, lowest first: ``safexml`` (the only lxml parser
settings), ``encoding``, ``dates``, ``elements`` and ``entries`` (shared helpers), then the
readers ``rss``, ``atom``, ``jsonfeed``, ``sitemap`` and ``fallback`` (feedparser).
Nothing here imports :mod:`tidings.fetch`; following sitemap indexes is in
:mod:`tidings.fetch.sitemaps`.
"""
