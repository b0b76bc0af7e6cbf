"""Django Ninja entry points: ``@api.get("/items/{item_id}")`` / ``@router.post(...)`` on a
``NinjaAPI`` or a ``Router``, routers mounted with ``api.add_router("/events/", router)``
(nested routers too), and the API mounted in the Django URL configuration with
``path("api/", api.urls)``, whose prefix :func:`mount_in_urls` puts before its routes."""

from __future__ import annotations

from analyzer.frameworks.routing import HTTP_VERBS, Mounts, RouterSpec

NINJA = RouterSpec(
    name="ninja",
    roots=frozenset({"ninja", "ninja_extra"}),
    routers={"NinjaAPI": None, "NinjaExtraAPI": None, "Router": None},
    wrappers=frozenset(),
    decorators=frozenset(HTTP_VERBS),
    any_verb=frozenset(),
    mounts={"add_router": (1, "router", 0, "prefix", False)},
    rules={},
)


def mount_in_urls(mounts: Mounts, url_mounts: dict[str, list[str]]) -> None:
    """``path("api/", api.urls)`` in a URL module: the Ninja API serves under ``/api/``."""
    for key, prefixes in url_mounts.items():
        if mounts.framework.get(key) == NINJA.name:
            for prefix in prefixes:
                mounts.mount(None, key, prefix)


__all__ = ["NINJA", "mount_in_urls"]
