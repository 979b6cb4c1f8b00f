"""A reader's subscriptions and folders over the shared catalogue of sources.

Subscribing by URL finds feeds exactly as ``tidings add`` does (:func:`tidings.operations.
sources.subscribe`, address guard included). A feed nobody has yet becomes a *private*
source: fetched like any other, seen only by the readers who follow it, never on the public
site, its API, feeds or search, until an administrator publishes it
(:func:`publish_source`, ``tidings sources publish ID``). When its last follower leaves, a
private source is removed with its articles.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tidings.config import Settings
from tidings.errors import InputError, NotFoundError
from tidings.models import Source
from tidings.operations.sources import subscribe
from tidings.store import Store
from tidings.store.subscriptions import Folder, Subscription

MAX_NAME = 200


def _name(text: str, what: str) -> str:
    text = " ".join(text.split())
    if not text or len(text) > MAX_NAME:
        raise InputError(f"a {what} name is 1 to {MAX_NAME} characters")
    return text


def list_subscriptions(store: Store, user_id: int) -> list[Subscription]:
    return store.subscriptions.list(user_id)


def subscribe_url(store: Store, settings: Settings, user_id: int, url: str, *,
                  folder: str | None = None, title: str | None = None,
                  now: datetime | None = None) -> list[Subscription]:
    """Follow the feed at ``url`` (or those its page advertises); the subscriptions made.
    A feed already in the catalogue is followed as it is (public or another reader's)."""
    now = now or datetime.now(UTC)
    found = subscribe(store, settings, url, now=now, public=False)
    folder_id = add_folder(store, user_id, folder).id if folder else None
    done: list[Subscription] = []
    for item in found:
        source_id = item.source.id or 0
        store.subscriptions.follow(user_id, source_id, now, folder_id)
        if folder_id is not None:
            store.subscriptions.set_folder(user_id, source_id, folder_id)
        if title:
            store.subscriptions.set_title(user_id, source_id, _name(title, "subscription"))
        done.append(store.subscriptions.get(user_id, source_id))
    return done


def follow_source(store: Store, user_id: int, source_id: int,
                  now: datetime | None = None) -> Subscription:
    """Follow a source of the catalogue the reader may see (a public one, or one followed)."""
    if not store.subscriptions.can_see(user_id, source_id):
        raise NotFoundError(f"no source with id {source_id}")
    store.subscriptions.follow(user_id, source_id, now or datetime.now(UTC))
    return store.subscriptions.get(user_id, source_id)


def unsubscribe(store: Store, user_id: int, source_id: int) -> None:
    """Stop following a source (stars stay); a private source nobody follows is removed."""
    if not store.subscriptions.unfollow(user_id, source_id):
        raise NotFoundError(f"not subscribed to source {source_id}")
    source = store.sources.get(source_id)
    if not source.public and store.subscriptions.followers(source_id) == 0:
        store.sources.remove(source_id)


def rename_subscription(store: Store, user_id: int, source_id: int, title: str | None) -> None:
    """The reader's own title for a subscription (None or "": the source's name again)."""
    store.subscriptions.set_title(user_id, source_id,
                                  _name(title, "subscription") if title else None)


def set_folder(store: Store, user_id: int, source_id: int, folder: str | None) -> None:
    """Put a subscription in the folder called ``folder`` (made when new); None: no folder."""
    folder_id = add_folder(store, user_id, folder).id if folder else None
    store.subscriptions.set_folder(user_id, source_id, folder_id)


def list_folders(store: Store, user_id: int) -> list[Folder]:
    return store.subscriptions.folders(user_id)


def add_folder(store: Store, user_id: int, name: str) -> Folder:
    return store.subscriptions.add_folder(user_id, _name(name, "folder"))


def folder_by_name(store: Store, user_id: int, name: str) -> Folder | None:
    return store.subscriptions.folder_by_name(user_id, name)


def rename_folder(store: Store, user_id: int, folder_id: int, name: str) -> Folder:
    return store.subscriptions.rename_folder(user_id, folder_id, _name(name, "folder"))


def delete_folder(store: Store, user_id: int, folder_id: int) -> None:
    """Delete a folder; its subscriptions stay, outside any folder."""
    store.subscriptions.delete_folder(user_id, folder_id)


def publish_source(store: Store, source_id: int, now: datetime | None = None) -> Source:
    """An administrator's choice: a reader's private source becomes public (on the site, and
    followed by every account)."""
    source = store.sources.publish(source_id, now or datetime.now(UTC))
    store.meta.bump()  # the site's cached pages may now show it
    return source
