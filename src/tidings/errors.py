"""The exception tree, written down once so callers can catch exactly what they mean.

Every error carries a one-line, human-readable message: the CLI prints ``str(err)`` and
never a traceback (unless run with ``-v``). The tree::

    TidingsError                   every error tidings raises on purpose
    ├── ConfigError                a setting or command option tidings cannot use
    ├── FetchError                 network, HTTP status, size or time limit
    │   └── BlockedAddressError    a private, loopback or otherwise refused address
    ├── ParseError                 bytes that should be a feed, OPML or a page are not
    ├── ExtractError               an article page gave no usable article
    ├── StorageError               the database could not be opened, migrated, read or written
    │   └── ConstraintError        a write broke a uniqueness or reference rule
    │       └── UserExistsError    an account with that name already exists
    ├── NotFoundError              a source, feed, article, story or user does not exist
    ├── OperationError             an admin or CLI action that cannot be done as asked
    │   └── UnknownStageError      a pipeline stage name that is not declared
    └── InputError                 a value a person typed (also a ``ValueError``)
        ├── BadParam               a query parameter the site cannot use (answered with 400)
        └── FormError              an admin form value, shown back to the administrator

Database driver errors never leave ``tidings.store``: the engine's ``handle_error`` hook
(``store/engine.py``) turns every one into a :class:`StorageError`, an integrity violation
into a :class:`ConstraintError`.
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
    """The store could not be opened, migrated, read or written."""


class ConstraintError(StorageError):
    """A write broke a uniqueness or reference rule of the schema."""


class UserExistsError(ConstraintError):
    """An account with that name already exists."""


class NotFoundError(TidingsError):
    """A requested object (source, feed, article, story, user) does not exist."""


class OperationError(TidingsError):
    """An admin or command-line action that cannot be done as asked."""


class UnknownStageError(OperationError):
    """A stage name that is not in :data:`tidings.worker.stages.STAGES`."""


class InputError(TidingsError, ValueError):
    """A value a person gave that cannot be used; a ``ValueError`` too, for plain callers."""


class BadParam(InputError):
    """A query parameter the site cannot use (answered with 400)."""


class FormError(InputError):
    """A form value that cannot be used; shown to the administrator, never a traceback."""


def one_line(exc: BaseException, limit: int = 1000) -> str:
    """The first non-empty line of an error's message (of the driver's, for a wrapped
    database error), at most ``limit`` characters; the class name when there is no text."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return (line or type(exc).__name__)[:limit]
