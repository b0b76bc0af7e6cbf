"""Entry points that are not HTTP: background tasks, commands and signal receivers.

* tasks: ``@shared_task`` / ``@app.task`` / ``@celery.task(...)`` (Celery), ``@dramatiq.actor``,
  ``@huey.task()``, ``@job`` (RQ), Celery ``Task`` subclasses, and a project's own task
  decorator named like one (``@task`` from an in-house queue); Airflow's ``@task`` (and
  ``@task.branch``, ``@task.virtualenv``...) and ``@dag`` functions, the ``python_callable`` of
  its Python operators and its ``BaseOperator`` subclasses (their ``execute``): the code a
  scheduler runs, which no HTTP route reaches (opencve's ``scheduler/dags/``);
* commands: Django management commands (``<app>/management/commands/<name>.py`` with a
  ``Command`` class), Click / Typer / Flask CLI commands;
* scheduled jobs: APScheduler's ``@scheduler.scheduled_job("cron", hour=3)`` and
  ``scheduler.add_job(sync, "interval", id="sync")``, Flask-APScheduler's ``@scheduler.task``,
  the schedule library's ``schedule.every(10).minutes.do(sync)``: tasks the scheduler runs;
* signals: ``@receiver(post_save, sender=Order)``, ``post_save.connect(handler, sender=...)``,
  blinker / Flask signals ``sig.connect(handler)`` and ``@sig.connect``;
* remote procedures: django-modernrpc's ``@rpc_method(name="TestRun.create")``, also through a
  project's decorator factory whose body (or a function nested in it) applies ``rpc_method``
  or calls ``RpcServer.register_procedure`` (Kiwi TCMS, Mathesar). The procedure's name is
  the ``name=`` literal at the decorated function, else the function's name.
"""

from __future__ import annotations

from analyzer.facts import is_template
from analyzer.frameworks.program import Program, matches, outside
from analyzer.model import Route

TASK_DECORATORS = frozenset({"task", "shared_task", "actor", "job", "periodic_task", "db_task",
                             "db_periodic_task", "background_task", "scheduled_job"})
TASK_ROOTS = frozenset({"celery", "dramatiq", "huey", "rq", "django_rq", "flask_rq2", "django_q", "arq",
                        "procrastinate", "taskiq", "airflow", "apscheduler", "flask_apscheduler"})
# schedulers that run a function handed to them: the method that takes it -> its libraries
# (APScheduler's ``scheduler.add_job(sync, "interval", id="sync")``, Flask-APScheduler's; the
# schedule library's ``schedule.every(10).minutes.do(sync)``)
# (and the parameter that takes the function)
SCHEDULING_CALLS = {"add_job": (frozenset({"apscheduler", "flask_apscheduler"}), "func"),
                    "do": (frozenset({"schedule"}), "job_func")}
# Airflow's operators that run a function of the project (``python_callable=``)
PYTHON_OPERATORS = frozenset({"PythonOperator", "BranchPythonOperator", "ShortCircuitOperator",
                              "PythonVirtualenvOperator", "ExternalPythonOperator",
                              "BranchPythonVirtualenvOperator", "BranchExternalPythonOperator"})
CLI_ROOTS = frozenset({"click", "typer", "flask", "asyncclick", "cyclopts"})
SIGNAL_ROOTS = frozenset({"django", "blinker", "flask"})
# what registers a remote procedure: modernrpc 1's decorator, modernrpc 2's server method
RPC_REGISTRARS = frozenset({"rpc_method", "register_procedure"})
RPC_ROOTS = frozenset({"modernrpc"})


class NonHttpEntries:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.routes: dict[str, Route] = {}
        self._cli_groups: dict[str, bool] = {}
        self._rpc_factories: dict[str, bool] = {}

    def run(self) -> list[Route]:
        prog = self.prog
        for q, d in sorted(prog.defs.items()):
            if d.kind in ("function", "method"):
                self._decorated(q)
            elif d.kind == "class":
                self._task_class(q)
        self._commands()
        self._connects()
        self._scheduled()
        self._python_operators()
        return sorted(self.routes.values(), key=lambda r: r.id)

    def _add(self, route: Route) -> None:
        self.routes.setdefault(route.id, route)

    # -- decorators --------------------------------------------------------------------
    def _decorated(self, q: str) -> None:
        prog = self.prog
        d = prog.defs[q]
        parent = prog.parent_scope(q)
        module = prog.module_of(q)
        for dec in d.decorators:
            if not dec.expr:
                continue
            last = dec.expr.rsplit(".", 1)[-1]
            values = prog.r.eval(parent, dec.expr)
            variant = dec.expr.split(".", 1)[0] == "task" and "." in dec.expr  # @task.branch (Airflow)
            if last in TASK_DECORATORS or variant or last == "dag":
                fw = self._task_framework(values)
                if fw == "airflow" or (fw is not None and last in TASK_DECORATORS):
                    name = (_kw_literal(prog, module, parent, dec.args, "name")
                            or _kw_literal(prog, module, parent, dec.args, "task_id")
                            or _kw_literal(prog, module, parent, dec.args, "dag_id")
                            or _kw_literal(prog, module, parent, dec.args, "id") or q)
                    self._add(Route(f"entry:task:{q}", "task", q, None, (), name, module, d.line, fw))
                    return
            if last in ("command", "group") and dec.args is not None:
                fw = self._cli_framework(parent, dec.expr, values)
                if fw is not None:
                    name = _first_literal(prog, module, parent, dec.args) or d.name.replace("_", "-")
                    self._add(Route(f"entry:command:{name}", "command", q, None, (), name, module, d.line, fw))
                    return
            if self._registers_rpc(values):
                name = _kw_literal(prog, module, parent, dec.args, "name") or d.name
                self._add(Route(f"entry:rpc:{name}", "rpc", q, None, (), name, module, d.line, "modernrpc"))
                return
            if last == "receiver" and matches(values, {"django"}, {"receiver"}):
                self._signal(q, module, parent, dec.args or (), d.line, "django")
                return
            if last == "connect" and dec.args is None and matches(values, SIGNAL_ROOTS):
                signal = dec.expr.rsplit(".", 1)[0]
                self._add(Route(f"entry:signal:{q}", "signal", q, None, (), signal, module, d.line,
                                _root(values)))
                return

    def _registers_rpc(self, values) -> bool:
        """Is the decorator factory modernrpc's ``rpc_method``, or a project function that
        applies it or registers with an ``RpcServer`` in its body or a function nested in it?"""
        if matches(values, RPC_ROOTS, RPC_REGISTRARS):
            return True
        return any(self._rpc_factory(v[2:]) for v in sorted(values)
                   if v.startswith("d:") and self.prog.kind(v[2:]) == "function")

    def _rpc_factory(self, factory: str) -> bool:
        hit = self._rpc_factories.get(factory)
        if hit is None:
            m = self.prog.facts.get(self.prog.module_of(factory))
            hit = self._rpc_factories[factory] = m is not None and self.prog.uses(*RPC_ROOTS) and any(
                (c.scope == factory or c.scope.startswith(factory + "."))
                and matches(self.prog.targets(m.module, i), RPC_ROOTS, RPC_REGISTRARS)
                for i, c in enumerate(m.calls))
        return hit

    def _task_framework(self, values) -> str | None:
        for v in sorted(values):
            path = outside(v)
            if path and path.split(".")[0] in TASK_ROOTS:
                return path.split(".")[0]
            if v.startswith(("d:", "bd:")):
                q = v.split(":", 1)[1]
                if self.prog.kind(q) in ("function", "method") and q.rsplit(".", 1)[-1] in TASK_DECORATORS:
                    return "project"
        return None

    def _cli_framework(self, scope: str, expr: str, values) -> str | None:
        for v in sorted(values):
            path = outside(v)
            if path and path.split(".")[0] in CLI_ROOTS:
                return path.split(".")[0]
        recv = expr.rsplit(".", 1)[0] if "." in expr else None
        if recv:  # ``@cli.command()`` on a group defined by ``@click.group()``
            for v in sorted(self.prog.r.eval(scope, recv)):
                if v.startswith("d:") and self._is_cli_group(v[2:]):
                    return "click"
        return None

    def _is_cli_group(self, func: str) -> bool:
        hit = self._cli_groups.get(func)
        if hit is not None:
            return hit
        self._cli_groups[func] = False
        d = self.prog.defs.get(func)
        result = False
        if d is not None and d.kind in ("function", "method"):
            parent = self.prog.parent_scope(func)
            for dec in d.decorators:
                if dec.expr and dec.expr.rsplit(".", 1)[-1] in ("group", "command") and \
                        self._cli_framework(parent, dec.expr, self.prog.r.eval(parent, dec.expr)):
                    result = True
        self._cli_groups[func] = result
        return result

    def _task_class(self, q: str) -> None:
        prog = self.prog
        bases = prog.r.external_bases(q)
        if matches(bases, {"celery"}, {"Task"}):
            framework, method = "celery", "run"
        elif matches(bases, {"airflow"}, {"BaseOperator"}):
            framework, method = "airflow", "execute"  # an operator: the scheduler calls execute()
        else:
            return
        d = prog.defs[q]
        handler = f"{q}.{method}" if prog.kind(f"{q}.{method}") == "method" else q
        name = prog.class_literal(q, "name")
        self._add(Route(f"entry:task:{q}", "task", handler, None, (), name if isinstance(name, str) else q,
                        prog.module_of(q), d.line, framework))

    def _python_operators(self) -> None:
        """``PythonOperator(task_id="clean", python_callable=clean_reports)``: the function is
        what the scheduler runs."""
        prog = self.prog
        if not prog.uses("airflow"):
            return
        for site in prog.named(PYTHON_OPERATORS):
            c = site.call
            if not matches(prog.targets(site.module, site.index), {"airflow"}, PYTHON_OPERATORS):
                continue
            callable_ = prog.arg(c, None, "python_callable")
            if callable_ is None or not callable_.expr:
                continue
            task_id = _kw_literal(prog, site.module, c.scope, c.args, "task_id")
            for v in sorted(prog.r.eval(c.scope, callable_.expr)):
                if v.startswith(("d:", "bd:")) and prog.kind(v.split(":", 1)[1]) in ("function", "method"):
                    q = v.split(":", 1)[1]
                    self._add(Route(f"entry:task:{q}", "task", q, None, (), task_id or q, site.module, c.line,
                                    "airflow"))
                    break

    # -- commands ----------------------------------------------------------------------
    def _commands(self) -> None:
        prog = self.prog
        for module in prog.modules:
            parts = module.split(".")
            if len(parts) < 3 or parts[-3:-1] != ["management", "commands"]:
                continue
            cls = f"{module}.Command"
            if prog.kind(cls) != "class":
                continue
            handle = f"{cls}.handle"
            handler = handle if prog.kind(handle) == "method" else cls
            name = parts[-1]
            self._add(Route(f"entry:command:{name}", "command", handler, None, (), name, module,
                            prog.defs[cls].line, "django"))

    # -- signals -----------------------------------------------------------------------
    def _signal(self, handler: str, module: str, scope: str, args, line: int, framework: str) -> None:
        signals: list[str] = []
        first = next((a for a in args if a.keyword is None and not a.star), None)
        if first is not None and first.expr and not first.expr.endswith(")"):
            signals = [first.expr.rsplit(".", 1)[-1]]  # a list of signals is not named here
        sender = _sender(next((a for a in args if a.keyword == "sender"), None))
        label = ",".join(signals) or "signal"
        if sender:
            label += f"({sender})"
        self._add(Route(f"entry:signal:{handler}", "signal", handler, None, (), label, module, line, framework))

    def _connects(self) -> None:
        prog = self.prog
        for site in prog.named(["connect"]):
            c = site.call
            if "." not in c.callee or not c.args:
                continue
            recv = c.callee.rsplit(".", 1)[0]
            values = prog.r.eval(c.scope, recv)
            if not matches(values, SIGNAL_ROOTS) and not self._signal_instance(values):
                continue
            receiver = prog.arg(c, 0, "receiver")
            if receiver is None or not receiver.expr:
                continue
            for v in sorted(prog.r.eval(c.scope, receiver.expr)):
                if v.startswith(("d:", "bd:")) and prog.kind(v.split(":", 1)[1]) in ("function", "method"):
                    q = v.split(":", 1)[1]
                    sender = _sender(prog.arg(c, None, "sender"))
                    label = recv.rsplit(".", 1)[-1]
                    if sender:
                        label += f"({sender})"
                    self._add(Route(f"entry:signal:{q}", "signal", q, None, (), label, site.module, c.line,
                                    _root(values) or "django"))
                    break

    def _scheduled(self) -> None:
        """A function handed to a scheduler (``SCHEDULING_CALLS``) is a task the scheduler
        runs, named by the job's ``id=`` or ``name=`` when it has a literal one."""
        prog = self.prog
        for site in prog.named(sorted(SCHEDULING_CALLS)):
            c = site.call
            if "." not in c.callee or not c.args:
                continue
            recv, _, method = c.callee.rpartition(".")
            scheduling = SCHEDULING_CALLS.get(method)
            if scheduling is None:
                continue
            libraries, parameter = scheduling
            values = prog.r.eval(c.scope, recv)
            if not matches(values, libraries):
                continue
            func = prog.arg(c, 0, parameter)
            if func is None or not func.expr:
                continue
            for v in sorted(prog.r.eval(c.scope, func.expr)):
                if v.startswith(("d:", "bd:")) and prog.kind(v.split(":", 1)[1]) in ("function", "method"):
                    q = v.split(":", 1)[1]
                    name = (_kw_literal(prog, site.module, c.scope, c.args, "id")
                            or _kw_literal(prog, site.module, c.scope, c.args, "name") or q)
                    self._add(Route(f"entry:task:{q}", "task", q, None, (), name, site.module, c.line,
                                    _root(values) or "apscheduler"))
                    break

    def _signal_instance(self, values) -> bool:
        for v in values:
            if v.startswith("i:") and v[2:] in self.prog.defs and \
                    matches(self.prog.r.external_bases(v[2:]), SIGNAL_ROOTS, {"Signal", "ModelSignal", "NamedSignal"}):
                return True
        return False


def _sender(arg) -> str | None:
    """``sender=Order`` or ``sender="orders.Order"`` -> ``Order``."""
    if arg is None:
        return None
    if isinstance(arg.value, str):
        return None if is_template(arg.value) else arg.value.rsplit(".", 1)[-1]
    if arg.expr and not arg.expr.endswith(")"):
        return arg.expr.rsplit(".", 1)[-1]
    return None


def _root(values) -> str | None:
    for v in sorted(values):
        path = outside(v)
        if path:
            return path.split(".")[0]
    return None


def _kw_literal(prog: Program, module: str, scope: str, args, name: str) -> str | None:
    for a in args or ():
        if a.keyword == name:
            v = prog.literal(module, scope, a)
            return v if isinstance(v, str) else None
    return None


def _first_literal(prog: Program, module: str, scope: str, args) -> str | None:
    for a in args or ():
        if a.keyword is None and not a.star:
            v = prog.literal(module, scope, a)
            return v if isinstance(v, str) else None
    return _kw_literal(prog, module, scope, args, "name")
