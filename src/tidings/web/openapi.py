"""The OpenAPI 3.1 description served at ``/openapi.json``."""

from __future__ import annotations

import re
from typing import Any

from tidings import __version__
from tidings.web.views import VIEWS, View, ref


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def openapi_path(route_path: str) -> str:
    """A Starlette route path as an OpenAPI path: ``{article_id:int}`` becomes ``{id}``, the
    name DESIGN.md gives every path id (``/api/articles/{id}``); named segments keep their
    name (``/api/topics/{slug}``)."""
    return re.sub(r"\{(\w+):\w+\}", "{id}", route_path)


def _operation(view: View) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": ref("Error")}}}
    responses: dict[str, Any] = {
        "200": {"description": "OK",
                "content": {"application/json": {"schema": view.schema or {}}}},
        "400": {"description": "A malformed parameter", **error},
    }
    if any(p.kind in ("id", "path") for p in view.params):
        responses["404"] = {"description": "Unknown id or name", **error}
    return {"get": {"summary": view.summary, "operationId": view.name,
                    "parameters": [p.openapi() for p in view.params],
                    "responses": responses}}


#: the largest Last-Event-ID ``web.live`` accepts (18 digits)
MAX_EVENT_ID = 10**18 - 1


def events_path() -> dict[str, Any]:
    """``/api/events``: a stream, not a view (``web.live``)."""
    event_id = {"type": "integer", "minimum": 0, "maximum": MAX_EVENT_ID}
    error = {"content": {"application/json": {"schema": ref("Error")}}}
    return {"get": {
        "summary": "Live events (Server-Sent Events): `article` for each new article "
                   "(data: id, title, url, source, story_id, time_label), `story` when a "
                   "story gains an outlet (data: id, title, outlets, article_id)",
        "operationId": "events",
        "parameters": [
            {"name": "Last-Event-ID", "in": "header", "required": False, "schema": event_id,
             "description": "resume after this event (what EventSource sends on reconnect)"},
            {"name": "last_event_id", "in": "query", "required": False, "schema": event_id,
             "description": "the same, for clients that cannot set the header"}],
        "responses": {
            "200": {"description": "An endless event stream, with heartbeat comments",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}}},
            "400": {"description": "A malformed Last-Event-ID", **error},
            "503": {"description": "Too many open streams; retry after Retry-After",
                    **error}}}}


def paths() -> dict[str, Any]:
    """One path per API view, from the same declarations the routes are mounted from."""
    return {openapi_path(v.api_path): _operation(v) for v in VIEWS if v.api_path is not None}


def spec() -> dict[str, Any]:
    time = {"type": "string", "format": "date-time"}
    source_ref = {"type": "object", "properties": {"id": {"type": "integer"},
                  "name": {"type": "string"}, "url": _nullable("string")}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "tidings", "version": __version__,
                 "description": "News collected from many outlets, merged into stories."},
        "paths": {
            "/healthz": {"get": {"summary": "200 when ready", "responses": {
                "200": {"description": "ready"},
                "503": {"description": "the store does not answer",
                        "content": {"application/json": {"schema": ref("Error")}}}}}},
            "/openapi.json": {"get": {"summary": "This description", "responses": {
                "200": {"description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/events": events_path(),
            **paths(),
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
                "source": {"oneOf": [ref("SourceRef"), {"type": "null"}]},
                "published_at": time, "fetched_at": time, "language": _nullable("string"),
                "summary": _nullable("string"),
                "content_html": _nullable("string", description="sanitized HTML"),
                "content_text": _nullable("string"), "image_url": _nullable("string"),
                "author": _nullable("string"),
                "attribution": _nullable("string", description="credited agency, e.g. Reuters"),
                "views": {"type": "integer"}, "story_id": _nullable("integer"),
                "duplicate_of": _nullable("integer")}},
            "Topic": {"type": "object", "required": [
                "id", "slug", "name", "url", "story_count", "article_count",
                "last_published_at"], "properties": {
                "id": {"type": "integer"}, "slug": {"type": "string"},
                "name": {"type": "string"}, "url": {"type": "string"},
                "story_count": {"type": "integer"}, "article_count": {"type": "integer"},
                "last_published_at": _nullable("string", format="date-time")}},
            "TopicStories": {"type": "object", "required": ["topic", "stories", "total"],
                             "properties": {"topic": ref("Topic"),
                                            "stories": {"type": "array", "items": ref("Story")},
                                            "total": {"type": "integer"}}},
            "SectionItems": {"type": "object", "required": ["section", "items", "total"],
                             "properties": {"section": {"type": "string"},
                                            "items": {"type": "array",
                                                      "items": ref("LatestItem")},
                                            "total": {"type": "integer"}}},
            "Story": {"type": "object", "required": [
                "id", "title", "article_ids", "sources", "first_published_at",
                "last_published_at", "views", "score"], "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "article_ids": {"type": "array", "items": {"type": "integer"}},
                "sources": {"type": "array", "items": ref("SourceRef")},
                "first_published_at": time, "last_published_at": time,
                "views": {"type": "integer"}, "score": {"type": "number"},
                "languages": {"type": "array", "items": {"type": "string"}}}},
        }},
    }
