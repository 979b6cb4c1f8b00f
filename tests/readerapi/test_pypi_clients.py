"""Real clients from PyPI against ``tidings serve`` on loopback: ``google-reader`` (the Google
Reader JSON API as Reeder, NetNewsWire and Read You use it) and ``freshrss-api`` (a Fever
client). State changed through one shows in the other and in the operations ``/reader``
reads; two readers stay apart in both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import google_reader as gr
import pytest
from freshrss_api import FreshRSSAPI

from fixtures_server import FixtureServer
from tidings.operations import reading
from tidings.store import Store, open_store
from tidings.store.streams import StreamQuery

from .conftest import PASSWORDS, World, build_world
from .live import live_tidings

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Allotment Notes</title>
<link>{site}</link><item><title>Leeks in March</title><link>{site}leeks</link>
<guid>leeks</guid></item></channel></rss>"""


@dataclass
class Live:
    store: Store
    world: World
    base: str

    def greader(self, name: str) -> tuple[gr.Client, gr.AuthToken, str]:
        client = gr.Client(f"{self.base}/api/greader")
        auth = client.login(name, PASSWORDS[name])
        return client, auth, client.get_token(auth)

    def fever(self, name: str) -> FreshRSSAPI:
        return FreshRSSAPI(host=self.base, username=name, password=PASSWORDS[name])

    def unread(self, user_id: int) -> set[int]:
        """What the operations layer (and so ``/reader``) says is unread."""
        ids, _ = reading.stream_ids(self.store, user_id, StreamQuery(unread_only=True,
                                                                     limit=1000))
        return set(ids)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path / 'tidings.db'}"
    store = open_store(url)
    try:
        world = build_world(store)
        with live_tidings(tmp_path / "home", url, TIDINGS_ALLOW_PRIVATE="1") as base:
            yield Live(store, world, base)
    finally:
        store.close()


def test_google_reader_client_changes_show_in_fever_and_the_reader(live: Live) -> None:
    world = live.world
    client, auth, token = live.greader("alice")
    assert client.get_user_info(auth).user_name == "alice"
    listed = {s.id: s for s in client.list_subscriptions(auth)}
    assert set(listed) == {f"feed/{world.harbor}", f"feed/{world.circuit}", f"feed/{world.diary}"}
    assert listed[f"feed/{world.circuit}"].categories == [gr.Tag(id="user/-/label/Tech",
                                                                 label="Tech")]
    unread = client.get_stream_items_ids(auth, gr.STREAM_READING_LIST,
                                         exclude_target=gr.STREAM_READ)
    refs = [ref.id for ref in unread.item_refs]
    assert len(refs) == 8 and not unread.continuation  # the client reads a missing one as ""
    contents = client.get_stream_items_contents(auth, token, refs)
    by_id = {item.id: item for item in contents.items}
    first = gr.get_long_item_id(world.articles["harbor"][0])
    assert by_id[first].title == "Harbor 0" and by_id[first].canonical[0].href
    assert by_id[first].origin.stream_id == f"feed/{world.harbor}"

    client.edit_tags(auth, token, [first], add_tags=[gr.STREAM_READ, gr.STREAM_STARRED])
    client.mark_all_as_read(auth, token, f"feed/{world.circuit}")
    expected = set(world.articles["harbor"][1:] + world.articles["diary"])
    assert live.unread(world.alice) == expected
    fever = live.fever("alice")
    assert {item.id for item in fever.get_unreads()} == expected
    saved = fever.get_saved()
    assert [item.id for item in saved] == [world.articles["harbor"][0]]
    assert saved[0].is_read and saved[0].title == "Harbor 0"
    starred = client.get_stream_items_ids(auth, gr.STREAM_STARRED)
    assert [ref.id for ref in starred.item_refs] == [str(world.articles["harbor"][0])]


def test_fever_client_changes_show_in_google_reader(live: Live) -> None:
    world = live.world
    fever = live.fever("alice")
    feeds = fever.get_feeds()["feeds"]
    assert {f["id"] for f in feeds} == {world.harbor, world.circuit, world.diary}
    assert [g["title"] for g in fever.get_groups()["groups"]] == ["Tech"]
    target = world.articles["diary"][1]
    fever.set_mark("read", target)
    fever.set_mark("saved", target)
    fever.set_mark("saved", target)  # absolute: still saved, not toggled back
    client, auth, _ = live.greader("alice")
    unread = client.get_stream_items_ids(auth, gr.STREAM_READING_LIST,
                                         exclude_target=gr.STREAM_READ)
    assert str(target) not in {ref.id for ref in unread.item_refs}
    starred = client.get_stream_items_ids(auth, gr.STREAM_STARRED)
    assert [ref.id for ref in starred.item_refs] == [str(target)]
    assert target not in live.unread(world.alice)
    fever.set_mark("unsaved", target)
    assert client.get_stream_items_ids(auth, gr.STREAM_STARRED).item_refs == []


def test_folders_quickadd_and_two_readers_apart(live: Live) -> None:
    world = live.world
    client, auth, token = live.greader("alice")
    client.edit_subscription(auth, token, f"feed/{world.harbor}", "edit",
                             add_label_id="user/-/label/Daily", title="The Harbor")
    client.rename_tag(auth, token, "user/-/label/Daily", "Morning")
    tags = {t.id for t in client.list_tags(auth)}
    assert {"user/-/label/Morning", "user/-/label/Tech"} <= tags
    assert "user/-/label/Daily" not in tags
    server = FixtureServer().start()
    try:
        site = server.url("/")
        feed_url = server.add("/allotment.xml", FEED.format(site=site),
                              content_type="application/rss+xml")
        added = client.quick_add_subscription(auth, token, feed_url)
    finally:
        server.close()
    assert added.num_results == 1 and added.stream_name == "Allotment Notes"
    mine = {s.id for s in client.list_subscriptions(auth)}
    assert added.stream_id in mine
    fever_groups = live.fever("alice").get_groups()["groups"]
    assert sorted(g["title"] for g in fever_groups) == ["Morning", "Tech"]

    bob, bob_auth, _ = live.greader("bob")
    theirs = {s.id for s in bob.list_subscriptions(bob_auth)}
    assert theirs == {f"feed/{world.harbor}", f"feed/{world.circuit}"}
    assert added.stream_id not in theirs
    assert bob.list_tags(bob_auth) == [gr.Tag(id=gr.STREAM_STARRED)]
    bob_fever = live.fever("bob")
    assert bob_fever.get_groups()["groups"] == []
    assert {f["id"] for f in bob_fever.get_feeds()["feeds"]} == {world.harbor, world.circuit}
    bob_unread = {item.id for item in bob_fever.get_unreads()}
    assert bob_unread == set(world.articles["harbor"] + world.articles["circuit"])
    with pytest.raises(gr.AuthenticationError):
        gr.Client(f"{live.base}/api/greader").login("bob", PASSWORDS["alice"])
