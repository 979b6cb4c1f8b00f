"""Fetch: talk to outlets politely and safely.

``netguard`` (which addresses may be contacted), ``http`` (the guarded, capped HTTP client),
``schedule`` (when to check a feed again), ``urls`` (canonical URLs) and ``discover`` (the feeds
a web page advertises).
"""
