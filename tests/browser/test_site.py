"""A reader's path through the site in headless Chromium, at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from web.seeding import Seeded

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("device", list(WIDTHS))
def test_front_story_article_search(browser: Any, live_site: tuple[str, Seeded], shots: Path,
                                    device: str) -> None:
    base, seeded = live_site
    context = browser.new_context(viewport=WIDTHS[device],
                                  is_mobile=device == "phone", color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        # the front page: a top story, the latest list, most read
        response = page.goto(base + "/")
        assert response is not None and response.ok
        top = page.get_by_role("heading", name="Top stories")
        assert top.is_visible()
        lead = page.locator(".story-card").first
        assert lead.is_visible()
        assert "3 outlets" in lead.inner_text()
        latest = page.locator("section.latest").first
        latest.scroll_into_view_if_needed()
        assert latest.get_by_role("heading", name="Latest").is_visible()
        first_row = latest.locator(".latest-item").first
        assert first_row.locator(".latest-title").is_visible()
        assert first_row.locator("time").inner_text().strip()
        assert re.fullmatch(r"views:\s*[\d,]+", first_row.locator(".views").inner_text().strip())
        page.screenshot(path=str(shots / f"front-{device}.png"), full_page=True)
        # nothing overflows the viewport sideways (responsive)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTHS[device]["width"] + 1

        # follow the top story
        page.locator(".story-card").first.get_by_role("link").first.click()
        page.wait_for_load_state()
        assert f"/stories/{seeded.stories['border']}" in page.url
        assert page.get_by_role("heading", name="Reports by outlet").is_visible()
        assert page.get_by_text("First reported by").is_visible()
        assert page.get_by_text("Agency credits: Reuters").is_visible()
        page.screenshot(path=str(shots / f"story-{device}.png"), full_page=True)

        # open the original wire report
        page.locator(".outlet-group a[href^='/articles/']").first.click()
        page.wait_for_load_state()
        assert "/articles/" in page.url
        heading = page.locator("h1")
        assert heading.is_visible() and "Israel, Syria" in heading.inner_text()
        assert page.get_by_text("Reuters reports").first.is_visible()
        assert page.get_by_role("link", name="Read the original at").is_visible()
        page.screenshot(path=str(shots / f"article-{device}.png"), full_page=True)

        # search from the header box
        box = page.locator("#site-q")
        box.fill("meledugno")
        box.press("Enter")
        page.wait_for_load_state()
        assert "/search?q=meledugno" in page.url
        results = page.locator(".result")
        assert results.count() >= 1
        assert results.first.locator("mark").first.is_visible()
        page.screenshot(path=str(shots / f"search-{device}.png"), full_page=True)
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    for name in ("front", "story", "article", "search"):
        assert (shots / f"{name}-{device}.png").stat().st_size > 5_000


def test_dark_mode(browser: Any, live_site: tuple[str, Seeded], shots: Path) -> None:
    base, _ = live_site
    colors = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=WIDTHS["desktop"], color_scheme=scheme)
        page = context.new_page()
        page.goto(base + "/")
        colors[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.screenshot(path=str(shots / f"front-{scheme}.png"))
        context.close()
    assert colors["light"] != colors["dark"]
    # dark background is dark: every channel below the middle
    channels = [int(c) for c in colors["dark"].strip("rgba()").split(",")[:3]]
    assert max(channels) < 128
