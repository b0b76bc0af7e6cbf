"""Deployment manifests: docker compose and Kubernetes (Deployment, Service, HPA, HTTPRoute).

Resource figures are starting points (ScaffoldOptions), written in each tool's own units:
Kubernetes quantities (``500m``, ``256Mi``) and compose's (``0.5``, ``256M``). The Gateway
API limits an HTTPRoute to 16 rules of at most 8 matches each, so routes are chunked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.scaffold.context import ScaffoldContext, ServiceContext

if TYPE_CHECKING:
    from analyzer.extract.environment import EnvVar

MAX_MATCHES = 8  # per HTTPRoute rule (Gateway API v1)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # what a shell, compose and Kubernetes all take
MAX_RULES = 16  # per HTTPRoute


@dataclass(frozen=True, slots=True)
class PathMatch:
    type: str  # Exact | PathPrefix | RegularExpression
    value: str
    method: str | None


@dataclass(frozen=True, slots=True)
class RouteRule:
    matches: tuple[PathMatch, ...]


@dataclass(frozen=True, slots=True)
class HttpRoute:
    name: str
    service: str
    port: int
    rules: tuple[RouteRule, ...]


@dataclass(frozen=True, slots=True)
class IngressPath:
    path: str
    path_type: str  # Exact | Prefix | ImplementationSpecific
    service: str
    port: int


def http_routes(ctx: ScaffoldContext, s: ServiceContext) -> tuple[HttpRoute, ...]:
    """The HTTPRoutes of one service: its API prefix, then the monolith URLs it serves."""
    matches = [PathMatch("PathPrefix", s.api_prefix, None)]
    for g in ctx.gateway_routes:
        if s.slug not in g.services:
            continue
        kind, value = ("Exact", g.exact) if g.exact is not None else ("RegularExpression", g.regex or "")
        if g.default == s.slug:
            matches.append(PathMatch(kind, value, None))
        matches.extend(PathMatch(kind, value, m) for m, svc in g.by_method if svc == s.slug)
    rules = [RouteRule(tuple(matches[i:i + MAX_MATCHES])) for i in range(0, len(matches), MAX_MATCHES)]
    out = []
    for n, i in enumerate(range(0, len(rules), MAX_RULES)):
        name = s.slug if n == 0 else f"{s.slug}-{n + 1}"
        out.append(HttpRoute(name, s.slug, s.port, tuple(rules[i:i + MAX_RULES])))
    return tuple(out)


def ingress_paths(ctx: ScaffoldContext) -> tuple[IngressPath, ...]:
    """Paths of the optional Ingress (no method routing there: each path goes to its main service)."""
    ports = {s.slug: s.port for s in ctx.services}
    out = [IngressPath(f"{s.api_prefix}/", "Prefix", s.slug, s.port) for s in ctx.services]
    for g in ctx.gateway_routes:
        if g.exact is not None:
            out.append(IngressPath(g.exact, "Exact", g.default, ports[g.default]))
        else:
            out.append(IngressPath((g.regex or "").removeprefix("^"), "ImplementationSpecific", g.default,
                                   ports[g.default]))
    return tuple(out)


_QUANTITY = re.compile(r"^(?P<n>[0-9]+(?:\.[0-9]+)?)(?P<unit>m|Ki|Mi|Gi|k|M|G)?$")


def compose_cpus(quantity: str) -> str:
    """``500m`` -> ``0.5``: compose counts CPUs as a decimal number."""
    m = _QUANTITY.match(quantity)
    if not m or m.group("unit") not in (None, "m"):
        raise ValueError(f"not a CPU quantity: {quantity!r}")
    value = float(m.group("n")) / (1000 if m.group("unit") == "m" else 1)
    return f"{value:g}"


def compose_memory(quantity: str) -> str:
    """``256Mi`` -> ``256M``: compose writes binary units with one letter."""
    m = _QUANTITY.match(quantity)
    if not m or m.group("unit") in (None, "m"):
        raise ValueError(f"not a memory quantity: {quantity!r}")
    unit = {"Ki": "k", "Mi": "M", "Gi": "G", "k": "k", "M": "M", "G": "G"}[m.group("unit")]
    return f"{m.group('n')}{unit}"


def deployed_environment(s: ServiceContext, variables: Iterable[EnvVar]) -> tuple[EnvVar, ...]:
    """The variables the moved code reads that the service's deployment sets: names a shell
    and Kubernetes take, and none of those the scaffold sets itself (host, port, clients)."""
    own = {f"{s.env_prefix}HOST", f"{s.env_prefix}PORT", *(c.env for c in s.clients)}
    return tuple(v for v in variables if _ENV_NAME.match(v.name) and v.name not in own)


def compose_value(v: EnvVar, slug: str) -> str | None:
    """A variable's value in the compose file: the shell's, else the monolith's example
    (``${NAME:-example}``); for a required one without an example ``${NAME:?...}``, so that
    compose refuses to start and names it; ``None`` (passed on from the shell when it is set)
    for an optional one."""
    example = v.example
    if example is not None and "}" not in example:  # a dotenv line: no newline in it
        return "${" + v.name + ":-" + example.replace("$", "$$") + "}"
    if v.required:
        return "${" + v.name + ":?set " + v.name + " for the " + slug + " service: see services/" + slug + "/README.md}"
    return None
