"""The API gateway: nginx configuration for a local run or for docker compose.

The same template serves both; what differs is decided here at render time: where the
upstreams are (``127.0.0.1:8001``... locally, ``<service>:<port>`` under compose), where
nginx listens, and whether its pid, logs and temporary files stay inside the prefix folder
(``nginx -p DIR``) so that a non-root user can run it.

Routing: ``/api/<service>/`` goes to the service; each monolith URL a service took over goes
to that service (by method when several services share a path); everything else goes to
the monolith, which keeps serving what has not been extracted yet (strangler fig).
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.scaffold.context import GatewayRoute, ScaffoldContext
from analyzer.scaffold.render import render


@dataclass(frozen=True, slots=True)
class Upstream:
    name: str  # service slug (or ``monolith``)
    server: str  # ``host:port``


@dataclass(frozen=True, slots=True)
class GatewayRule:
    """One ``location`` block: exact, regex or prefix, proxied to an upstream or a method map."""

    kind: str  # exact | regex | prefix
    pattern: str
    upstream: str | None  # a single upstream name
    variable: str | None  # ``$route_N`` when methods go to different services
    comment: str


@dataclass(frozen=True, slots=True)
class MethodMap:
    variable: str
    default: str
    by_method: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class GatewayView:
    project: str
    tool_version: str
    listen: str
    local: bool  # pid, logs and temp files relative to the prefix folder
    proxy_timeout: int
    upstreams: tuple[Upstream, ...]
    maps: tuple[MethodMap, ...]
    api_rules: tuple[GatewayRule, ...]
    route_rules: tuple[GatewayRule, ...]


def gateway_view(ctx: ScaffoldContext, *, docker: bool = False, host: str | None = None,
                 listen: str | None = None, monolith: str | None = None, dns_suffix: str | None = None,
                 ) -> GatewayView:
    """The render context of ``nginx.conf``.

    ``docker``: container paths, and services found by name (compose service names, or
    ``<service><dns_suffix>`` such as ``orders.default.svc.cluster.local`` in Kubernetes);
    ``host`` puts every service on one host instead; ``listen`` and ``monolith`` override
    the listen address and the monolith's ``host:port``.
    """
    o = ctx.options
    upstreams = []
    for s in ctx.services:
        if host is not None:
            where = host
        elif docker:
            where = f"{s.slug}{dns_suffix or ''}"
        else:
            where = o.host
        upstreams.append(Upstream(s.slug, f"{where}:{s.port}"))
    if monolith is None:
        if dns_suffix:
            monolith = f"monolith{dns_suffix}:{o.monolith_port}"
        else:
            monolith = f"{o.docker_monolith_host if docker else o.monolith_host}:{o.monolith_port}"
    upstreams.append(Upstream("monolith", monolith))
    maps: list[MethodMap] = []
    rules: list[GatewayRule] = []
    for g in ctx.gateway_routes:
        rules.append(_rule(g, maps))
    api_rules = tuple(
        GatewayRule("prefix", f"{s.api_prefix}/", s.slug, None, f"the {s.slug} service's own API")
        for s in ctx.services
    )
    return GatewayView(
        project=ctx.project,
        tool_version=ctx.tool_version,
        listen=listen or (str(o.gateway_port) if docker else f"{o.host}:{o.gateway_port}"),
        local=not docker,
        proxy_timeout=o.proxy_timeout,
        upstreams=tuple(upstreams),
        maps=tuple(maps),
        api_rules=api_rules,
        route_rules=tuple(rules),
    )


def _rule(g: GatewayRoute, maps: list[MethodMap]) -> GatewayRule:
    kind, pattern = ("exact", g.exact) if g.exact is not None else ("regex", g.regex or "")
    comment = ", ".join(g.originals)
    if not g.by_method:
        return GatewayRule(kind, pattern, g.default, None, comment)
    variable = f"$route_{len(maps) + 1}"
    maps.append(MethodMap(variable, g.default, g.by_method))
    return GatewayRule(kind, pattern, None, variable, comment)


def render_gateway(ctx: ScaffoldContext, *, docker: bool = False, host: str | None = None,
                   listen: str | None = None, monolith: str | None = None, dns_suffix: str | None = None,
                   ) -> str:
    """``nginx.conf`` text; the keywords are those of :func:`gateway_view`."""
    view = gateway_view(ctx, docker=docker, host=host, listen=listen, monolith=monolith, dns_suffix=dns_suffix)
    return render("gateway/nginx.conf.j2", g=view, where=where_comment(docker, dns_suffix))


def where_comment(docker: bool, dns_suffix: str | None) -> str:
    if dns_suffix:
        return (f"For Kubernetes: services by their cluster DNS names (*{dns_suffix}); mount it as "
                "/etc/nginx/nginx.conf from a ConfigMap (or use deploy/k8s/, the Gateway API routes).")
    if docker:
        return "For docker compose (deploy/docker-compose.yml mounts it as /etc/nginx/nginx.conf)."
    return ""
