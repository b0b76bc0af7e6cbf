"""``msa scaffold --extract`` on the sample shop: the tree it writes, that every service package
imports cleanly (in its own process), the generated services' own tests, the counts in
scaffold.json and the summary line, determinism, and the one-line errors."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer.analysis import save
from analyzer.cli import app
from analyzer.errors import AnalysisFileError
from analyzer.extract import extract_files
from analyzer.plan import apply_plan
from analyzer.scaffold import MANIFEST, build_context, render_files, scaffold
from analyzer.scaffold.context import ScaffoldOptions

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("scaffold_support", HERE / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SAMPLE = HERE.parent / "samples" / "shop"
# the files extraction changes in a service; every other scaffold file stays as the scaffold wrote it
CHANGED = {"api.py", "routes.py", "README.md", "pyproject.toml", "tests/test_api.py", "tests/test_routes.py"}


@pytest.fixture(scope="module")
def doc():
    return apply_plan(support.sample(), SAMPLE / "intended.toml")


@pytest.fixture(scope="module")
def extracted(doc):
    ctx = build_context(doc, ScaffoldOptions(extract=True))
    return ctx, render_files(ctx), *extract_files(doc, ctx, render_files(ctx))


@pytest.fixture(scope="module")
def tree(doc, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("extract") / "out"
    summary = scaffold(doc, out, options=ScaffoldOptions(extract=True))
    return out, summary


def test_the_default_scaffold_is_what_extraction_starts_from(doc, extracted) -> None:
    _, plain, files, _ = extracted
    assert plain == render_files(build_context(doc))  # the option alone changes nothing
    for path, text in plain.items():
        if path in ("MIGRATION.md", MANIFEST):
            assert files[path].startswith(text.rstrip("\n")[:200])
            continue
        parts = path.split("/")
        rel = "/".join(parts[3:]) if parts[0] == "services" and len(parts) > 3 and parts[2].endswith("_service") \
            else "/".join(parts[2:]) if parts[0] == "services" else path
        if parts[0] == "services" and rel in CHANGED:
            continue
        if path == "deploy/docker-compose.yml" or path.startswith("deploy/k8s/") and "-route" not in path:
            # the manifests only gain the environment the moved code reads (SHOP_DATABASE_URL)
            extra = iter(files[path].splitlines())
            assert all(line in extra for line in text.splitlines()), f"{path} lost a line"
            continue
        assert files[path] == text, f"{path} changed"


def test_each_service_gets_its_code_and_the_shared_library(extracted) -> None:
    _, _, files, x = extracted
    orders = "services/orders/orders_service"
    assert f"{orders}/ported/shop/orders/services.py" in files
    assert f"{orders}/vendor/shop/common/helpers.py" in files
    assert f"{orders}/vendor/shop/db.py" in files
    assert f"{orders}/ported/shop/catalog/services.py" in files  # the facade of what orders calls there
    assert f"{orders}/ported/shop/catalog/views.py" not in files
    place = files[f"{orders}/ported/shop/orders/services.py"]
    assert "from orders_service.ported.shop.payments import services as payment_service" in place
    assert "def place_order(" in place
    facade = files[f"{orders}/ported/shop/payments/services.py"]
    assert "_msa_payments.PaymentsClient.charge" in facade and "def charge(session, order, method" in facade
    models = files[f"{orders}/ported/shop/orders/models.py"]
    assert 'ForeignKey("customers.id")' not in models and 'ForeignKey("orders.id")' in models
    readme = files["services/orders/README.md"]
    assert "vendored" in readme and "orders_service/vendor/" in readme
    pyproject = files["services/orders/pyproject.toml"]
    assert '"flask>=3.0"' in pyproject and '"sqlalchemy>=2.0"' in pyproject
    api = files[f"{orders}/api.py"]
    assert "runtime.invoke(" in api and "not_ported" not in api
    routes = files[f"{orders}/routes.py"]
    assert routes.count("runtime.dispatch(request)") == 8
    for s in x.services:
        assert {m for m, tree in s.modules if tree == "vendor"} >= {"shop", "shop.common.helpers", "shop.db"}


def test_the_counts_are_in_scaffold_json_migration_and_the_summary(tree, extracted) -> None:
    out, summary = tree
    x = extracted[3]
    figures = x.summary()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["extract"]["rewired"] == figures["rewired"] == 32
    assert manifest["extract"]["replicated"] == figures["replicated"] == 22
    assert manifest["extract"]["stubbed"] == figures["stubbed"] == 0
    assert manifest["extract"]["cross_service_call_sites"] == 54
    assert {s["slug"] for s in manifest["extract"]["services"]} == {s.slug for s in x.services}
    assert "32 of 54 cross-service call sites rewired, 22 replicated, 0 stubbed" in summary
    for path, digest in manifest["files"].items():
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == digest, path
    migration = (out / "MIGRATION.md").read_text(encoding="utf-8")
    assert "## Extraction (`msa scaffold --extract`)" in migration
    assert "`shop.catalog.models.StockLevel`" in migration  # a stub, with its reason
    assert "direct database access" in migration


def test_extraction_is_deterministic(doc, extracted) -> None:
    ctx = build_context(doc, ScaffoldOptions(extract=True))
    again, _ = extract_files(doc, ctx, render_files(ctx))
    assert again == extracted[2]


def test_every_service_package_imports_cleanly(tree) -> None:
    out, _ = tree
    jobs = []
    for service in sorted((out / "services").iterdir()):
        package = next(p.name for p in service.iterdir() if p.name.endswith("_service"))
        modules = sorted(
            ".".join(p.relative_to(service).with_suffix("").parts).removesuffix(".__init__")
            for p in (service / package).rglob("*.py")
        )
        code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\nprint('ok', len(sys.argv) - 1)"
        jobs.append(([support.PYTHON, "-c", code, *modules], service))
    results = support.run_parallel(jobs, env=support.clean_env(), limit=4, timeout=120)
    for (_, folder), result in zip(jobs, results, strict=True):
        assert result.returncode == 0 and result.stdout.startswith("ok"), f"{folder.name}:\n{result.stderr[-3000:]}"


def test_the_generated_services_own_tests_pass(tree) -> None:
    out, _ = tree
    jobs = [([support.PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], service)
            for service in sorted((out / "services").iterdir())]
    results = support.run_parallel(jobs, env=support.clean_env(), limit=4, timeout=300)
    for (_, folder), result in zip(jobs, results, strict=True):
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout[-3000:]}"


def test_the_code_extraction_writes_passes_ruff(tree) -> None:
    # each service's own configuration: what the scaffold wrote is checked, the copied
    # monolith code (ported/, vendor/) keeps its own style
    out, _ = tree
    result = support.run([support.tool("ruff"), "check", "--no-cache", "--output-format", "concise",
                          str(out / "services")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert all("extend-exclude" in p.read_text() for p in (out / "services").glob("*/pyproject.toml"))


def test_the_cli_flag(doc, tmp_path: Path) -> None:
    analysis = tmp_path / "shop.json"
    save(doc, analysis)
    result = CliRunner().invoke(app, ["scaffold", str(analysis), "-o", str(tmp_path / "out"), "--extract"])
    assert result.exit_code == 0, result.output
    assert "cross-service call sites rewired" in result.output
    assert (tmp_path / "out" / "services" / "cart" / "cart_service" / "wire.py").is_file()


def test_a_source_changed_since_the_analysis_stops_with_one_line(doc, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SAMPLE, root)
    moved = dataclasses.replace(doc, root=str(root))
    path = root / "shop" / "cart" / "services.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    analysis = tmp_path / "shop.json"
    save(moved, analysis)
    result = CliRunner().invoke(app, ["scaffold", str(analysis), "-o", str(tmp_path / "out"), "--extract"])
    assert result.exit_code == 1
    assert "changed since the analysis" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_missing_source_tree_stops_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(AnalysisFileError, match="cannot read the analyzed source"):
        scaffold(support.shop(), tmp_path / "out", options=ScaffoldOptions(extract=True))


def test_hostile_service_names_give_safe_paths_and_valid_code(doc) -> None:
    hostile = support.renamed(doc, dict(zip(("catalog", "orders", "payments"), support.HOSTILE_NAMES, strict=True)))
    ctx = build_context(hostile, ScaffoldOptions(extract=True))
    files, x = extract_files(hostile, ctx, render_files(ctx))
    assert {s.slug for s in x.services} >= {"etc", "a-b", "svc-7-7"}
    for path, text in files.items():
        assert ".." not in path.split("/") and "{" not in path
        if path.endswith(".py"):
            compile(text, path, "exec")
    assert x.summary()["rewired"] == 32


def test_a_monolith_exact_pin_keeps_its_series_or_becomes_a_floor_for_the_service_stack() -> None:
    from analyzer.extract.emit import add_dependencies, loosen_pin, same_series

    assert loosen_pin("python-dotenv==0.19.2") == "python-dotenv>=0.19.2"
    assert loosen_pin("Django==4.2.*") == "Django>=4.2"
    assert loosen_pin('foo==1.0; python_version<"3.12"') == 'foo>=1.0 ; python_version<"3.12"'
    for kept in ("flask>=3.0", "a==1,<2", "b===1", "c~=1.0", "requests"):
        assert loosen_pin(kept) == kept
    assert same_series("marshmallow==2.20.2") == "marshmallow>=2.20.2,<3"
    assert same_series("flask-marshmallow==0.10.1") == "flask-marshmallow>=0.10.1,<0.11"
    assert same_series('foo==1.0; python_version<"3.12"') == 'foo>=1.0,<2 ; python_version<"3.12"'
    for kept in ("x==1.0rc1", "a==1,<2", "c~=1.0", "requests"):
        assert same_series(kept) == kept
    pyproject = 'dependencies = [\n    "pydantic-settings>=2.2",\n]\n'
    out = add_dependencies(pyproject, ("python-dotenv==0.19.2", "pydantic-settings==2.0", "SQLAlchemy==1.4.48"))
    # python-dotenv is pydantic-settings' own dependency: only a floor; SQLAlchemy keeps 1.x
    assert '"python-dotenv>=0.19.2",' in out and out.count("pydantic-settings") == 1
    assert '"SQLAlchemy>=1.4.48,<2",' in out


def test_the_monolith_requirements_follow_included_files(tmp_path) -> None:
    from analyzer.extract.requirements import monolith_requirements

    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements.txt").write_text("# for the PaaS\n-r requirements/production.txt\n")
    (tmp_path / "requirements" / "production.txt").write_text(
        "-r base.txt\ngunicorn==23.0.0  # server\n--requirement=extra.txt\n-e .\n--index-url https://x\n")
    (tmp_path / "requirements" / "base.txt").write_text(
        "Django==4.2.30\ncelery[redis]>=5.4 ; python_version >= '3.8'\n-r production.txt\n"
        "git+https://example.org/lib.git#egg=lib\nlib2 @ https://example.org/lib2.whl\n")
    (tmp_path / "requirements" / "extra.txt").write_text("PyJWT\n")
    # a pyproject.toml without dependencies (Plane keeps only tool settings there) is passed over
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mono"\n\n[tool.ruff]\nline-length = 99\n')
    assert monolith_requirements(tmp_path) == (
        "Django==4.2.30", "PyJWT", "celery[redis]>=5.4 ; python_version >= '3.8'", "gunicorn==23.0.0",
        "lib2 @ https://example.org/lib2.whl")


def test_a_facade_comes_before_the_code_that_uses_it() -> None:
    from analyzer.extract.emit import _after_imports

    module = ('"""Forms."""\nfrom __future__ import annotations\n\nimport os\n\n\n'
              '@decorate\nclass OrderForm:\n    class Meta:\n        model = Order  # provided by the facade\n')
    facade = "Order = _msa_wire.Stub('shop.orders.Order', 'orders', 'an entity of another service')\n"
    out = _after_imports(module, facade)
    assert out.index("Order = _msa_wire.Stub") < out.index("@decorate") and out.index("import os") < out.index("Order =")
    compile(out, "forms.py", "exec")
    assert _after_imports("import os\n", facade).endswith(facade)  # imports only: at the end


def test_a_websocket_endpoint_stays_a_stub_beside_the_moved_views(doc, tmp_path: Path) -> None:
    """The monolith's app cannot dispatch a WebSocket: in a service whose Flask views moved,
    the endpoint is still served, as a stub that names its handler, and tested."""
    http = next(r for r in doc.routes if r.kind == "http" and r.handler.startswith("shop.catalog.views."))
    socket = dataclasses.replace(http, id="entry:websocket:/catalog/live", kind="websocket", path="/catalog/live",
                                 methods=())
    out = tmp_path / "out"
    scaffold(dataclasses.replace(doc, routes=[*doc.routes, socket]), out, options=ScaffoldOptions(extract=True))
    service = out / "services" / "catalog"
    routes = (service / "catalog_service" / "routes.py").read_text(encoding="utf-8")
    assert "_msa_runtime.dispatch(request)" in routes and '@router.websocket("/catalog/live")' in routes
    assert "test_socket_is_an_honest_stub" in (service / "tests" / "test_routes.py").read_text(encoding="utf-8")
    result = support.run([support.PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-k", "socket"],
                         cwd=service, env=support.clean_env(), timeout=300)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-3000:]
