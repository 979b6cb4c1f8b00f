"""The site: HTML pages, the JSON API and outgoing feeds from the same data (``data.py``),
page caching (``cache.py``, ``fastpath.py``), read counting (``reads.py``), and the server
(``server.py``). ``app.create_app(settings, store)`` wires them with the admin area and the
security middleware."""
