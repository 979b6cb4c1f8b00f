"""Subscriptions and folders through the Google Reader API: ``subscription/list|edit|
quickadd``, ``tag/list``, ``rename-tag``, ``disable-tag``.

A folder is a label (``user/-/label/NAME``). ``subscription/edit`` subscribes by
``feed/<url>`` (autodiscovery as ``tidings add``; the new source is private to its readers)
or by ``feed/<id>`` for a source of the catalogue; unsubscribes, renames and moves by
``feed/<id>`` (``feed/<url>`` of a subscription works too, as in FreshRSS).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tidings.errors import BadParam, NotFoundError
from tidings.operations import subscriptions as subs
from tidings.store.users import User
from tidings.web.formargs import FormArgs
from tidings.web.greader import shapes
from tidings.web.greader.context import GReader
from tidings.web.greader.streams import FeedStream, feed_id, parse_label, parse_stream
from tidings.web.syncapi import json_answer, text_answer

ACTIONS = ("subscribe", "unsubscribe", "edit")


async def subscription_list(api: GReader, request: Request, args: FormArgs, user: User
                            ) -> Response:
    return json_answer(shapes.subscription_list(await api.run(api.data.feeds, user.id)))


async def tag_list(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    folders = await api.run(api.data.folders, user.id)
    return json_answer(shapes.tag_list(name for _, name in folders))


def _feeds(args: FormArgs) -> list[FeedStream]:
    found = [parse_stream(raw) for raw in args.all("s")]
    if not found or not all(isinstance(s, FeedStream) for s in found):
        raise BadParam("s must name feeds (feed/<id> or feed/<url>)")
    return [s for s in found if isinstance(s, FeedStream)]


def _label(raw: str | None) -> str | None:
    return parse_label(raw) if raw and raw.strip() else None


def _subscribe(api: GReader, user: User, stream: FeedStream, title: str | None,
               folder: str | None) -> None:
    if stream.url is not None:
        subs.subscribe_url(api.store, api.settings, user.id, stream.url, folder=folder,
                           title=title)
        return
    assert stream.feed_id is not None
    subs.follow_source(api.store, user.id, stream.feed_id)
    _edit(api, user, stream.feed_id, title, folder, None)


def _edit(api: GReader, user: User, source_id: int, title: str | None, add: str | None,
          remove: str | None) -> None:
    if title:
        subs.rename_subscription(api.store, user.id, source_id, title)
    if add:
        subs.set_folder(api.store, user.id, source_id, add)
    elif remove:
        subs.set_folder(api.store, user.id, source_id, None)


def _source_id(api: GReader, user: User, stream: FeedStream) -> int:
    found = stream.feed_id if stream.url is None else api.data.feed_by_url(user.id, stream.url)
    if found is None:
        raise NotFoundError(f"not subscribed to {stream}")
    return found


def _apply(api: GReader, user: User, action: str, streams: list[FeedStream],
           args: FormArgs) -> None:
    title = (args.get("t") or "").strip() or None
    add, remove = _label(args.get("a")), _label(args.get("r"))
    for stream in streams:
        if action == "subscribe":
            _subscribe(api, user, stream, title, add)
        elif action == "unsubscribe":
            subs.unsubscribe(api.store, user.id, _source_id(api, user, stream))
        else:
            _edit(api, user, _source_id(api, user, stream), title, add, remove)


async def subscription_edit(api: GReader, request: Request, args: FormArgs, user: User
                            ) -> Response:
    action = (args.get("ac") or "edit").strip()
    if action not in ACTIONS:
        raise BadParam(f"ac must be one of {', '.join(ACTIONS)}")
    await api.run(_apply, api, user, action, _feeds(args), args)
    return text_answer("OK")


async def quickadd(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    url = (args.get("quickadd") or "").strip().removeprefix("feed/")
    if not url:
        raise BadParam("quickadd needs a URL")
    made = await api.run(lambda: subs.subscribe_url(api.store, api.settings, user.id, url))
    if not made:
        return json_answer({"numResults": 0, "query": url})
    return json_answer({"numResults": len(made), "query": url,
                        "streamId": feed_id(made[0].source_id),
                        "streamName": made[0].title})


def _folder_id(api: GReader, user: User, raw: str | None) -> int:
    name = _label(raw)
    found = api.data.folder_id(user.id, name) if name else None
    if found is None:
        raise NotFoundError(f"no folder {name!r}")
    return found


async def rename_tag(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    new_name = _label(args.get("dest"))
    if new_name is None:
        raise BadParam("rename-tag needs dest")

    def rename() -> None:
        subs.rename_folder(api.store, user.id, _folder_id(api, user, args.get("s")), new_name)

    await api.run(rename)
    return text_answer("OK")


async def disable_tag(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    def delete() -> None:
        subs.delete_folder(api.store, user.id, _folder_id(api, user, args.get("s")))

    await api.run(delete)
    return text_answer("OK")
