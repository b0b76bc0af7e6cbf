"""Scaffold a decomposition: one FastAPI service per cluster, a gateway, deployment manifests.

``scaffold(doc, out)`` is what ``msa scaffold`` runs: it builds a typed context from the
analysis (:mod:`analyzer.scaffold.build`), renders every file in memory
(:func:`render_files`) and writes the tree atomically (:mod:`analyzer.scaffold.writer`).
Nothing generated is imported or executed here.

Conventions of the generated code (also in each generated README):

- a service named ``Order Management`` gets the slug ``order-management`` (folder, URL
  segment, DNS name), the package ``order_management_service`` and the environment prefix
  ``ORDER_MANAGEMENT_``; services take ports ``base_port`` (8001), 8002... in slug order;
- every interface function (a member called from another service) is served as
  ``POST /api/<slug>/<function>``, where ``<function>`` is the kebab-case qualified name
  inside its module (``OrderService.cancel`` -> ``order-service-cancel``); the body holds its
  parameters, the answer is ``{"result": ...}``; stubs answer 501 naming the function;
- the monolith's HTTP routes keep their paths and methods in the service that owns them;
- ``/livez``, ``/readyz`` (also under ``/api/<slug>/``) and, per dependency,
  ``GET /api/<slug>/deps/<target>`` which calls the target's ``/livez`` through its client.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.analysis import Analysis
from analyzer.scaffold.build import build_context
from analyzer.scaffold.context import ScaffoldContext, ScaffoldOptions
from analyzer.scaffold.deploy import (
    compose_cpus,
    compose_memory,
    compose_value,
    deployed_environment,
    http_routes,
    ingress_paths,
)
from analyzer.scaffold.gateway import render_gateway
from analyzer.scaffold.openapi import openapi_document, render_openapi
from analyzer.scaffold.render import render
from analyzer.scaffold.writer import check_relative, write_tree

if TYPE_CHECKING:
    from analyzer.extract.environment import EnvVar
    from analyzer.extract.program import Program

SCAFFOLD_SCHEMA = "msa-scaffold/1"
MANIFEST = "scaffold.json"


def scaffold(doc: Analysis, out: Path, *, force: bool = False, options: ScaffoldOptions | None = None) -> str:
    """Write the scaffold of ``doc``'s decomposition into ``out``; return a one-line summary.

    An existing, non-empty ``out`` is replaced only with ``force``
    (:class:`~analyzer.errors.OutputExistsError` otherwise).
    """
    program = _extraction_program(doc) if options is not None and options.extract else None
    ctx = build_context(doc, options, program)
    files = render_files(ctx)
    extracted = ""
    if ctx.options.extract:
        from analyzer.extract import extract_files

        files, extraction = extract_files(doc, ctx, files, program)
        x = extraction.summary()
        extracted = (f"; extracted the code: {x['rewired']} of {x['cross_service_call_sites']} cross-service call "
                     f"sites rewired, {x['replicated']} replicated, {x['stubbed']} stubbed (see MIGRATION.md)")
    protected = [Path(doc.root)] if doc.root else []
    write_tree(files, Path(out), force=force, protected=protected)
    ops = sum(len(s.operations) for s in ctx.services)
    routes = sum(len(s.routes) for s in ctx.services)
    sockets = sum(len(s.sockets) for s in ctx.services)
    clients = sum(len(s.clients) for s in ctx.services)
    served = f"{routes} monolith URLs" + (f", {sockets} WebSocket endpoint{'s' if sockets != 1 else ''}" if sockets else "")
    return (
        f"scaffolded {len(ctx.services)} service{'s' if len(ctx.services) != 1 else ''} "
        f"({ops} interface operations, {served}, {clients} clients) into {out}{extracted}"
    )


def render_files(ctx: ScaffoldContext) -> dict[str, str]:
    """Every file of the scaffold: relative POSIX path -> text, sorted by path."""
    o = ctx.options
    files: dict[str, str] = {}

    def put(path: str, text: str) -> None:
        check_relative(path)
        if path in files:
            raise ValueError(f"two templates write {path}")
        files[path] = text

    put("README.md", render("scaffold/README.md.j2", ctx=ctx, o=o))
    put("MIGRATION.md", render("MIGRATION.md.j2", ctx=ctx))
    for s in ctx.services:
        base = f"services/{s.slug}"
        pkg = f"{base}/{s.package}"
        env = {"ctx": ctx, "o": o, "s": s}
        put(f"{base}/pyproject.toml", render("service/pyproject.toml.j2", **env))
        put(f"{base}/README.md", render("service/README.md.j2", **env))
        put(f"{base}/Dockerfile", render("service/Dockerfile.j2", **env))
        put(f"{base}/.dockerignore", render("service/dockerignore.j2", **env))
        for name in ("__init__", "__main__", "main", "settings", "errors", "models", "api", "health", "registry"):
            put(f"{pkg}/{name}.py", render(f"service/package/{name}.py.j2", **env))
        for name in ("__init__", "conftest", "support", "test_health", "test_registry"):
            put(f"{base}/tests/{name}.py", render(f"service/tests/{name}.py.j2", **env))
        if s.operations:
            put(f"{base}/tests/test_api.py", render("service/tests/test_api.py.j2", **env))
        if s.routes or s.sockets:
            put(f"{pkg}/routes.py", render("service/package/routes.py.j2", **env))
            put(f"{base}/tests/test_routes.py", render("service/tests/test_routes.py.j2", **env))
        if s.clients:
            put(f"{pkg}/deps.py", render("service/package/deps.py.j2", **env))
            put(f"{pkg}/clients/__init__.py", render("service/package/clients/__init__.py.j2", **env))
            put(f"{pkg}/clients/_http.py", render("service/package/clients/_http.py.j2", **env))
            for c in s.clients:
                put(f"{pkg}/clients/{c.module}.py", render("service/package/clients/client.py.j2", c=c, **env))
            put(f"{base}/tests/test_clients.py", render("service/tests/test_clients.py.j2", **env))
        description = (f"The {s.slug} service, cut out of the {ctx.project} monolith. Interface operations live "
                       f"under {s.api_prefix}/; stubs answer 501 until ported.")
        put(f"openapi/{s.slug}.json", render_openapi(openapi_document(s, description)))
        put(f"deploy/k8s/{s.slug}-route.yaml",
            render("deploy/k8s/httproute.yaml.j2", routes=http_routes(ctx, s), **env))
    put("gateway/nginx.conf", render_gateway(ctx))
    put("gateway/nginx.docker.conf", render_gateway(ctx, docker=True))
    put("gateway/nginx.k8s.conf", render_gateway(ctx, docker=True, dns_suffix=f".{o.namespace}.svc.cluster.local"))
    for path, text in deploy_files(ctx).items():
        put(path, text)
    put("deploy/k8s/gateway.yaml", render("deploy/k8s/gateway.yaml.j2", ctx=ctx, o=o))
    put("deploy/k8s/optional/ingress.yaml", render("deploy/k8s/ingress.yaml.j2", ctx=ctx, o=o,
                                                    paths=ingress_paths(ctx)))
    put("monolith/importlinter.ini", render("monolith/importlinter.ini.j2", ctx=ctx))
    put(MANIFEST, _manifest(ctx, files))
    return dict(sorted(files.items()))


def _extraction_program(doc: Analysis) -> Program | None:
    """The program extraction reads, made once for the context and the extraction; ``None``
    without a decomposition, which :func:`build_context` reports."""
    if doc.decomposition is None or not doc.decomposition.services:
        return None
    from analyzer.extract.program import Program

    return Program(doc)


def deploy_files(ctx: ScaffoldContext, environment: Mapping[str, Iterable[EnvVar]] | None = None) -> dict[str, str]:
    """The manifests that set each service's environment: its Deployment, the compose file, the
    kustomization and, for the variables the moved code reads (``environment``: slug ->
    variables, from ``--extract``), the file kustomize makes each service's Secret of."""
    o = ctx.options
    variables = {s.slug: deployed_environment(s, (environment or {}).get(s.slug, ())) for s in ctx.services}
    files = {}
    for s in ctx.services:
        files[f"deploy/k8s/{s.slug}.yaml"] = render("deploy/k8s/service.yaml.j2", ctx=ctx, o=o, s=s,
                                                    variables=variables[s.slug])
        if variables[s.slug]:
            files[f"deploy/k8s/env/{s.slug}.env"] = render("deploy/k8s/service.env.j2", ctx=ctx, s=s,
                                                           variables=variables[s.slug])
    files["deploy/docker-compose.yml"] = render("deploy/docker-compose.yml.j2", ctx=ctx, o=o, cpus=compose_cpus,
                                                memory=compose_memory, variables=variables, value=compose_value)
    files["deploy/k8s/kustomization.yaml"] = render("deploy/k8s/kustomization.yaml.j2", ctx=ctx, o=o,
                                                    variables=variables)
    return files


def _manifest(ctx: ScaffoldContext, files: dict[str, str]) -> str:
    """What was generated, from what, with a digest per file: lets a later run or a review
    tell a generated file from a hand-edited one."""
    data = {
        "schema": SCAFFOLD_SCHEMA,
        "tool": {"name": "msa-analyzer", "version": ctx.tool_version},
        "project": ctx.project,
        "services": [
            {"name": s.name, "slug": s.slug, "package": s.package, "port": s.port,
             "operations": len(s.operations), "routes": len(s.routes), "clients": [c.target for c in s.clients]}
            for s in ctx.services
        ],
        "files": {p: hashlib.sha256(t.encode("utf-8")).hexdigest() for p, t in sorted(files.items())},
    }
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"


__all__ = ["MANIFEST", "SCAFFOLD_SCHEMA", "ScaffoldContext", "ScaffoldOptions", "build_context", "render_files",
           "scaffold"]
