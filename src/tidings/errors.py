"""The exception tree, written down once so callers can catch exactly what they mean.

Every error carries a one-line, human-readable message: the CLI prints ``str(err)`` and
never a traceback.
"""

from __future__ import annotations


class TidingsError(Exception):
    """Base of every error tidings raises on purpose."""


class ConfigError(TidingsError):
    """A setting has a value tidings cannot use."""


class FetchError(TidingsError):
    """A resource could not be fetched (network, HTTP status, size or time limit)."""

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    """The URL points at an address tidings refuses to contact (private, loopback, ...)."""


class ParseError(TidingsError):
    """Bytes that should be a feed (or OPML, or a page) could not be understood."""


class ExtractError(TidingsError):
    """An article page gave no usable article."""


class StorageError(TidingsError):
    """The store could not be opened, migrated or written."""


class NotFoundError(TidingsError):
    """A requested object (source, feed, article, story, user) does not exist."""
