"""What each ``/settings/{action}`` form changes: one small function per form.

Each takes the posted form of one signed-in account and returns what to tell them; a value it
cannot use is an :class:`~tidings.errors.InputError` (shown back as one line), an id the
account cannot see is a :class:`~tidings.errors.NotFoundError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import FormData

from tidings import passwords
from tidings.config import Settings
from tidings.errors import FormError
from tidings.operations import accounts, filters, subscriptions
from tidings.operations import users as user_ops
from tidings.store import Store
from tidings.store.users import User
from tidings.web.reader.forms import MAX_NAME, positive_id
from tidings.web.sessions import field

MARK_READ_ON = ("open", "scroll", "never")


@dataclass(frozen=True, slots=True)
class Change:
    store: Store
    settings: Settings
    user: User
    form: FormData
    _: Callable[..., str]

    def text(self, name: str, *, limit: int = MAX_NAME, required: bool = True) -> str:
        value = field(self.form, name).strip()
        if required and not value:
            raise FormError(self._("Fill in {field}.", field=name.replace("_", " ")))
        if len(value) > limit:
            raise FormError(self._("{field} is too long.", field=name.replace("_", " ")))
        return value

    def source_id(self) -> int:
        return positive_id(field(self.form, "source_id"), "source_id")


@dataclass(frozen=True, slots=True)
class Outcome:
    message: str
    section: str
    #: sign this browser in again as this (changed) account
    renew_session: User | None = None


def change_password(c: Change) -> Outcome:
    if not passwords.verify_password(c.user.password_hash, field(c.form, "current")):
        raise FormError(c._("The current password is wrong."))
    new = field(c.form, "password")
    if new != field(c.form, "confirm"):
        raise FormError(c._("The two passwords differ."))
    user_ops.set_password(c.store, c.user.name, new)
    return Outcome(c._("Password changed; every other session is signed out."), "account",
                   renew_session=c.store.users.get(c.user.id))


def sign_out_everywhere(c: Change) -> Outcome:
    accounts.sign_out_everywhere(c.store, c.user.id, datetime.now(UTC))
    return Outcome(c._("Every other session is signed out."), "account",
                   renew_session=c.user)


def set_api_password(c: Change) -> Outcome:
    accounts.set_api_password(c.store, c.user.name, field(c.form, "password"))
    return Outcome(c._("API password set."), "apps")


def revoke_api_password(c: Change) -> Outcome:
    accounts.clear_api_password(c.store, c.user.name)
    return Outcome(c._("API password and app tokens revoked."), "apps")


def set_preferences(c: Change) -> Outcome:
    mark_read_on = field(c.form, "mark_read_on")
    if mark_read_on not in MARK_READ_ON:
        raise FormError(c._("Choose when an article is marked read."))
    accounts.set_prefs(c.store, c.user.id, mark_read_on=mark_read_on,
                       mark_duplicates_read=field(c.form, "mark_duplicates_read") == "1",
                       group_by_story=field(c.form, "group_by_story") == "1")
    return Outcome(c._("Preferences saved."), "reading")


def follow(c: Change) -> Outcome:
    sub = subscriptions.follow_source(c.store, c.user.id, c.source_id())
    return Outcome(c._("Following {feed}.", feed=sub.title), "feeds")


def unfollow(c: Change) -> Outcome:
    source_id = c.source_id()
    titles = {s.source_id: s.title for s in subscriptions.list_subscriptions(c.store, c.user.id)}
    subscriptions.unsubscribe(c.store, c.user.id, source_id)
    return Outcome(c._("Unfollowed {feed}.", feed=titles.get(source_id, "")), "feeds")


def add_feed(c: Change) -> Outcome:
    url = c.text("url", limit=2000)
    folder = c.text("folder", required=False) or None
    made = subscriptions.subscribe_url(c.store, c.settings, c.user.id, url, folder=folder,
                                       now=datetime.now(UTC))
    return Outcome(c._("Following {feed}.", feed=", ".join(s.title for s in made)), "feeds")


def move(c: Change) -> Outcome:
    folder = c.text("folder", required=False) or None
    subscriptions.set_folder(c.store, c.user.id, c.source_id(), folder)
    return Outcome(c._("Moved."), "feeds")


def _folder_id(c: Change) -> int:
    return positive_id(field(c.form, "folder_id"), "folder_id")


def create_folder(c: Change) -> Outcome:
    folder = subscriptions.add_folder(c.store, c.user.id, c.text("name"))
    return Outcome(c._("Folder {folder} created.", folder=folder.name), "folders")


def rename_folder(c: Change) -> Outcome:
    folder = subscriptions.rename_folder(c.store, c.user.id, _folder_id(c), c.text("new_name"))
    return Outcome(c._("Folder renamed to {folder}.", folder=folder.name), "folders")


def delete_folder(c: Change) -> Outcome:
    subscriptions.delete_folder(c.store, c.user.id, _folder_id(c))
    return Outcome(c._("Folder deleted."), "folders")


def add_filter(c: Change) -> Outcome:
    source = field(c.form, "source_id").strip()
    filters.add_rule(c.store, c.user.id, action=field(c.form, "action"),
                     field=field(c.form, "field"), kind=field(c.form, "kind") or "keyword",
                     pattern=c.text("pattern", limit=filters.MAX_PATTERN),
                     source_id=positive_id(source, "source_id") if source else None)
    return Outcome(c._("Filter added."), "filters")


def delete_filter(c: Change) -> Outcome:
    filters.delete_rule(c.store, c.user.id, positive_id(field(c.form, "filter_id"),
                                                         "filter_id"))
    return Outcome(c._("Filter deleted."), "filters")


def add_search(c: Change) -> Outcome:
    found = filters.add_saved_search(c.store, c.user.id, c.text("name", limit=200),
                                     c.text("query", limit=500))
    return Outcome(c._("Search {name} saved.", name=found.name), "searches")


def delete_search(c: Change) -> Outcome:
    filters.delete_saved_search(c.store, c.user.id, positive_id(field(c.form, "search_id"),
                                                                 "search_id"))
    return Outcome(c._("Saved search deleted."), "searches")


ACTIONS: dict[str, Callable[[Change], Outcome]] = {
    "password": change_password, "sign-out-everywhere": sign_out_everywhere,
    "api-password": set_api_password, "api-revoke": revoke_api_password,
    "preferences": set_preferences, "follow": follow, "unfollow": unfollow,
    "add-feed": add_feed, "move": move, "folder-create": create_folder,
    "folder-rename": rename_folder, "folder-delete": delete_folder,
    "filter-add": add_filter, "filter-delete": delete_filter,
    "search-add": add_search, "search-delete": delete_search,
}
