"""A story told in several languages: its page says which, a reader filters it by one (a
plain link, no script), the API answers the same, and the headline follows the site's
locale when one of the reports is in it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from starlette.testclient import TestClient

from tidings.cluster.headline import story_headline
from tidings.config import Settings
from tidings.demo import load_sample
from tidings.store import Store
from tidings.worker.stages import run_queued

from .seeding import Seeded


def _reports(html: str) -> str:
    """The story's own report list (the sidebar's latest list holds other articles)."""
    return html[html.index('id="by-outlet-h"'):html.index('<aside')]


def test_story_page_names_its_languages_and_links_each(sqlite_client: TestClient,
                                                       sqlite_seeded: Seeded) -> None:
    sid = sqlite_seeded.stories["border"]
    html = sqlite_client.get(f"/stories/{sid}").text
    nav = html[html.index('class="story-languages"'):html.index("</nav>")]
    assert "Reports in" in nav and "English" in nav and "Italian" in nav
    assert f'href="/stories/{sid}?language=it"' in nav and 'hreflang="it"' in nav
    assert 'aria-current="page">All languages' in nav


def test_story_page_filtered_by_language(sqlite_client: TestClient,
                                         sqlite_seeded: Seeded) -> None:
    sid = sqlite_seeded.stories["border"]
    r = sqlite_client.get(f"/stories/{sid}?language=it")
    assert r.status_code == 200
    reports = _reports(r.text)
    assert f'/articles/{sqlite_seeded.articles["own"]}"' in reports
    assert f'/articles/{sqlite_seeded.articles["wire"]}"' not in reports
    assert re.search(r'aria-current="page" lang="it">Italian', r.text)
    assert f'<a href="/stories/{sid}">All languages</a>' in r.text
    english = _reports(sqlite_client.get(f"/stories/{sid}?lang=en").text)
    assert f'/articles/{sqlite_seeded.articles["wire"]}"' in english
    assert f'/articles/{sqlite_seeded.articles["own"]}"' not in english


def test_a_malformed_language_is_a_400_not_a_500(sqlite_client: TestClient,
                                                 sqlite_seeded: Seeded) -> None:
    sid = sqlite_seeded.stories["border"]
    assert sqlite_client.get(f"/stories/{sid}?language=<b>").status_code == 400
    assert sqlite_client.get(f"/api/stories/{sid}?language=" + "e" * 40).status_code == 400


def test_api_story_lists_languages_and_filters_like_the_page(sqlite_client: TestClient,
                                                             sqlite_seeded: Seeded) -> None:
    sid = sqlite_seeded.stories["border"]
    whole = sqlite_client.get(f"/api/stories/{sid}").json()
    assert whole["languages"] == ["en", "it"]  # most reports first
    italian = sqlite_client.get(f"/api/stories/{sid}?language=it").json()
    assert italian["article_ids"] == [sqlite_seeded.articles["own"]]
    assert set(italian["article_ids"]) < set(whole["article_ids"])


def test_headline_in_the_site_locale_when_a_report_is_in_it() -> None:
    headlines = [("Bank of Norland lifts rates again", "en-US"),
                 ("Norland central bank raises rates to 4.25%", "en-GB"),
                 ("Norland's fourth rate rise puts krone on firmer footing", "en"),
                 ("Банк Норланда повысил ставку до 4,25%", "ru")]
    assert story_headline(headlines, "ru") == "Банк Норланда повысил ставку до 4,25%"
    assert story_headline(headlines, "ru_RU") == "Банк Норланда повысил ставку до 4,25%"
    assert story_headline(headlines, "en") in {t for t, lang in headlines if lang != "ru"}
    assert story_headline(headlines, "de") == story_headline(headlines, None)
    assert story_headline([], "en") == ""


def test_the_demo_on_a_russian_site_heads_its_stories_in_russian(
        sqlite_store: Store, settings: Settings) -> None:
    russian = settings.replace(locale="ru")
    load_sample(sqlite_store, russian, datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    run_queued(sqlite_store, russian)
    articles, _ = sqlite_store.articles.latest(limit=100)
    rate = next(a for a in articles if a.title.startswith("Bank of Norland lifts"))
    assert rate.story_id is not None
    assert sqlite_store.story_rows.live(rate.story_id).title == \
        "Банк Норланда повысил ставку до 4,25%"
