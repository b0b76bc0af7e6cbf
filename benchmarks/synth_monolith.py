"""Write a synthetic Python monolith with planted services, as source code.

Usage::

    python benchmarks/synth_monolith.py OUT --lines 100000 [--services 12] [--cross 0.05] [--seed 0]

Each planted capability ``mono/<cap>/`` holds SQLAlchemy-style models, a repository class,
service functions and Flask-style views; service functions call each other inside their
capability and, with probability ``--cross`` per call, a service function of another
capability (the controlled cross-talk). A layered ``mono/admin/`` folder has one module per
capability that calls only that capability (a seam across folders), ``mono/common/`` is a
helper library every capability uses (the shared library), and a share of the models is
written by a second capability (shared data). ``OUT/intended.toml`` is the planted truth in
the plan format, so ``msa compare`` can score recovery. The same seed gives the same tree.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

LINES_PER_FUNCTION = 9


def _cap(i: int) -> str:
    return f"cap{i:03d}"


def generate(out: Path, *, lines: int, services: int, cross: float, seed: int, shared_writes: float = 0.1) -> dict:
    rng = random.Random(seed)
    funcs_total = max(services * 8, lines // LINES_PER_FUNCTION)
    per_cap = max(8, funcs_total // services)
    modules_per_cap = max(2, per_cap // 25)
    root = out / "mono"
    (root / "common").mkdir(parents=True, exist_ok=True)
    (root / "admin").mkdir(exist_ok=True)
    (root / "__init__.py").write_text('"""Synthetic monolith."""\n')
    (root / "admin" / "__init__.py").write_text("")
    (root / "common" / "__init__.py").write_text("")
    (root / "common" / "db.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Session\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "def get_session() -> Session:\n    return Session()\n"
    )
    helpers = [f"helper_{k}" for k in range(20)]
    (root / "common" / "utils.py").write_text("\n\n".join(
        f"def {h}(value):\n    \"\"\"A helper every capability uses.\"\"\"\n    return str(value).strip()\n"
        for h in helpers
    ))
    plan: dict[str, list[str]] = {}
    entities: dict[str, list[str]] = {}
    funcs: dict[int, list[tuple[str, str]]] = {}  # cap -> [(module, function)]
    for c in range(services):
        cap = _cap(c)
        pkg = root / cap
        pkg.mkdir(exist_ok=True)
        (pkg / "__init__.py").write_text("")
        funcs[c] = [(f"mono.{cap}.service{m}", f"{cap}_op{m}_{k}")
                    for m in range(modules_per_cap) for k in range(per_cap // modules_per_cap)]
        plan[cap] = [f"mono.{cap}", f"mono.{cap}.models", f"mono.{cap}.views", f"mono.admin.{cap}_admin"] + [
            f"mono.{cap}.service{m}" for m in range(modules_per_cap)]
        entities[cap] = [f"entity:mono.{cap}.models.{cap.title()}Item"]
    written = {c: [c] for c in range(services)}
    for c in range(services):  # shared data: some models are also written by another capability
        if services > 1 and rng.random() < shared_writes:
            written[c].append(rng.choice([o for o in range(services) if o != c]))
    total_lines = 0
    for c in range(services):
        cap = _cap(c)
        pkg = root / cap
        model = f"{cap.title()}Item"
        models = (
            "from sqlalchemy import ForeignKey, String\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n\n"
            "from mono.common.db import Base\n\n\n"
            f"class {model}(Base):\n    __tablename__ = \"{cap}_items\"\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str] = mapped_column(String(80))\n"
        )
        (pkg / "models.py").write_text(models)
        by_module: dict[str, list[str]] = {}
        for module, fn in funcs[c]:
            by_module.setdefault(module, []).append(fn)
        for module, fnames in by_module.items():
            imports = {"from mono.common import utils", "from mono.common.db import get_session",
                       f"from mono.{cap}.models import {model}"}
            bodies = []
            for fn in fnames:
                calls = []
                for _ in range(2):
                    if services > 1 and rng.random() < cross:
                        other = rng.choice([o for o in range(services) if o != c])
                        om, of = rng.choice(funcs[other])
                        imports.add(f"from {om} import {of}")
                        calls.append(f"{of}(item_id)")
                    else:
                        om, of = rng.choice(funcs[c])
                        if om == module:
                            calls.append(f"{of}(item_id)" if of != fn else "None")
                        else:
                            alias = om.rsplit(".", 1)[1]
                            imports.add(f"from mono.{cap} import {alias}")
                            calls.append(f"{alias}.{of}(item_id)")
                writer = rng.choice(written[c]) if rng.random() < 0.3 else c
                wmodel = f"{_cap(writer).title()}Item"
                if writer != c:
                    imports.add(f"from mono.{_cap(writer)}.models import {wmodel}")
                bodies.append(
                    f"def {fn}(item_id: int) -> str:\n"
                    f"    session = get_session()\n"
                    f"    item = session.get({wmodel}, item_id)\n"
                    f"    session.add(item)\n"
                    f"    first = {calls[0]}\n"
                    f"    second = {calls[1]}\n"
                    f"    return utils.{rng.choice(helpers)}((first, second))\n"
                )
            text = "\n".join(sorted(imports)) + "\n\n\n" + "\n\n".join(bodies)
            (root / cap / f"{module.rsplit('.', 1)[1]}.py").write_text(text)
            total_lines += text.count("\n")
        first_mod, first_fn = funcs[c][0]
        views = (f"from flask import Blueprint\n\nfrom {first_mod} import {first_fn}\n\n"
                 f"bp = Blueprint(\"{cap}\", __name__, url_prefix=\"/{cap}\")\n\n\n"
                 f"@bp.route(\"/<int:item_id>\", methods=[\"GET\"])\ndef show(item_id: int):\n"
                 f"    return {first_fn}(item_id)\n")
        (pkg / "views.py").write_text(views)
        admin = (f"from {first_mod} import {first_fn}\n\n\n"
                 f"def admin_{cap}(item_id: int) -> str:\n    return {first_fn}(item_id)\n")
        (root / "admin" / f"{cap}_admin.py").write_text(admin)
        total_lines += views.count("\n") + admin.count("\n") + models.count("\n")
    lines_out = ['schema = "msa-plan/1"', ""]
    for cap in sorted(plan):
        lines_out += ["[[service]]", f'name = "{cap}"', "members = [" + ", ".join(f'"{m}"' for m in plan[cap]) + "]",
                      "entities = [" + ", ".join(f'"{e}"' for e in entities[cap]) + "]", ""]
    lines_out += ["[shared]", 'members = ["mono", "mono.common", "mono.common.db", "mono.common.utils", "mono.admin"]',
                  ""]
    (out / "intended.toml").write_text("\n".join(lines_out))
    return {"services": services, "functions": sum(len(v) for v in funcs.values()), "lines": total_lines}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--services", type=int, default=12)
    ap.add_argument("--cross", type=float, default=0.05, help="share of calls to another capability")
    ap.add_argument("--shared-writes", type=float, default=0.1, help="share of capabilities whose model another writes")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    info = generate(args.out, lines=args.lines, services=args.services, cross=args.cross, seed=args.seed,
                    shared_writes=args.shared_writes)
    print(f"wrote {args.out}: {info['lines']:,} lines, {info['functions']:,} functions, "
          f"{info['services']} planted services; truth in {args.out / 'intended.toml'}")


if __name__ == "__main__":
    main()
