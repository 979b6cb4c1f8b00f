"""The OpenAPI 3.1 description served at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from tidings import __version__
from tidings.web.params import DEFAULT_LIMIT, MAX_LIMIT


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


PAGING = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                 "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]


def _id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _get(summary: str, schema: dict[str, Any], parameters: list[dict[str, Any]] | None = None,
         not_found: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
        "400": {"description": "A malformed parameter",
                "content": {"application/json": {"schema": _ref("Error")}}},
    }
    if not_found:
        responses["404"] = {"description": "Unknown id",
                            "content": {"application/json": {"schema": _ref("Error")}}}
    return {"get": {"summary": summary, "parameters": parameters or [], "responses": responses}}


def _list(key: str, item: str) -> dict[str, Any]:
    return {"type": "object", "required": [key, "total"],
            "properties": {key: {"type": "array", "items": _ref(item)},
                           "total": {"type": "integer"}}}


def spec() -> dict[str, Any]:
    time = {"type": "string", "format": "date-time"}
    source_ref = {"type": "object", "properties": {"id": {"type": "integer"},
                  "name": {"type": "string"}, "url": _nullable("string")}}
    q = {"name": "q", "in": "query", "schema": {"type": "string"}}
    source = {"name": "source", "in": "query", "schema": {"type": "integer"}}
    search_params: list[dict[str, Any]] = [
        {**q, "required": True}, source,
        {"name": "language", "in": "query", "schema": {"type": "string"}},
        {"name": "since", "in": "query", "schema": {"type": "string"},
         "description": "YYYY-MM-DD or ISO 8601"},
        {"name": "until", "in": "query", "schema": {"type": "string"}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "tidings", "version": __version__,
                 "description": "News collected from many outlets, merged into stories."},
        "paths": {
            "/healthz": {"get": {"summary": "200 when ready",
                                 "responses": {"200": {"description": "ready"}}}},
            "/api/latest": _get("Every article, newest first, with its time label",
                                _list("items", "LatestItem"), [*PAGING, source]),
            "/api/articles": _get("Articles, newest first (or by relevance with q)",
                                  _list("articles", "Article"), [*PAGING, q, source]),
            "/api/articles/{id}": _get("One article", _ref("Article"), [_id_param("id")], True),
            "/api/stories": _get("Stories by score", _list("stories", "Story"), PAGING),
            "/api/stories/{id}": _get("One story (a merged story's id answers with the "
                                      "surviving story)", _ref("Story"), [_id_param("id")], True),
            "/api/search": _get("Full-text search, by relevance", _list("articles", "Article"),
                                [*PAGING, *search_params]),
            "/api/sources": _get("Outlets", _list("sources", "Source")),
            "/api/sources/{id}": _get("One outlet, its feeds' health and recent articles",
                                      {"type": "object"}, [_id_param("id"), *PAGING], True),
            "/api/most-read": _get("Most read articles (24 h)", _list("items", "LatestItem"),
                                   PAGING),
            "/api/trending": _get("Trending articles (decayed read velocity)",
                                  _list("items", "LatestItem"), PAGING),
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
            "SourceRef": source_ref,
            "Source": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "url": _nullable("string"),
                "category": _nullable("string"), "language": _nullable("string"),
                "paused": {"type": "boolean"}}},
            "LatestItem": {"type": "object",
                           "required": ["id", "title", "url", "views", "published_at",
                                        "time_label"],
                           "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                          "url": _nullable("string"),
                                          "views": {"type": "integer"}, "published_at": time,
                                          "time_label": {"type": "string"}}},
            "Article": {"type": "object", "required": [
                "id", "url", "title", "source", "published_at", "fetched_at", "language",
                "summary", "content_html", "content_text", "image_url", "author", "attribution",
                "views", "story_id", "duplicate_of"], "properties": {
                "id": {"type": "integer"}, "url": _nullable("string"), "title": {"type": "string"},
                "source": {"oneOf": [_ref("SourceRef"), {"type": "null"}]},
                "published_at": time, "fetched_at": time, "language": _nullable("string"),
                "summary": _nullable("string"),
                "content_html": _nullable("string", description="sanitized HTML"),
                "content_text": _nullable("string"), "image_url": _nullable("string"),
                "author": _nullable("string"),
                "attribution": _nullable("string", description="credited agency, e.g. Reuters"),
                "views": {"type": "integer"}, "story_id": _nullable("integer"),
                "duplicate_of": _nullable("integer")}},
            "Story": {"type": "object", "required": [
                "id", "title", "article_ids", "sources", "first_published_at",
                "last_published_at", "views", "score"], "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "article_ids": {"type": "array", "items": {"type": "integer"}},
                "sources": {"type": "array", "items": _ref("SourceRef")},
                "first_published_at": time, "last_published_at": time,
                "views": {"type": "integer"}, "score": {"type": "number"}}},
        }},
    }
