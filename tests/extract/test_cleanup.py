"""Body clean-up rules on small trees: repeated headline, teasers, split-article chunks."""

from __future__ import annotations

import lxml.html
from lxml.etree import Element, SubElement

from tidings.extract.cleanup import clean_body, continuation_paragraphs

P1 = "The first part of the article explains at some length what happened on Monday morning."
P2 = "The second part continues after an advertisement, with the reactions of local officials."
P3 = "The third part closes the story with what is expected to happen over the coming weeks."


def _body(*blocks: tuple[str, str]) -> Element:
    body = Element("body")
    for tag, text in blocks:
        SubElement(body, tag).text = text
    return body


def test_clean_body_drops_headline_and_teasers() -> None:
    body = _body(("head", "Storm closes the bridge"), ("p", P1),
                 ("p", "READ MORE: Ten things to know about bridges"),
                 ("p", "Plague fears spread in the north [VIDEO]"), ("p", P2),
                 ("p", "More than 40 people were evacuated from the old town."))
    assert clean_body(body, "Storm closes the bridge") == 3
    assert [el.text for el in body] == [P1, P2,
                                       "More than 40 people were evacuated from the old town."]


def test_continuations_of_a_split_article() -> None:
    page = lxml.html.document_fromstring(f"""<html><body><main><div class="chunks">
      <div class="chunk"><div class="text"><p>{P1}</p></div></div>
      <div class="ad">Buy our product today, limited offer for readers</div>
      <div class="chunk"><div class="text"><p>{P2}</p>
        <p>READ MORE: An unrelated story about something else entirely today</p></div></div>
      <div class="chunk"><div class="text"><p>{P3}</p></div></div>
    </div><div class="related"><div class="text"><p>Unrelated teaser paragraph that is long
      enough to be mistaken for article text by a careless rule.</p></div></div>
    </main></body></html>""")
    assert continuation_paragraphs(page, P1) == [P2, P3]
    assert continuation_paragraphs(page, f"{P1}\n{P2}\n{P3}") == []
    assert continuation_paragraphs(page, "short") == []
