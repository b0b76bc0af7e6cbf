"""What the scaffold generates is valid for the real tools: ruff, the services' own tests,
``nginx -t``, the compose-spec schema, ``kubernetes-validate --strict``, import-linter.

HTTPRoute and Gateway are CRDs (Gateway API) for which kubernetes-validate has no schema:
they get the structural check below, written from the Gateway API v1 CRD's validation rules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import networkx as nx
import pytest
import yaml

from analyzer.scaffold import build_context, scaffold
from analyzer.scaffold.gateway import render_gateway

_spec = importlib.util.spec_from_file_location("scaffold_support", Path(__file__).parent / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

# the hand-made shop, the same with hostile service names, and the bundled sample's own analysis
VARIANTS = {"shop": support.shop, "hostile": lambda: support.hostile(support.shop()), "sample": support.sample}


ALL = pytest.mark.parametrize("out", sorted(VARIANTS), indirect=True)


@pytest.fixture(scope="module")
def out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp(request.param) / "out"
    scaffold(VARIANTS[request.param](), target)
    return target


def services_of(out: Path) -> list[Path]:
    return sorted(p for p in (out / "services").iterdir() if p.is_dir())


# -- Python -----------------------------------------------------------------------------------------------


@ALL
def test_generated_code_passes_ruff(out: Path) -> None:
    result = support.run([support.tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                          str(out / "services")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_service_named_like_a_client_base_passes_ruff(tmp_path: Path) -> None:
    # "service" would make its client ServiceClient, the name of every client's base class
    target = tmp_path / "out"
    scaffold(support.renamed(support.shop(), {"catalog": "service"}), target)
    orders = target / "services" / "orders"
    result = support.run([support.tool("ruff"), "check", "--no-cache", "--output-format", "concise", str(orders)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "class ServiceApiClient(ServiceClient)" in (orders / "orders_service" / "clients" / "service.py").read_text()


# the sample's eleven services take a while: their own tests run with the end-to-end tests
@pytest.mark.parametrize("out", ["hostile", pytest.param("sample", marks=pytest.mark.e2e), "shop"], indirect=True)
def test_generated_services_pass_their_own_tests(out: Path) -> None:
    folders = services_of(out)
    command = [support.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    results = support.run_parallel([(command, folder) for folder in folders], env=support.clean_env())
    for folder, result in zip(folders, results, strict=True):
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout}\n{result.stderr}"
        assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
        assert " failed" not in result.stdout and " skipped" not in result.stdout, result.stdout


# -- gateway ------------------------------------------------------------------------------------------------


def nginx_or_skip() -> str:
    binary = support.nginx_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (CI installs it: apt-get install nginx)")
        pytest.skip("nginx is not installed")
    return binary


def nginx_test(conf: Path, prefix: Path) -> None:
    prefix.mkdir(parents=True, exist_ok=True)
    result = support.run([nginx_or_skip(), "-t", "-p", str(prefix), "-c", str(conf), "-e", "stderr"])
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@ALL
def test_gateway_config_passes_nginx_t(out: Path, tmp_path: Path) -> None:
    nginx_test(out / "gateway" / "nginx.conf", tmp_path / "prefix")


def test_docker_gateway_config_passes_nginx_t_with_local_upstreams(tmp_path: Path) -> None:
    ctx = build_context(support.shop())
    conf = tmp_path / "nginx.docker.conf"
    conf.write_text(render_gateway(ctx, docker=True, host="127.0.0.1", monolith="127.0.0.1:8000"), encoding="utf-8")
    nginx_test(conf, tmp_path / "prefix")
    text = (conf.read_text(encoding="utf-8"))
    assert "listen 8080;" in text and "pid /tmp/nginx.pid;" in text


@ALL
def test_local_gateway_keeps_its_files_in_the_prefix(out: Path) -> None:
    text = (out / "gateway" / "nginx.conf").read_text(encoding="utf-8")
    for line in text.splitlines():
        directive = line.strip().split(" ", 1)
        if directive[0] in ("pid", "access_log", "error_log") or directive[0].endswith("_temp_path"):
            assert not directive[1].startswith("/"), line
        if directive[0] == "listen":
            assert directive[1].startswith("127.0.0.1:"), line
    assert "\nuser " not in text


# -- docker compose ---------------------------------------------------------------------------------------


@ALL
def test_compose_file_matches_the_compose_spec(out: Path) -> None:
    schema = json.loads(support.COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    doc = yaml.safe_load((out / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    for name, service in doc["services"].items():
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and limits["memory"].endswith("M"), name
        assert service["healthcheck"]["test"][0] == "CMD", name
    waits = nx.DiGraph((a, b) for a, s in doc["services"].items() for b in s.get("depends_on", {}))
    assert nx.is_directed_acyclic_graph(waits)
    assert set(doc["services"]["gateway"]["depends_on"]) == set(doc["services"]) - {"gateway"}


@ALL
def test_the_compose_schema_is_strict_enough_to_matter(out: Path) -> None:
    schema = json.loads(support.COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    doc = yaml.safe_load((out / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    first = next(iter(doc["services"]))
    doc["services"][first]["deploy"]["resources"]["limits"]["cpu"] = "1"  # a typo of "cpus"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(schema).validate(doc)


# -- Kubernetes -----------------------------------------------------------------------------------------------


def k8s_documents(out: Path) -> list[tuple[Path, dict]]:
    docs = []
    for path in sorted((out / "deploy" / "k8s").rglob("*.yaml")):
        docs.extend((path, d) for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d)
    return docs


@ALL
def test_core_manifests_pass_kubernetes_validate_strict(out: Path) -> None:
    files = sorted({str(p) for p, d in k8s_documents(out) if d["apiVersion"] in ("apps/v1", "v1", "autoscaling/v2",
                                                                                    "networking.k8s.io/v1")})
    assert len(files) == len(services_of(out)) + 1  # one file per service, plus the optional Ingress
    result = support.run([support.tool("kubernetes-validate"), "--strict", "--quiet", *files])
    assert result.returncode == 0, result.stdout + result.stderr


@ALL
def test_kubernetes_validate_strict_rejects_an_unknown_field(out: Path, tmp_path: Path) -> None:
    path = next(p for p in (out / "deploy" / "k8s").glob("*.yaml") if not p.name.endswith(("-route.yaml",
                                                                                            "gateway.yaml")) and
                p.name != "kustomization.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text(path.read_text(encoding="utf-8").replace("imagePullPolicy:", "imagePullPolicee:", 1),
                      encoding="utf-8")
    result = support.run([support.tool("kubernetes-validate"), "--strict", "--quiet", str(broken)])
    assert result.returncode != 0


@ALL
def test_deployments_have_resources_and_probes(out: Path) -> None:
    kinds: dict[str, set[str]] = {}
    for _, d in k8s_documents(out):
        kinds.setdefault(d.get("metadata", {}).get("name", ""), set()).add(d["kind"])
        if d["kind"] != "Deployment":
            continue
        (container,) = d["spec"]["template"]["spec"]["containers"]
        assert set(container["resources"]) == {"requests", "limits"}
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert container["startupProbe"]["httpGet"]["path"] == "/livez"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for folder in services_of(out):
        assert {"Deployment", "Service", "HorizontalPodAutoscaler", "HTTPRoute"} <= kinds[folder.name]


_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DURATION = re.compile(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")
_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}


def httproute_problems(d: dict, services: dict[str, set[int]]) -> list[str]:
    """Structural check of an HTTPRoute against the Gateway API v1 CRD's rules (our own check:
    kubernetes-validate has no schema for CRDs). ``services``: Service name -> ports."""
    problems: list[str] = []

    def need(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    need(d.get("apiVersion") == "gateway.networking.k8s.io/v1", "apiVersion")
    need(set(d) <= {"apiVersion", "kind", "metadata", "spec"}, f"top-level keys {sorted(d)}")
    name = d.get("metadata", {}).get("name", "")
    need(bool(_LABEL.match(name)) and len(name) <= 253, f"name {name!r}")
    spec = d.get("spec", {})
    need(set(spec) <= {"parentRefs", "hostnames", "rules"}, f"spec keys {sorted(spec)}")
    parents = spec.get("parentRefs", [])
    need(1 <= len(parents) <= 32 and all(set(p) <= {"group", "kind", "namespace", "name", "sectionName", "port"}
                                         and p.get("name") for p in parents), "parentRefs")
    rules = spec.get("rules", [])
    need(1 <= len(rules) <= 16, f"{len(rules)} rules")
    for rule in rules:
        need(set(rule) <= {"matches", "filters", "backendRefs", "timeouts", "name"}, f"rule keys {sorted(rule)}")
        matches = rule.get("matches", [])
        need(1 <= len(matches) <= 8, f"{len(matches)} matches")
        for m in matches:
            need(set(m) <= {"path", "headers", "queryParams", "method"}, f"match keys {sorted(m)}")
            path = m.get("path", {})
            need(set(path) == {"type", "value"}, f"path keys {sorted(path)}")
            kind, value = path.get("type"), path.get("value", "")
            need(kind in ("Exact", "PathPrefix", "RegularExpression"), f"path type {kind}")
            need(isinstance(value, str) and value.startswith(("/", "^/")) and len(value) <= 1024, f"path {value!r}")
            if kind in ("Exact", "PathPrefix"):
                need(not any(bad in value for bad in ("//", "/./", "/../", "%2f", "%2F", "#")), f"path {value!r}")
            else:
                re.compile(value)
            need(m.get("method", "GET") in _METHODS, f"method {m.get('method')}")
        refs = rule.get("backendRefs", [])
        need(1 <= len(refs) <= 16, "backendRefs")
        for ref in refs:
            need(set(ref) <= {"group", "kind", "name", "namespace", "port", "weight", "filters"}, "backendRef keys")
            need(ref.get("port") in services.get(ref.get("name"), set()), f"backendRef {ref} has no Service")
        for key, timeout in rule.get("timeouts", {}).items():
            need(key in ("request", "backendRequest") and bool(_DURATION.match(timeout)), f"timeout {timeout}")
    return problems


@ALL
def test_httproutes_pass_the_structural_check(out: Path) -> None:
    docs = k8s_documents(out)
    services = {"monolith": {8000}}
    for _, d in docs:
        if d["kind"] == "Service":
            services.setdefault(d["metadata"]["name"], set()).update(p["port"] for p in d["spec"]["ports"])
    routes = [d for _, d in docs if d["kind"] == "HTTPRoute"]
    assert len(routes) == len(services_of(out)) + 1  # one per service, plus the monolith fallback
    for d in routes:
        assert httproute_problems(d, services) == [], d["metadata"]["name"]
    (gateway,) = [d for _, d in docs if d["kind"] == "Gateway"]
    assert gateway["spec"]["gatewayClassName"] and gateway["spec"]["listeners"][0]["protocol"] == "HTTP"
    parents = {p["name"] for d in routes for p in d["spec"]["parentRefs"]}
    assert parents == {gateway["metadata"]["name"]}


def test_structural_check_catches_mistakes() -> None:
    bad = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "Bad_Name"},
           "spec": {"parentRefs": [{"name": "gw"}], "rules": [{"matches": [{"path": {"type": "Prefix",
                                                                                      "value": "a//b"}}] * 9,
                                                                "backendRefs": [{"name": "x", "port": 1}]}]}}
    problems = httproute_problems(bad, {})
    assert any("name" in p for p in problems) and any("9 matches" in p for p in problems)
    assert any("path type" in p for p in problems) and any("no Service" in p for p in problems)


@ALL
def test_kustomization_lists_every_manifest(out: Path) -> None:
    k8s = out / "deploy" / "k8s"
    listed = yaml.safe_load((k8s / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert sorted(listed) == sorted(p.name for p in k8s.glob("*.yaml") if p.name != "kustomization.yaml")


# -- import contracts for the monolith -------------------------------------------------------------------------


def lint_imports(config: Path, source: Path) -> tuple[int, str]:
    result = support.run([support.tool("lint-imports"), "--no-cache", str(config)], cwd=source,
                         env=support.clean_env(PYTHONPATH=str(source)))
    return result.returncode, result.stdout + result.stderr


def test_import_contracts_hold_on_the_monolith_and_catch_a_crossing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    scaffold(support.shop(), out)
    source = tmp_path / "src"
    shutil.copytree(support.SHOP_SRC, source)
    config = out / "monolith" / "importlinter.ini"
    code, text = lint_imports(config, source)
    assert code == 0, text
    assert "3 kept, 0 broken" in text
    views = source / "shop" / "orders" / "views.py"
    views.write_text(views.read_text(encoding="utf-8") + "from shop.catalog.models import Product\n",
                     encoding="utf-8")
    code, text = lint_imports(config, source)
    assert code == 1, text
    assert "BROKEN" in text and "shop.orders.views -> shop.catalog.models" in text
