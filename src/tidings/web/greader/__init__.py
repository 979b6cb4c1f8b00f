"""The Google Reader API (``/api/greader``): the protocol that Reeder, NetNewsWire, FeedMe,
Read You and newsboat's ``feedhq`` mode speak, mapped onto the per-user reader operations.

``itemids`` and ``streams`` read the id forms clients send, ``args`` the request parameters,
``tokens`` the ``GoogleLogin`` header, ``shapes`` and ``atom`` write the answers, ``routes``
joins them to :mod:`tidings.operations`.
"""
