"""Bringing outside material in: OPML subscription lists (``opml``) and saved pages (``pages``)."""
