"""Invented outlets for the end-to-end tests, served from loopback by the fixture server.

Four outlets in four formats (an HTML page advertising RSS, Atom, JSON Feed, a news sitemap),
a fifth whose feed breaks after subscribing, and one only listed in an OPML file. One event
(the Kell bridge closure in Ambleford) is reported three times: a Reuters wire story on
Porthaven Digest, the same wire text republished verbatim by the Kestrel Evening Standard,
and the Saltmarsh Tribune's own report.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from fixtures_server import FixtureServer

WIRE_TITLE = "Kell river bridge in Ambleford closed after engineers find crack"
WIRE = [
    "AMBLEFORD (Reuters) - Engineers closed the Kell river bridge in Ambleford on Tuesday "
    "after a routine inspection found a crack in one of its steel support girders, cutting the "
    "main road link between the town and the Saltmarsh coast.",
    "The county highways authority said the Kell river bridge would stay shut to all traffic, "
    "including pedestrians, until a structural survey is completed, which could take up to "
    "three weeks. Drivers face a detour of about 22 kilometres through Wexcombe.",
    "The crack was found during a scheduled inspection of the 1968 bridge, which carries "
    "around 14,000 vehicles a day. Engineers said the girder had probably been weakened by "
    "corrosion and by heavier lorries using the route since the port expansion.",
    "Ambleford's mayor Helen Marsh said the council would ask the county to run a free "
    "shuttle bus and an extra ferry across the Kell river while the bridge is closed.",
    "Local businesses warned that a long closure of the Kell river bridge would hurt trade in "
    "the town centre, where shops depend on visitors from the coast.",
]
OWN_TITLE = "Ambleford's Kell river bridge shut after crack found in girder"
OWN = [
    "The Kell river bridge in Ambleford has been closed to all traffic after engineers found a "
    "crack in a steel support girder during a routine inspection, the county highways "
    "authority said on Tuesday.",
    "The bridge, built in 1968 and used by around 14,000 vehicles a day, will stay shut until "
    "a structural survey is finished, which could take three weeks. Drivers are being sent on "
    "a 22 kilometre detour through Wexcombe.",
    "Mayor Helen Marsh told the Tribune that the council wants a free shuttle bus and an extra "
    "ferry across the Kell river during the closure. Shop owners in Ambleford said they feared "
    "losing visitors from the coast.",
    "Engineers believe corrosion and heavier lorries since the port expansion weakened the "
    "girder, the authority said.",
]
KAYAK = ("Lifeboat crew rescues two kayakers off Gull Point", [
    "Two kayakers were rescued by the Saltmarsh lifeboat crew on Sunday evening after their "
    "boats capsized in strong winds off Gull Point, the coastguard said.",
    "The pair, both in their twenties, were spotted clinging to a buoy by a walker on the cliff "
    "path, who called the coastguard. Volunteers launched within eight minutes.",
    "Both kayakers were treated for mild hypothermia at Saltmarsh harbour and did not need to go "
    "to hospital. The lifeboat station reminded paddlers to check the forecast and carry a "
    "radio or a phone in a waterproof pouch whenever they go out on the water.",
])
CYCLE = ("Kestrel council approves new cycle lanes on Market Street", [
    "Kestrel city council voted on Thursday to build protected cycle lanes along Market Street "
    "and the ring road, after a consultation in which most residents backed the plan.",
    "Work on the four kilometre route will begin in the spring and cost about 3.2 million, "
    "paid for largely by a regional transport grant. Parking on one side of Market Street will "
    "be removed, which traders opposed during the consultation.",
    "Councillors said the lanes would link the railway station with the university campus and "
    "the new housing estates in the north of the city.",
])
QUOTA = ("Fishing quota talks stall in Porthaven", [
    "Talks between Porthaven's fishing cooperative and regional officials over next year's "
    "herring quota broke up without agreement on Friday, both sides said.",
    "The cooperative wants the quota kept at this year's level, while officials propose a cut "
    "of a fifth to protect stocks in the northern grounds. Skippers say a cut of that size would "
    "force several boats to stay in harbour for most of the winter season.",
    "A new round of talks is planned for the end of the month.",
])
LIBRARY = ("Fenwick library extends its opening hours", [
    "Fenwick's central library will open until nine in the evening on weekdays from next "
    "month, after the town council found money for two more librarians in its budget.",
    "The library also plans a homework club for secondary school pupils and a repair cafe on "
    "Saturday mornings, where volunteers fix small appliances and bicycles for free.",
    "Visitor numbers have risen by a third since the building reopened after renovation last "
    "year, the council said in a statement on Wednesday.",
])
SHEEP = ("Moorland sheep fair returns after three years", "<p>" + " ".join(
    ["The Moorland sheep fair returns to Hexley green this weekend, with shearing contests, "
     "a wool market and sheepdog trials for the first time in three years."] * 4) + "</p>")
ORCHARD = ("Harrow Valley orchards expect a record apple harvest", "<p>" + " ".join(
    ["Growers across the Harrow Valley expect a record apple harvest this autumn after a warm "
     "spring and steady summer rain, the growers' association said."] * 4) + "</p>")

MOST_READ = ["Celebrity chef opens a third bakery", "Ten things to do this weekend",
             "Quiz: how well do you know the coast?"]


def article_page(outlet: str, title: str, paragraphs: list[str], published: datetime,
                 author: str) -> str:
    """An article page with the usual debris around the article: nav, a Most read box, footer."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    most_read = "".join(f'<li><a href="/read/{i}">{html.escape(t)}</a> <span>{1200 - i * 7}'
                        "</span></li>" for i, t in enumerate(MOST_READ))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | {outlet}</title>"
        f'<meta property="og:title" content="{html.escape(title)}">'
        f'<meta property="og:site_name" content="{outlet}">'
        f'<meta name="author" content="{author}">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f"</head><body><header><nav><a href='/'>Home</a> <a href='/world'>World</a> "
        f"<a href='/sport'>Sport</a> <a href='/weather'>Weather</a> <a href='/login'>Sign in"
        f"</a></nav></header><main><article><h1>{html.escape(title)}</h1>"
        f"<p class='byline'>By {author}</p>{body}</article>"
        f"<aside><h2>Most read</h2><ol>{most_read}</ol></aside></main>"
        f"<footer><p>© 2026 {outlet}. All rights reserved.</p><p>Privacy policy · Cookie "
        f"settings · Contact us · Advertise with us</p></footer></body></html>")


def rss_item(guid: str, title: str, link: str, when: datetime, description: str) -> str:
    return (f"<item><guid>{guid}</guid><title>{html.escape(title)}</title><link>{link}</link>"
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<description>{html.escape(description)}</description></item>")


def rss(title: str, site: str, items: list[str]) -> str:
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{title}</title><link>{site}</link><description>{title}</description>"
            f"{''.join(items)}</channel></rss>")


@dataclass
class Outlets:
    server: FixtureServer
    now: datetime

    def url(self, path: str) -> str:
        return self.server.url(path)

    # times of the reports (UTC)
    @property
    def wire_at(self) -> datetime:
        return self.now - timedelta(hours=3)

    @property
    def copy_at(self) -> datetime:
        return self.now - timedelta(hours=2, minutes=30)

    @property
    def own_at(self) -> datetime:
        return self.now - timedelta(hours=1)

    def serve(self) -> None:
        s = self.server
        html_type = "text/html; charset=utf-8"
        yesterday, older = self.now - timedelta(days=1), self.now - timedelta(days=6)
        # Saltmarsh Tribune: a home page advertising its RSS feed; short summaries
        s.add("/saltmarsh/", (
            "<!doctype html><html><head><title>Saltmarsh Tribune</title>"
            '<link rel="alternate" type="application/rss+xml" title="Comments" '
            'href="/saltmarsh/comments.xml">'
            '<link rel="alternate" type="application/rss+xml" title="Saltmarsh Tribune" '
            'href="/saltmarsh/rss.xml"></head><body><h1>Saltmarsh Tribune</h1></body></html>'),
            content_type=html_type)
        for slug, (title, paras), when in (("kayakers", KAYAK, yesterday),
                                           ("bridge", (OWN_TITLE, OWN), self.own_at)):
            s.add(f"/saltmarsh/news/{slug}.html",
                  article_page("Saltmarsh Tribune", title, paras, when, "Ruth Calloway"),
                  content_type=html_type)
        self.saltmarsh_feed(with_bridge=False)
        # Kestrel Evening Standard: Atom, summaries only; the bridge story is the wire copy
        for slug, (title, paras), when in (("cycle-lanes", CYCLE, older),
                                           ("kell-bridge", (WIRE_TITLE, WIRE), self.copy_at)):
            s.add(f"/kestrel/{slug}", article_page("Kestrel Evening Standard", title, paras,
                                                   when, "Reuters staff"),
                  content_type=html_type)
        entries = "".join(
            f"<entry><id>tag:kestrel.example,2026:{slug}</id><title>{html.escape(title)}</title>"
            f"<link rel='alternate' href='{self.url('/kestrel/' + slug)}'/>"
            f"<updated>{when.isoformat()}</updated><published>{when.isoformat()}</published>"
            f"<summary>{html.escape(paras[0][:90])}…</summary></entry>"
            for slug, (title, paras), when in (("cycle-lanes", CYCLE, older),
                                               ("kell-bridge", (WIRE_TITLE, WIRE), self.copy_at)))
        s.add("/kestrel/atom.xml",
              "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
              "<title>Kestrel Evening Standard</title><id>tag:kestrel.example,2026:feed</id>"
              f"<updated>{self.now.isoformat()}</updated>"
              f"<link rel='alternate' href='{self.url('/kestrel/')}'/>{entries}</feed>",
              content_type="application/atom+xml")
        # Porthaven Digest: JSON Feed 1.1, the Reuters original comes first
        items = []
        for slug, (title, paras), when in (("kell-bridge", (WIRE_TITLE, WIRE), self.wire_at),
                                           ("quota", QUOTA, yesterday)):
            link = self.url(f"/porthaven/{slug}")
            s.add(f"/porthaven/{slug}", article_page("Porthaven Digest", title, paras, when,
                                                     "Porthaven desk"), content_type=html_type)
            items.append({"id": slug, "url": link, "title": title,
                          "summary": paras[0][:80], "date_published": when.isoformat()})
        s.add("/porthaven/feed.json", json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "Porthaven Digest",
            "home_page_url": self.url("/porthaven/"), "items": items}),
            content_type="application/feed+json")
        # Fenwick Ledger: only a Google News sitemap
        when = self.now - timedelta(hours=5)
        s.add("/fenwick/library", article_page("Fenwick Ledger", LIBRARY[0], LIBRARY[1], when,
                                               "Ian Fell"), content_type=html_type)
        s.add("/fenwick/news-sitemap.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><urlset '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
            f"<loc>{self.url('/fenwick/library')}</loc><news:news><news:publication>"
            "<news:name>Fenwick Ledger</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{when.isoformat()}"
            f"</news:publication_date><news:title>{LIBRARY[0]}</news:title></news:news></url>"
            "</urlset>"), content_type="application/xml")
        # Moorland Courier: a working feed now, broken later (break_moorland)
        s.add("/moorland/feed.xml", rss("Moorland Courier", self.url("/moorland/"), [
            rss_item("sheep", SHEEP[0], self.url("/moorland/sheep"), yesterday, SHEEP[1])]),
            content_type="application/rss+xml")
        # Harrow Valley Echo: known only from the OPML file
        s.add("/harrow/feed.xml", rss("Harrow Valley Echo", self.url("/harrow/"), [
            rss_item("orchard", ORCHARD[0], self.url("/harrow/orchard"), older, ORCHARD[1])]),
            content_type="application/rss+xml")
        # a page without any feed, on a host path where no usual feed path answers either
        s.add("/nofeed/", "<!doctype html><html><head><title>Just a page</title></head>"
              "<body><p>No feeds here.</p></body></html>", content_type=html_type)

    def saltmarsh_feed(self, *, with_bridge: bool) -> None:
        yesterday = self.now - timedelta(days=1)
        items = [rss_item("st-kayakers", KAYAK[0], self.url("/saltmarsh/news/kayakers.html"),
                          yesterday, KAYAK[1][0][:100])]
        if with_bridge:
            items.insert(0, rss_item("st-bridge", OWN_TITLE,
                                     self.url("/saltmarsh/news/bridge.html"), self.own_at,
                                     OWN[0][:100]))
        self.server.add("/saltmarsh/rss.xml", rss("Saltmarsh Tribune", self.url("/saltmarsh/"),
                                                  items), content_type="application/rss+xml")

    def break_moorland(self) -> None:
        self.server.add("/moorland/feed.xml", "this is no longer a feed <<<",
                        content_type="text/plain")

    def opml(self) -> str:
        return (
            '<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>My '
            'subscriptions</title></head><body><outline text="Regional" title="Regional">'
            f'<outline type="rss" text="Harrow Valley Echo" '
            f'xmlUrl="{self.url("/harrow/feed.xml")}"/>'
            f'<outline type="rss" text="Kestrel Evening Standard" '
            f'xmlUrl="{self.url("/kestrel/atom.xml")}"/></outline></body></opml>')


DUMP_NOW = "2026-03-10T12:00:00"
DUMP = """AFP: Glassworks in Ambleford to close after 140 years
![]() The Ambleford glassworks will close at the end of the year after 140 years of production, \
its owners said on Monday, AFP reports. The company blamed energy prices and falling demand for \
hand-blown glass. Around 90 people work at the site, which once employed more than a thousand. \
The town council said it would look for a buyer for the historic furnace hall, and unions asked \
for talks on redundancy terms. |

Harbour festival draws record crowd
4209:05
Tram line extension opens to passengers
57Yesterday, 18:30
Night ferry timetable changes from Monday
1203.03.2026, 07:45
"""
