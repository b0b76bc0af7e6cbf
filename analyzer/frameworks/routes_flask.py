"""Flask entry points: ``@app.route`` / ``@bp.route`` / ``@bp.get`` ..., ``add_url_rule``
(functions and ``MethodView.as_view``), blueprints with ``url_prefix`` (given to
``Blueprint(...)`` or, overriding it, to ``register_blueprint``), nested blueprints, and
Flask-RESTful / Flask-RESTX resources (``api.add_resource``, ``@ns.route`` on a class) with
their namespaces (``api.add_namespace(ns, "/path")``, ``api.namespace("name")``); Quart's
WebSocket endpoints (``@app.websocket("/ws")``) are routes of kind ``websocket``."""

from __future__ import annotations

from analyzer.frameworks.routing import HTTP_VERBS, RouterSpec

FLASK = RouterSpec(
    name="flask",
    roots=frozenset({"flask", "quart", "apiflask", "flask_smorest", "flask_restful", "flask_restx",
                     "flask_openapi3"}),
    routers={"Flask": None, "Quart": None, "APIFlask": None, "OpenAPI": None, "Blueprint": "url_prefix",
             "APIBlueprint": "url_prefix", "Api": "prefix", "Namespace": "path"},
    wrappers=frozenset({"Api"}),
    decorators=frozenset({"route", "websocket", *HTTP_VERBS}),
    any_verb=frozenset({"route"}),
    mounts={"register_blueprint": (0, "blueprint", None, "url_prefix", True),
            "add_namespace": (0, "ns", 1, "path", True)},
    rules={"add_url_rule": (0, "rule", 2, "view_func"), "add_websocket": (0, "rule", 2, "view_func")},
    resources=frozenset({"add_resource"}),
    named=frozenset({"Namespace"}),
    factories={"namespace": "path"},
    websockets=frozenset({"websocket", "add_websocket"}),  # Quart
    attaches={"init_app": (0, "app")},
)
