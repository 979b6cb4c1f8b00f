"""Ingestion: fetch feeds politely and safely, parse them, and store their entries.

One concern per module: ``netguard`` (which addresses may be contacted), ``fetch`` (HTTP),
``parse`` (feed formats), ``discover`` (feeds advertised by a page), ``urls`` (canonical
URLs), ``sanitize`` (nh3, always last), ``schedule`` (when to check again), ``pipeline``
(fetch → parse → store for many feeds) and ``worker`` (the background loop).
"""
