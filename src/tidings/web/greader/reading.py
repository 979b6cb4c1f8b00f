"""Reading through the Google Reader API: streams (JSON and Atom), id lists, items by id,
unread counts, and changing state (``edit-tag``, ``mark-all-as-read``, both answering exactly
``OK``, which newsboat compares)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from tidings.errors import BadParam
from tidings.store.users import User
from tidings.web.formargs import FormArgs
from tidings.web.greader import atom, shapes
from tidings.web.greader.args import (
    MAX_CONTENTS,
    MAX_IDS,
    StreamArgs,
    seconds,
    stream_args,
    stream_from,
)
from tidings.web.greader.context import GReader
from tidings.web.greader.itemids import parse_item_ids
from tidings.web.greader.streams import (
    FeedStream,
    LabelStream,
    State,
    StateStream,
    Stream,
    feed_id,
    label_id,
    parse_stream,
    state_id,
)
from tidings.web.syncapi import json_answer, text_answer
from tidings.web.syncitems import SyncFeed


def _path_stream(request: Request) -> str | None:
    raw = request.path_params.get("stream")
    return str(raw) if raw else None


async def _feeds(api: GReader, user: User) -> dict[int, SyncFeed]:
    return {feed.id: feed for feed in await api.run(api.data.feeds, user.id)}


def _site_urls(feeds: dict[int, SyncFeed]) -> dict[int, str]:
    return {feed.id: feed.site_url for feed in feeds.values() if feed.site_url}


async def stream_contents(api: GReader, request: Request, args: FormArgs, user: User
                          ) -> Response:
    wanted = stream_args(args, stream_from(args, _path_stream(request)), most=MAX_CONTENTS)
    items, more = await api.run(api.data.page, user.id, wanted)
    sites = _site_urls(await _feeds(api, user))
    return json_answer(shapes.stream_contents(str(wanted.stream), items, sites,
                                              datetime.now(UTC), more))


async def stream_atom(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    """The Atom form: no ETag, no Last-Modified, never a 304 (see :mod:`.atom`)."""
    wanted = stream_args(args, stream_from(args, _path_stream(request)), most=MAX_CONTENTS)
    items, more = await api.run(api.data.page, user.id, wanted)
    feeds = await _feeds(api, user)
    body = atom.stream_atom(str(wanted.stream), _title(wanted.stream, feeds), items,
                            _site_urls(feeds), datetime.now(UTC), more)
    return Response(body, media_type=atom.MEDIA_TYPE, headers={"cache-control": "no-store"})


def _title(stream: Stream, feeds: dict[int, SyncFeed]) -> str:
    """What a stream is called: the subscription's title, the folder's name, else its id."""
    if isinstance(stream, LabelStream):
        return stream.name
    if isinstance(stream, FeedStream) and stream.feed_id in feeds:
        return feeds[stream.feed_id].title
    return str(stream)


async def item_ids(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    wanted = stream_args(args, stream_from(args), most=MAX_IDS)
    ids, more = await api.run(api.data.ids, user.id, wanted)
    return json_answer(shapes.item_refs(ids, more))


async def item_contents(api: GReader, request: Request, args: FormArgs, user: User
                        ) -> Response:
    ids = parse_item_ids(args.all("i"))
    items = await api.run(api.data.items, user.id, ids)
    sites = _site_urls(await _feeds(api, user))
    return json_answer(shapes.stream_contents(state_id(State.READING_LIST), items, sites,
                                              datetime.now(UTC), None))


async def unread_count(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    summary = await api.run(api.data.unread, user.id)
    names = dict(await api.run(api.data.folders, user.id))
    entries = [shapes.unread_entry(feed_id(c.source_id), c.count, c.newest)
               for c in summary.sources]
    entries.extend(shapes.unread_entry(label_id(names[folder]), count, newest)
                   for folder, (count, newest) in summary.folders.items() if folder in names)
    entries.append(shapes.unread_entry(state_id(State.READING_LIST), summary.total,
                                       summary.newest))
    return json_answer(shapes.unread_counts(entries))


def _states(raws: list[str]) -> set[State]:
    """The states among ``a=``/``r=`` values; labels on single items are accepted and
    ignored (tidings has folders, not per-item tags)."""
    states = set()
    for raw in raws:
        stream = parse_stream(raw)
        if isinstance(stream, StateStream):
            states.add(stream.state)
    return states


async def edit_tag(api: GReader, request: Request, args: FormArgs, user: User) -> Response:
    ids = parse_item_ids(args.all("i"))
    if not ids:
        raise BadParam("edit-tag needs at least one item id (i)")
    add, remove = _states(args.all("a")), _states(args.all("r"))
    if State.READ in add:
        await api.run(api.data.set_read, user.id, ids, True)
    elif State.READ in remove or State.KEPT_UNREAD in add:
        await api.run(api.data.set_read, user.id, ids, False)
    if State.STARRED in add:
        await api.run(api.data.set_starred, user.id, ids, True)
    elif State.STARRED in remove:
        await api.run(api.data.set_starred, user.id, ids, False)
    return text_answer("OK")


async def mark_all_as_read(api: GReader, request: Request, args: FormArgs, user: User
                           ) -> Response:
    raw = args.get("s")
    if not raw:
        raise BadParam("mark-all-as-read needs a stream (s)")
    wanted = StreamArgs(stream=parse_stream(raw))
    query = await api.run(api.data.query, user.id, wanted)
    before = seconds(args.get("ts"), "ts")
    if before is not None:  # at or before it, as FreshRSS: apps send the newest one they showed
        before += timedelta(microseconds=1)
    if query is not None:
        query = replace(query, unread_only=False, continuation=None)
    await api.run(api.data.mark_all_read, user.id, query, before)
    return text_answer("OK")
