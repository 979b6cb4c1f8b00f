"""WebSub (W3C): tidings as a subscriber (hubs push outlets' feeds in) and as a publisher
(tidings pings its own hub when the feeds it serves change).

- ``signature``: the ``X-Hub-Signature`` HMAC check of a content distribution;
- ``subscriber``: asking hubs for subscriptions, renewing them, ending them (the ``websub``
  stage of the worker);
- ``callbacks``: what ``/websub/<token>`` answers (verification of intent, content);
- ``publisher``: pinging ``TIDINGS_WEBSUB_HUB`` (the ``publish`` stage).

How it fits together, and how to expose ``/websub/``: docs/websub.md.
"""
