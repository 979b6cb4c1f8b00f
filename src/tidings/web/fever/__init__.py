"""The Fever API (``/api/fever.php``), for the older apps that only speak it.

``args`` reads a request (parameters from the query string and the body alike), ``shapes``
writes Fever's objects, ``routes`` answers through :mod:`tidings.operations`.
"""
