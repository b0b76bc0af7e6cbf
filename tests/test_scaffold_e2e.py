"""End to end: the generated services run under uvicorn behind the generated nginx gateway,
call each other through their generated clients, and fail cleanly when one is down; and a
plain (non-editable) install of the tool can scaffold.

Marked ``e2e``: they start real processes. Without nginx they skip, except under CI, where
they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from analyzer.scaffold import MANIFEST, build_context, scaffold
from analyzer.scaffold.context import ScaffoldOptions

_spec = importlib.util.spec_from_file_location("scaffold_support", Path(__file__).parent / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

pytestmark = pytest.mark.e2e


class Stack:
    """The scaffolded services and the gateway, running."""

    def __init__(self, out: Path, options: ScaffoldOptions) -> None:
        self.out = out
        self.options = options
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[BinaryIO] = []

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.options.gateway_port}"

    def start_service(self, slug: str, package: str, prefix: str, port: int) -> None:
        env = support.clean_env(**{f"{prefix}PORT": str(port), f"{prefix}RETRY_ATTEMPTS": "1",
                                   f"{prefix}BREAKER_FAIL_MAX": "3", f"{prefix}BREAKER_RESET_TIMEOUT": "60"})
        log = open(self.out / f"{slug}.log", "wb")  # noqa: SIM115 - closed in stop_all()
        self.logs.append(log)
        self.processes[slug] = subprocess.Popen([support.PYTHON, "-m", package], cwd=self.out / "services" / slug,
                                                env=env, stdout=log, stderr=subprocess.STDOUT)
        support.wait_until_up(f"http://127.0.0.1:{port}/livez", self.processes[slug], f"service {slug}")

    def start_gateway(self, nginx: str) -> None:
        prefix = self.out / "gateway" / "run"
        prefix.mkdir(parents=True, exist_ok=True)
        os.chmod(prefix, 0o755)  # nginx workers may run as another user when the tests run as root
        log = open(self.out / "gateway.log", "wb")  # noqa: SIM115 - closed in stop_all()
        self.logs.append(log)
        self.processes["gateway"] = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(self.out / "gateway" / "nginx.conf"), "-e", "stderr",
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=log,
        )
        support.wait_until_up(f"{self.gateway}/healthz", self.processes["gateway"], "nginx")

    def stop_all(self) -> None:
        for process in self.processes.values():
            support.stop(process)
        for log in self.logs:
            log.close()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    nginx = support.nginx_binary()
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (CI installs it: apt-get install nginx)")
        pytest.skip("nginx is not installed")
    doc = support.shop()
    base = support.free_port_run(5)  # three services, the gateway, and a monolith that is not running
    options = ScaffoldOptions(base_port=base, gateway_port=base + 3, monolith_port=base + 4)
    out = tmp_path / "out"
    scaffold(doc, out, options=options)
    running = Stack(out, options)
    try:
        for s in build_context(doc, options).services:
            running.start_service(s.slug, s.package, s.env_prefix, s.port)
        running.start_gateway(nginx)
        yield running
    finally:
        running.stop_all()


def test_gateway_routes_to_the_services_and_clients_fail_cleanly(stack: Stack) -> None:
    with httpx.Client(base_url=stack.gateway, timeout=10.0) as http:
        for slug in ("catalog", "orders", "payments"):
            answer = http.get(f"/api/{slug}/livez")
            assert answer.status_code == 200
            assert answer.json() == {"status": "ok", "service": slug}
            assert answer.headers["x-service"] == slug

        # the monolith's own URLs reach the service that took them over, by method
        assert http.get("/products/7").headers["x-service"] == "catalog"
        assert http.get("/checkout").headers["x-service"] == "catalog"
        posted = http.post("/checkout")
        assert posted.headers["x-service"] == "orders"
        assert posted.status_code == 501
        assert posted.json()["detail"]["function"] == "shop.orders.views.checkout"
        stub = http.post("/api/payments/get-payment", json={"payment_id": "p-1"})
        assert stub.status_code == 501 and stub.json()["detail"]["function"] == "shop.payments.services.get_payment"
        # anything else still goes to the monolith (not running here: the gateway says so)
        assert http.get("/not-extracted-yet").status_code == 502

        # one service calls another through its generated client
        through = http.get("/api/orders/deps/payments")
        assert through.status_code == 200, through.text
        assert through.json()["answer"] == {"status": "ok", "service": "payments"}

        support.stop(stack.processes["payments"])
        failures = [http.get("/api/orders/deps/payments") for _ in range(4)]
        assert [f.status_code for f in failures] == [503] * 4
        assert all(f.json()["dependency"] == "payments" for f in failures)
        assert "unreachable" in failures[0].json()["detail"]
        assert "circuit breaker open" in failures[-1].json()["detail"]
        ready = http.get("/api/orders/readyz")
        assert ready.status_code == 503
        assert ready.json()["problems"] == {"payments": "circuit breaker open"}
        # the other dependency is unaffected
        assert http.get("/api/orders/deps/catalog").status_code == 200


def test_gateway_sends_a_websocket_to_the_service_that_took_it_over(stack: Stack) -> None:
    """A WebSocket endpoint of the monolith is served by the service that owns its handler:
    the handshake goes through nginx to that service's uvicorn, whose stub names the handler
    and closes with the "not ported" code."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{stack.options.gateway_port}/orders/7/live", open_timeout=10) as socket:
        message = json.loads(socket.recv(timeout=10))
        assert message["detail"]["service"] == "orders"
        assert message["detail"]["function"] == "shop.orders.views.order_updates"
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=10)
    assert socket.close_code == 4501


class _UpgradingMonolith(socketserver.BaseRequestHandler):
    """A stand-in monolith: answers a WebSocket handshake with 101 and a greeting, any other
    request with the ``Connection`` header it received."""

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in data.decode("latin-1").split("\r\n")[1:] if ":" in line)}
        if headers.get("upgrade", "").lower() == "websocket":
            self.request.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 b"Connection: Upgrade\r\n\r\nhello")
        else:
            body = f"connection={headers.get('connection', '')}".encode()
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def test_gateway_passes_websocket_upgrades_to_the_monolith(stack: Stack) -> None:
    """The monolith's WebSockets keep working behind the gateway; other requests keep their
    upstream connection alive (no ``Connection: close``)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", stack.options.monolith_port), _UpgradingMonolith)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", stack.options.gateway_port), timeout=10) as sock:
            sock.sendall(b"GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         b"Sec-WebSocket-Version: 13\r\n\r\n")
            answer = b""
            while b"hello" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 101"), answer[:200]
        assert answer.endswith(b"hello")
        plain = httpx.get(f"{stack.gateway}/not-extracted-yet", timeout=10.0)
        assert plain.status_code == 200 and plain.text == "connection="
    finally:
        server.shutdown()
        server.server_close()


def test_a_plain_install_can_scaffold(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) in a fresh venv that borrows the dependencies
    of this one, and scaffold with its ``msa``: the templates must come from the package."""
    wheels = tmp_path / "wheels"
    built = support.run([support.PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                         str(support.REPO)], timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("msa_analyzer-*.whl")
    venv = tmp_path / "venv"
    made = support.run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(support.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
                .stdout.strip())
    here = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "borrowed.pth").write_text("\n".join(here) + "\n", encoding="utf-8")  # dependencies only
    installed = support.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                             str(wheel)], timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    code = ("import analyzer, importlib.resources as r; print(analyzer.__file__); "
            "print((r.files('analyzer') / 'templates' / 'service').is_dir())")
    probe = support.run([str(python), "-c", code], cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    location, has_templates = probe.stdout.split()
    assert Path(location).is_relative_to(venv) and has_templates == "True"
    out = tmp_path / "out"
    run = support.run([str(python), "-m", "analyzer.cli", "scaffold", str(support.FIXTURE), "-o", str(out)],
                      cwd=tmp_path, env=support.clean_env())
    assert run.returncode == 0, run.stdout + run.stderr
    assert (out / MANIFEST).is_file() and (out / "services" / "orders" / "orders_service" / "main.py").is_file()
