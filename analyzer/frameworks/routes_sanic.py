"""Sanic entry points: ``@app.route("/path", methods=[...])`` / ``@bp.get(...)`` /
``@app.websocket("/ws")``, ``app.add_route(handler, "/path")`` (also a class view's
``as_view()``), blueprints with ``url_prefix`` (given to ``Blueprint(...)`` or, overriding
it, to ``app.blueprint(bp, url_prefix=...)``)."""

from __future__ import annotations

from analyzer.frameworks.routing import HTTP_VERBS, RouterSpec

SANIC = RouterSpec(
    name="sanic",
    roots=frozenset({"sanic"}),
    routers={"Sanic": None, "Blueprint": "url_prefix"},
    wrappers=frozenset(),
    decorators=frozenset({"route", "websocket", *HTTP_VERBS}),
    any_verb=frozenset({"route"}),
    mounts={"blueprint": (0, "blueprint", None, "url_prefix", True)},
    rules={"add_route": (1, "uri", 0, "handler"), "add_websocket_route": (1, "uri", 0, "handler")},
    websockets=frozenset({"websocket", "add_websocket_route"}),
)

__all__ = ["SANIC"]
