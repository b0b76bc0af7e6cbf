"""One small fixture per resolution feature, each asserting the exact call-edge set."""

from __future__ import annotations

from helpers import build_tree, call_edges, front_end


def edges_of(tmp_path, files, prefix=""):
    build_tree(tmp_path, files)
    _, res = front_end(tmp_path)
    return call_edges(res, prefix), res


def test_aliases_and_module_attributes(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/util.py": "def helper():\n    pass\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "def f():\n    pass\n",
        "app.py": """
            import pkg.util
            import pkg.sub.deep as d
            from pkg.util import helper as h
            from pkg import util as u

            def main():
                pkg.util.helper()
                d.f()
                h()
                u.helper()
        """,
    })
    assert edges == {("app.main", "pkg.util.helper"), ("app.main", "pkg.sub.deep.f")}


def test_relative_star_and_reexport(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "from .services import place_order\n",
        "shop/orders/services.py": """
            from ..common.money import *
            from . import models

            def place_order():
                total()
                models.Order()
        """,
        "shop/orders/models.py": "class Order:\n    pass\n",
        "shop/common/__init__.py": "",
        "shop/common/money.py": """
            __all__ = ["total"]
            def total():
                pass
            def _private():
                pass
        """,
        "main.py": """
            from shop.orders import place_order
            def run():
                place_order()
        """,
    })
    assert edges == {
        ("shop.orders.services.place_order", "shop.common.money.total"),
        ("shop.orders.services.place_order", "shop.orders.models.Order"),
        ("main.run", "shop.orders.services.place_order"),
    }


def test_self_mro_super_and_constructors(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            class Base:
                def __init__(self, x):
                    self.x = x
                def save(self):
                    self.validate()
                def validate(self):
                    pass

            class Child(Base):
                def __init__(self):
                    super().__init__(1)
                def validate(self):
                    super().validate()

            def make():
                c = Child()
                c.save()
        """,
    })
    assert edges == {
        ("m.Base.save", "m.Base.validate"),
        ("m.Child.__init__", "m.Base.__init__"),
        ("m.Child.validate", "m.Base.validate"),
        ("m.make", "m.Child.__init__"),
        ("m.make", "m.Base.save"),
    }


def test_super_in_a_mixin_follows_the_mro_of_the_classes_it_is_mixed_into(tmp_path):
    """A mixin's ``super().method()`` reaches the class after the mixin in the MRO of each
    class that inherits it, since Python follows the instance's MRO and the mixin's own
    bases (none, ``Generic[T]``, ``Protocol``) lack the method. A class whose own bases
    define the method keeps that answer, and one on an outside base keeps the outside one."""
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            from typing import Generic, TypeVar

            from django.views import View

            T = TypeVar("T")


            class Base:
                def statement(self):
                    return 1

                def save(self):
                    pass


            class Other:
                def statement(self):
                    return 2


            class SoftDeletion:
                def statement(self):
                    return super().statement()


            class Typed(Generic[T]):
                def save(self):
                    super().save()


            class Users(SoftDeletion, Typed[int], Base):
                pass


            class Orders(SoftDeletion, Other):
                pass


            class Child(Base):
                def save(self):
                    super().save()


            class Page(View):
                def get(self, request):
                    return super().get(request)
        """,
    })
    assert edges == {
        ("m.SoftDeletion.statement", "m.Base.statement"),  # for Users
        ("m.SoftDeletion.statement", "m.Other.statement"),  # for Orders
        ("m.Typed.save", "m.Base.save"),  # Generic[T] has no save: the next class in Users' MRO
        ("m.Child.save", "m.Base.save"),
    }


def test_decorators_are_calls_from_the_enclosing_scope(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "deco.py": """
            def logged(fn):
                return fn
            def route(path):
                def wrap(fn):
                    return fn
                return wrap
        """,
        "views.py": """
            from deco import logged, route

            @logged
            def a():
                pass

            @route("/x")
            def b():
                pass
        """,
    })
    assert edges == {("views", "deco.logged"), ("views", "deco.route")}


def test_callbacks_variables_containers_and_lambdas(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            def on_done(x):
                pass
            def pay_card():
                pass
            def pay_cash():
                pass
            def run(callback, value):
                callback(value)

            HANDLERS = {"card": pay_card, "cash": pay_cash}
            STEPS = [pay_card]

            def main(method):
                run(on_done, 1)
                fn = on_done
                fn(2)
                HANDLERS[method]()
                for step in STEPS:
                    step()
                later = lambda: on_done(3)
        """,
    })
    assert edges == {
        ("m.main", "m.run"),
        ("m.run", "m.on_done"),
        ("m.main", "m.on_done"),
        ("m.main", "m.pay_card"),
        ("m.main", "m.pay_cash"),
    }


def test_returned_functions_and_instances(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            class Repo:
                def get(self):
                    pass

            def handler():
                pass

            def pick():
                return handler

            def make_repo() -> "Repo":
                return build()

            def build():
                return Repo()

            def main():
                pick()()
                make_repo().get()
        """,
    })
    assert edges == {
        ("m.main", "m.pick"),
        ("m.main", "m.handler"),
        ("m.main", "m.make_repo"),
        ("m.make_repo", "m.build"),
        ("m.build", "m.Repo"),
        ("m.main", "m.Repo.get"),
    }


def test_instances_known_from_annotations_and_attributes(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "repo.py": """
            class ProductRepository:
                def __init__(self, session):
                    self.session = session
                def get(self, pk):
                    pass
        """,
        "svc.py": """
            from typing import Optional
            from repo import ProductRepository

            class Catalog:
                def __init__(self, session):
                    self.repo = ProductRepository(session)
                def find(self, pk):
                    return self.repo.get(pk)

            def use(repo: Optional[ProductRepository], other: "ProductRepository | None"):
                repo.get(1)
                other.get(2)

            def factory() -> ProductRepository:
                ...

            def main():
                factory().get(3)
        """,
    })
    assert edges == {
        ("svc.Catalog.__init__", "repo.ProductRepository.__init__"),
        ("svc.Catalog.find", "repo.ProductRepository.get"),
        ("svc.use", "repo.ProductRepository.get"),
        ("svc.main", "svc.factory"),
        ("svc.main", "repo.ProductRepository.get"),
    }


def test_a_union_annotation_types_every_member(tmp_path):
    """``Union[Card, Transfer]`` and ``Card | Transfer | None`` hold instances of either
    class (only the first was read before); ``type[Card | Transfer]`` either class itself;
    members that name no class (``None``, ``Literal[...]``) are left out."""
    edges, _ = edges_of(tmp_path, {
        "pay.py": """
            from typing import Literal, Union

            class Card:
                def charge(self):
                    pass
                @classmethod
                def load(cls):
                    pass

            class Transfer:
                def charge(self):
                    pass
                @classmethod
                def load(cls):
                    pass

            def one(method: Union[Card, Transfer]):
                method.charge()

            def two(method: "Card | Transfer | None"):
                method.charge()

            def three(kind: type[Card | Transfer]):
                kind.load()

            def four(method: Literal["cash"] | Transfer):
                method.charge()

            def pick() -> Card | Transfer:
                ...

            def five():
                pick().charge()
        """,
    })
    both = {"pay.Card.charge", "pay.Transfer.charge"}
    assert {t for s, t in edges if s in ("pay.one", "pay.two")} == both
    assert {t for s, t in edges if s == "pay.three"} == {"pay.Card.load", "pay.Transfer.load"}
    assert {t for s, t in edges if s == "pay.four"} == {"pay.Transfer.charge"}
    assert {t for s, t in edges if s == "pay.five"} == both | {"pay.pick"}


def test_container_annotations_type_their_items(tmp_path):
    """``lines: list[Line]`` types what iterating or indexing ``lines`` gives, for a
    parameter, a class attribute, a property, a mapping's values and a function's return
    (``for line in load()``, ``load()[0]``); what a generator yields (``yield from`` too)
    is what iterating its calls gives."""
    edges, _ = edges_of(tmp_path, {
        "shop.py": """
            from typing import Iterator, Optional, Sequence

            class Line:
                def total(self):
                    pass

            class Order:
                lines: list[Line]

                def first(self):
                    return self.lines[0].total()

            class Cart:
                @property
                def lines(self) -> list[Line]:
                    return []

                def totals(self):
                    return [line.total() for line in self.lines]

            def each(lines: list[Line]):
                for line in lines:
                    line.total()
                lines.append(None)

            def by_key(index: dict[str, Line], rest: Optional[Sequence[Line]]):
                index["a"].total()
                for x in rest:
                    x.total()

            def load() -> list[Line]:
                return []

            def stream() -> Iterator[Line]:
                ...

            def use():
                for line in stream():
                    line.total()
                load()[0].total()

            def produce():
                yield Line()

            def relay():
                yield from produce()

            def consume():
                for line in produce():
                    line.total()
                for line in relay():
                    line.total()

            def untyped(lines: list):
                for line in lines:
                    line.total()
        """,
    })
    total = "shop.Line.total"
    for caller in ("shop.Order.first", "shop.Cart.totals", "shop.each", "shop.by_key", "shop.use", "shop.consume"):
        assert (caller, total) in edges, caller
    assert ("shop.untyped", total) not in edges


def test_builtin_generic_and_new_type_annotations_name_their_class(tmp_path):
    """``name: str`` annotates a string, as ``str()`` makes one; a ``NewType`` annotates
    values of the type it wraps, through NewTypes of NewTypes (polar's
    ``AsyncSession = NewType("AsyncSession", AsyncReadSession)``); a generic class given its
    parameters (``Repository[int]``, ``Select[tuple[int]]``, ``list[str]``) annotates its
    instances. ``Literal[...]`` and ``Callable[...]`` name no class."""
    build_tree(tmp_path, {
        "m.py": """
            from typing import Callable, Generic, Literal, NewType, TypeVar

            from sqlalchemy import Select
            from sqlalchemy.ext.asyncio import AsyncSession as _AsyncSession

            T = TypeVar("T")

            ReadSession = NewType("ReadSession", _AsyncSession)
            WriteSession = NewType("WriteSession", ReadSession)


            class Repository:
                pass


            UserId = NewType("UserId", int)
            Special = NewType("Special", Repository)


            def use(name: str, session: WriteSession, key: UserId, special: Special):
                name.lower()
                session.add(name)
                key.bit_length()
                special.missing()


            class Repository(Generic[T]):
                def get(self, key):
                    pass


            def generic(repo: Repository[int], statement: Select[tuple[int]], names: list[str],
                        mode: Literal["a"], hook: Callable[[], None]):
                repo.get(1)
                statement.where(True)
                names.append("x")
                mode.upper()
                hook()
        """,
    })
    _, res = front_end(tmp_path)
    targets = {rc.call.callee: set(rc.targets) for rc in res.calls if rc.call.scope == "m.use"}
    assert targets["name.lower"] == {"b:str.lower"}
    assert targets["session.add"] == {"x:sqlalchemy.ext.asyncio.AsyncSession.add"}
    assert targets["key.bit_length"] == {"b:int.bit_length"}
    assert targets["special.missing"] == set()  # a project class without it: nothing guessed
    targets = {rc.call.callee: set(rc.targets) for rc in res.calls if rc.call.scope == "m.generic"}
    assert targets["repo.get"] == {"bd:m.Repository.get"}
    assert targets["statement.where"] == {"x:sqlalchemy.Select.where"}
    assert targets["names.append"] == {"b:list.append"}
    assert targets["mode.upper"] == set() and targets["hook"] == set()  # no class: flows only, and none come


def test_a_name_rebound_from_itself_resolves_every_call_on_it(tmp_path):
    """``statement = statement.where(...)`` then ``statement = statement.order_by(...)``: the
    value of ``statement`` is computed through its own bindings, so a call on it asked
    inside that computation first met the cycle's cut (nothing). Each site is asked again
    once nothing is in progress, and every call resolves, to a library's method or to the
    project's (``builder = builder.add(...)``)."""
    build_tree(tmp_path, {
        "m.py": """
            from sqlalchemy import Select


            class Builder:
                def add(self, item):
                    return self

                def build(self):
                    return []


            def narrow(statement: Select, flag: bool) -> Select:
                if flag:
                    statement = statement.where(True)
                statement = statement.order_by(None)
                return statement.limit(1)


            def assemble(items):
                builder = Builder()
                for item in items:
                    builder = builder.add(item)
                builder = builder.add(None)
                return builder.build()
        """,
    })
    _, res = front_end(tmp_path)
    assert {rc.call.callee: set(rc.targets) for rc in res.calls if rc.call.scope == "m.narrow"} == {
        "statement.where": {"x:sqlalchemy.Select.where"},
        "statement.order_by": {"x:sqlalchemy.Select.order_by"},
        "statement.limit": {"x:sqlalchemy.Select.limit"},
    }
    assert call_edges(res, "m.assemble") == {("m.assemble", "m.Builder"), ("m.assemble", "m.Builder.add"),
                                              ("m.assemble", "m.Builder.build")}


def test_classmethod_factories_properties_and_nested_functions(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            class Gateway:
                @classmethod
                def create(cls):
                    return cls()
                @staticmethod
                def fee():
                    pass
                @property
                def client(self) -> "Client":
                    return Client()
                def charge(self):
                    self.client.send()
                    Gateway.fee()

            class Client:
                def send(self):
                    pass

            def outer():
                def inner():
                    pass
                inner()
                Gateway.create().charge()
        """,
    })
    assert edges == {
        ("m.Gateway.charge", "m.Client.send"),
        ("m.Gateway.charge", "m.Gateway.fee"),
        ("m.Gateway.client", "m.Client"),
        ("m.Gateway.create", "m.Gateway"),
        ("m.outer", "m.outer.inner"),
        ("m.outer", "m.Gateway.create"),
        ("m.outer", "m.Gateway.charge"),
    }


def test_unresolved_calls_are_counted_not_guessed(tmp_path):
    edges, res = edges_of(tmp_path, {
        "m.py": """
            import json
            def f(x):
                x.frobnicate()
                json.dumps({})
                len([])
                "".join([])
                mystery()
        """,
    })
    assert edges == set()
    assert res.stats["unresolved"] == 2
    assert res.stats["resolved_external"] == 1
    assert res.stats["resolved_builtin"] == 2
    assert set(res.unresolved) == {"x.frobnicate", "mystery"}


def test_star_parameters_are_a_tuple_and_a_dict(tmp_path):
    edges, res = edges_of(tmp_path, {
        "m.py": """
            class Handler:
                def get(self): ...
            def f(*args: Handler, **kwargs: Handler):
                kwargs.pop("a")
                kwargs.get("b")
                args.index(1)
                kwargs.frobnicate()
            f(Handler(), key=Handler())
        """,
    })
    # the annotations type the elements, not the packed parameter: no edge to Handler.get
    assert edges == {("m", "m.Handler"), ("m", "m.f")}
    assert res.stats["resolved_builtin"] == 4  # an unknown method of dict is still the builtin's
    assert res.stats["unresolved"] == 0


def test_a_function_returning_its_parameter_gives_back_this_callers_argument(tmp_path):
    """A generic helper (``def save(obj): ...; return obj``) called by two services: each
    caller gets its own value back, not every value any caller passed."""
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            class Cert:
                def touch(self): ...
            class Key:
                def touch(self): ...
            class Repo:
                def keep(self, item, note=None):
                    return item
            def save(obj, flush=True):
                return obj
            def certs():
                cert = save(Cert())
                cert.touch()
                again = Repo().keep(item=cert)
                again.touch()
            def keys():
                key = save(Key(), flush=False)
                key.touch()
        """,
    })
    assert ("m.certs", "m.Cert.touch") in edges and ("m.keys", "m.Key.touch") in edges
    assert ("m.certs", "m.Key.touch") not in edges and ("m.keys", "m.Cert.touch") not in edges


def test_inherit_and_import_edges(tmp_path):
    build_tree(tmp_path, {
        "a.py": "class A:\n    pass\n",
        "b.py": "from a import A\nclass B(A):\n    pass\n",
    })
    _, res = front_end(tmp_path)
    kinds = {(e.source, e.target, e.kind) for e in res.edges}
    assert ("b.B", "a.A", "inherit") in kinds
    assert ("b", "a", "import") in kinds


def test_result_used_and_ignored_are_counted(tmp_path):
    build_tree(tmp_path, {
        "m.py": """
            def notify():
                pass
            def total():
                return 1
            def main():
                notify()
                x = total()
                return total() + x
        """,
    })
    _, res = front_end(tmp_path)
    by_target = {e.target: e for e in res.edges if e.kind == "call"}
    assert (by_target["m.notify"].used, by_target["m.notify"].ignored) == (0, 1)
    assert (by_target["m.total"].used, by_target["m.total"].ignored) == (2, 0)


def test_decorator_wrappers_are_in_the_call_graph_but_not_coupling(tmp_path):
    build_tree(tmp_path, {
        "auth.py": """
            import functools
            def login_required(fn):
                @functools.wraps(fn)
                def wrapper(*args):
                    return fn(*args)
                return wrapper
        """,
        "views.py": """
            from auth import login_required
            @login_required
            def index():
                pass
        """,
    })
    _, res = front_end(tmp_path)
    assert ("auth.login_required.wrapper", "views.index") not in call_edges(res)
    assert res.stats["decorator_wrapper_calls"] == 1
    reached = {t for rc in res.calls if rc.call.scope == "auth.login_required.wrapper" for t in rc.targets}
    assert "d:views.index" in reached


def test_a_recursive_walk_over_an_outside_structure_stays_bounded(tmp_path):
    # each call passes a longer attribute chain of an outside value: without a bound the
    # parameter's flow set grows by a factor of five a round (3,906 values here)

    build_tree(tmp_path, {"gen/__init__.py": "", "gen/types.py": """
        from pydantic import BaseModel


        def walk(ref):
            if ref is None:
                return set()
            names = set()
            names |= walk(ref.inner)
            names |= walk(ref.items)
            names |= walk(ref.value_type)
            names |= walk(ref.key_type)
            for variant in ref.variants:
                names |= walk(variant)
            return names


        def collect(doc: BaseModel):
            return walk(doc.root)
    """})
    _, res = front_end(tmp_path)
    held = res.resolver.flows[("gen.types.walk", "ref")]
    assert 0 < sum(1 for v in held if v.startswith(("x:", "xi:"))) <= 64
    assert {("gen.types.collect", "gen.types.walk"), ("gen.types.walk", "gen.types.walk")} <= call_edges(res)


def _printer_program(kinds: int) -> dict[str, str]:
    """``show(node)`` calls ``node.render()``; ``main`` hands it one instance of each of
    ``kinds`` node classes, and ``pick`` hands ``show``'s neighbour two."""
    classes = "\n".join(f"class Node{i}:\n    def render(self):\n        return {i}\n" for i in range(kinds))
    calls = "\n".join(f"    show(Node{i}())" for i in range(kinds))
    return {"draw/__init__.py": "", "draw/nodes.py": classes, "draw/show.py": f"""
from draw.nodes import {", ".join(f"Node{i}" for i in range(kinds))}


def show(node):
    return node.render()


def pick(node):
    return node.render()


def main():
{calls}
    pick(Node0())
    pick(Node1())
"""}


def test_a_parameter_handed_too_many_project_values_is_megamorphic(tmp_path, monkeypatch):
    """Past MAX_PROJECT_FLOWS values a parameter reads as no flow and passes nothing on:
    generic code (a printer's ``expr``) reaching every class's method of a name was most of
    sympy's resolution time and memory. Below the bound the flow is followed as before."""
    from analyzer import resolve

    monkeypatch.setattr(resolve, "MAX_PROJECT_FLOWS", 4)
    build_tree(tmp_path, _printer_program(6))
    _, res = front_end(tmp_path)
    edges = call_edges(res, "draw.")
    assert not {t for s, t in edges if s == "draw.show.show"}
    assert {t for s, t in edges if s == "draw.show.pick"} == {"draw.nodes.Node0.render", "draw.nodes.Node1.render"}
    assert ("draw.show.show", "node") in res.resolver.megamorphic
    assert ("draw.show.show", "node") not in res.evaluation.flows

    tree = tmp_path / "few"
    build_tree(tree, _printer_program(4))
    _, res = front_end(tree)
    assert {t for s, t in call_edges(res, "draw.") if s == "draw.show.show"} == {
        f"draw.nodes.Node{i}.render" for i in range(4)}
    assert not res.resolver.megamorphic


def test_a_partner_told_a_parameter_is_megamorphic_refuses_its_values_too(tmp_path, monkeypatch):
    """The forked partner of a round learns which parameters the merge made megamorphic
    (``None`` among the synced flows) and takes no values for them afterwards."""
    from analyzer import resolve

    monkeypatch.setattr(resolve, "MAX_PROJECT_FLOWS", 4)
    build_tree(tmp_path, _printer_program(2))
    _, res = front_end(tmp_path)
    r = res.resolver
    key = ("draw.show.show", "node")
    assert r.flows[key] and key not in r.megamorphic
    resolve._partner_turn(r, [], ("round", [(key, None, None)], False, []))
    assert key in r.megamorphic and not r.flows[key]
    r.grow_flow(key, {"i:draw.nodes.Node0"})
    assert not r.flows[key]


def test_a_set_of_values_is_asked_in_sorted_order_whatever_the_hash_seed(tmp_path):
    """Inside a cycle the memo's guard cuts the value asked second, so a set of values must
    be asked in an order of its own, not the set's, which follows the interpreter's hash
    seed: on mypy 1 % of the edges differed between two runs."""
    build_tree(tmp_path, {"m.py": "x = 1\n"})
    _, res = front_end(tmp_path)
    r = res.resolver
    asked: list[str] = []
    r.attribute = lambda value, attr: asked.append(value) or set()
    r.call_result = lambda value: asked.append(value) or set()
    values = frozenset(f"x:lib{i}.thing" for i in range(12))
    r.attribute_all(values, "name")
    assert asked == sorted(values)
    asked.clear()
    r.call_result_all(values)
    assert asked == sorted(values)


def test_a_script_folder_imports_its_siblings_bare(tmp_path):
    """``tools/`` has no ``__init__.py``: its modules are ``tools.run`` and ``tools.utils``,
    and ``run.py``, run from its folder, imports ``utils`` bare. A package's imports stay
    absolute, and a bare name the project has at its root wins."""
    edges, res = edges_of(tmp_path, {
        "tools/run.py": """
            import utils
            from helpers import clean
            def main():
                utils.prepare()
                clean()
        """,
        "tools/utils.py": "def prepare():\n    pass\n",
        "tools/helpers.py": "def clean():\n    pass\n",
        "shop/__init__.py": "",
        "shop/views.py": "import utils\ndef index():\n    utils.prepare()\n",
    })
    assert ("tools.run.main", "tools.utils.prepare") in edges and ("tools.run.main", "tools.helpers.clean") in edges
    assert not any(s == "shop.views.index" for s, _ in edges)  # shop is a package: ``utils`` is a library
    assert ("tools.run", "tools.utils", "import") in {(e.source, e.target, e.kind) for e in res.edges}


def test_a_method_making_its_own_class_gives_the_receivers_class(tmp_path):
    """Polar's ``OrganizationRepository.from_session(s)`` (a base's class method, ``return
    cls(s)`` or ``-> Self``) is an OrganizationRepository, so its own methods resolve."""
    edges, _ = edges_of(tmp_path, {
        "m.py": """
            from typing import Self

            class Base:
                def __init__(self, session):
                    self.session = session
                @classmethod
                def from_session(cls, session):
                    return cls(session)
                @classmethod
                def typed(cls, session) -> Self:
                    return make(cls, session)
                def clone(self) -> Self:
                    return make(type(self), self.session)
            def make(kind, session):
                return kind(session)
            class OrgRepo(Base):
                def by_slug(self, slug): ...
            class UserRepo(Base):
                def by_email(self, email): ...
            def orgs(session):
                OrgRepo.from_session(session).by_slug("x")
                OrgRepo.typed(session).clone().by_slug("y")
            def users(session):
                repo = UserRepo.from_session(session)
                repo.by_email("z")
        """,
    })
    assert ("m.orgs", "m.OrgRepo.by_slug") in edges and ("m.users", "m.UserRepo.by_email") in edges
    assert not {e for e in edges if e[1].startswith("typing.")}


def test_an_argument_stored_by_a_base_constructor_reaches_the_subclass_methods(tmp_path, monkeypatch):
    """``AdminNode(func=show)`` hands ``show`` up two constructors to the base, which stores
    it on ``self``; a subclass's ``render`` calls it. The flow arrives one constructor per
    round, and ``render`` (written before ``__init__``) is asked before its class's
    ``super().__init__`` passes the function on: the next round must revisit the methods of
    every subclass of the class whose method gained an argument. The same with the first
    round split in two halves (Django's template library needs both)."""
    from analyzer import forked, resolve

    files = {
        "app/__init__.py": "",
        "app/tags.py": """
            from lib.library import Inclusion

            def show():
                pass

            class AdminNode(Inclusion):
                def __init__(self, name, func):
                    super().__init__(func, name)

            def show_tag():
                return AdminNode("x", func=show)
        """,
        "lib/__init__.py": "",
        "lib/library.py": """
            class Node:
                def __init__(self, func):
                    self.func = func

            class Inclusion(Node):
                def render(self):
                    return self.func()

                def __init__(self, func, name):
                    super().__init__(func)
        """,
    }
    expected = ("lib.library.Inclusion.render", "app.tags.show")
    edges, _ = edges_of(tmp_path, files)
    assert expected in edges
    if forked.can_fork():
        monkeypatch.setattr(resolve, "FORK_SITES", 1)
        assert edges_of(tmp_path, files)[0] == edges


def test_the_slot_constructor_makes_the_edge_the_dataclass_makes():
    from analyzer.model import Edge, edge

    made = edge("a.f", "b.g", "call", 3, (4, 9), 2, 1)
    assert made == Edge("a.f", "b.g", "call", weight=3, lines=(4, 9), used=2, ignored=1)
    assert hash(made) == hash(Edge("a.f", "b.g", "call", weight=3, lines=(4, 9), used=2, ignored=1))
    assert edge("a", "b", "import", 1, ()) == Edge("a", "b", "import")


def test_the_slot_constructor_makes_the_symbol_the_dataclass_makes():
    from analyzer.model import Symbol, symbol

    param = {"name": "x", "annotation": None, "default": None, "kind": "positional"}
    fields = ("a.f", "function", "a", "f", 3, 9, "(x) -> int", (param,), "int", ("cache",), "Doc.", True)
    made = symbol(*fields)
    assert made == Symbol(*fields) and repr(made) == repr(Symbol(*fields))
    assert made.lines == 7


def test_callers_are_asked_again_only_when_a_return_may_follow_the_arguments(tmp_path):
    """A function that gains an argument in a round changes its callers' values only when
    what it returns can start from that argument. Revisiting the callers of the others was
    most of the later rounds' work on Django (half the sites asked again)."""
    _, res = edges_of(tmp_path, {
        "m.py": """
            LIMIT = 3

            def passthrough(x):
                return x.value

            def via_local(x):
                y = x
                return y

            def constant(x):
                return LIMIT

            def nothing(x):
                print(x)

            def made(x):
                return Box(x)

            class Box:
                def __init__(self, item):
                    self.item = item

                def get(self, default):
                    return self.item

                def size(self, unit):
                    return len(unit)
        """,
    })
    follows = res.resolver.return_may_follow
    assert follows("m.passthrough") and follows("m.via_local") and follows("m.Box.get")
    assert not follows("m.constant") and not follows("m.nothing") and not follows("m.made")
    # ``len(unit)`` starts from a builtin: the callers keep their value whatever flows in
    assert not follows("m.Box.size")
    # a method that binds ``self.item`` from its argument: its class is asked again
    assert "m.Box.__init__" in res.resolver.stores_elsewhere
    assert "m.Box.get" not in res.resolver.stores_elsewhere


def test_super_reaches_a_builtin_or_outside_base_and_object_last(tmp_path):
    """``super().__init__`` in an ``Exception`` subclass calls a builtin, not nothing (baserow's
    64 were counted unresolved); a mixin's reaches the outside class it is mixed into; a class
    without bases reaches ``object``, unless a subclass puts a project class after it."""
    _, res = edges_of(tmp_path, {
        "m.py": """
            from rest_framework import serializers


            class NotFound(Exception):
                def __init__(self, key):
                    super().__init__(f"{key} not found")


            class Tracked(dict):
                def keys_seen(self):
                    return self.keys()


            class Strict:
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)


            class Plain:
                def __init__(self):
                    super().__init__()


            class Base:
                def __init__(self, *args, **kwargs):
                    pass


            class Mixed(Strict, Base):
                pass


            class Checked(Strict, serializers.Serializer):
                pass
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("m.NotFound.__init__", "super().__init__")] == {"b:Exception.__init__"}
    assert targets[("m.Tracked.keys_seen", "self.keys")] == {"b:dict.keys"}
    assert targets[("m.Plain.__init__", "super().__init__")] == {"b:object.__init__"}
    assert targets[("m.Strict.__init__", "super().__init__")] == {
        "bd:m.Base.__init__", "x:rest_framework.serializers.Serializer.__init__"}


def test_a_call_on_a_views_plain_request_is_a_call_into_the_framework(tmp_path):
    """``request.POST.get`` in a Django view calls Django, not nothing (3,300 of warehouse's
    4,600 unresolved calls were such calls on Pyramid's request); an annotated or rebound
    ``request`` and a project without the framework are left as they are."""
    _, res = edges_of(tmp_path, {
        "shop/__init__.py": "",
        "shop/views.py": """
            from django.shortcuts import render

            from shop.forms import Form


            def index(request):
                page = request.GET.get("page")

                def inner():
                    return request.session.flush()
                return render(request, "index.html", {"page": page, "user": request.user.get_username()})


            def typed(request: Form):
                return request.is_valid()


            def rebound(request):
                request = request.wrapped
                return request.build()
        """,
        "shop/forms.py": """
            class Form:
                def is_valid(self):
                    return True
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("shop.views.index", "request.GET.get")] == {"x:django.http.HttpRequest.GET.get"}
    assert targets[("shop.views.index", "request.user.get_username")] == {
        "x:django.http.HttpRequest.user.get_username"}
    assert targets[("shop.views.index.inner", "request.session.flush")] == {
        "x:django.http.HttpRequest.session.flush"}
    assert targets[("shop.views.typed", "request.is_valid")] == {"bd:shop.forms.Form.is_valid"}
    assert targets[("shop.views.rebound", "request.build")] == set()
    assert dict(res.unresolved) == {"request.build": 1}


def test_without_a_web_framework_a_request_parameter_is_unknown(tmp_path):
    _, res = edges_of(tmp_path, {
        "jobs.py": """
            def handle(request):
                return request.payload.decode()
        """,
    })
    assert [set(rc.targets) for rc in res.calls] == [set()]


def test_pyramids_includeme_config_is_a_configurator(tmp_path):
    _, res = edges_of(tmp_path, {
        "app/__init__.py": """
            from pyramid.view import view_config


            def includeme(config):
                config.add_route("home", "/")


            def setup(config):
                config.add_route("other", "/other")
        """,
    })
    targets = {rc.call.scope: set(rc.targets) for rc in res.calls}
    assert targets["app.includeme"] == {"x:pyramid.config.Configurator.add_route"}
    assert targets["app.setup"] == set()  # ``config`` is a Configurator in ``includeme`` only


def test_a_mixins_attribute_only_the_outside_class_it_is_mixed_into_has(tmp_path):
    """django-cms' command mixins write to ``self.stdout``, which only Django's
    ``BaseCommand`` has; a mixin calling what a project subclass defines is not guessed at."""
    _, res = edges_of(tmp_path, {
        "cmds.py": """
            from django.core.management.base import BaseCommand


            class PromptMixin:
                def ask(self, text):
                    self.stdout.write(text)
                    return self.render.apply(text)


            class Command(PromptMixin, BaseCommand):
                render = None

                def handle(self, *args, **options):
                    return self.ask("name?")


            class Standalone:
                def run(self):
                    return self.stdout.write("x")
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("cmds.PromptMixin.ask", "self.stdout.write")] == {
        "x:django.core.management.base.BaseCommand.stdout.write"}
    assert targets[("cmds.PromptMixin.ask", "self.render.apply")] == set()  # Command has ``render``
    assert targets[("cmds.Standalone.run", "self.stdout.write")] == set()  # mixed into nothing


def test_a_class_view_keeps_its_plain_request(tmp_path):
    """warehouse's Pyramid class views store ``self.request = request`` in ``__init__``."""
    _, res = edges_of(tmp_path, {
        "views.py": """
            from pyramid.view import view_config


            class ManageViews:
                def __init__(self, project, request):
                    self.project = project
                    self.request = request
                    self.db = request.db

                @view_config(route_name="manage")
                def manage(self):
                    self.request.session.flash("saved")
                    self.db.query("Project")
                    return self.project.render()


            class Mixed:
                def __init__(self, request, other):
                    self.request = request
                    self.request = other

                def run(self):
                    return self.request.route_path("x")
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("views.ManageViews.manage", "self.request.session.flash")] == {
        "x:pyramid.request.Request.session.flash"}
    assert targets[("views.ManageViews.manage", "self.db.query")] == {"x:pyramid.request.Request.db.query"}
    assert targets[("views.ManageViews.manage", "self.project.render")] == set()
    assert targets[("views.Mixed.run", "self.request.route_path")] == set()  # bound to another too


def test_a_singleton_kept_on_its_class_by_name(tmp_path):
    """``Controller._instance = Controller()`` in a static ``instance()`` of ``Controller``
    stores an attribute of the class, as ``cls._instance = cls()`` does in a class method:
    ``Controller.instance().start()`` calls ``Controller.start`` (gns3-server: 276 more
    calls resolved). Another class's attribute stored so stays that class's business."""
    _, res = edges_of(tmp_path, {
        "m.py": """
            class Controller:
                @staticmethod
                def instance():
                    if getattr(Controller, "_instance", None) is None:
                        Controller._instance = Controller()
                    return Controller._instance

                def start(self):
                    pass


            class Config:
                @classmethod
                def instance(cls):
                    if not hasattr(cls, "_instance"):
                        cls._instance = cls()
                    return cls._instance

                def get(self, key):
                    pass


            class Other:
                def stop(self):
                    pass


            class Registry:
                def install(self):
                    Other.current = Registry()


            def run():
                Controller.instance().start()
                Config.instance().get("x")
                Other.current.stop()
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("m.run", "Controller.instance().start")] == {"bd:m.Controller.start"}
    assert targets[("m.run", "Config.instance().get")] == {"bd:m.Config.get"}
    assert targets[("m.run", "Other.current.stop")] == set()


def test_a_call_on_what_a_registry_returns_for_the_class_it_is_handed(tmp_path):
    """``registry.get_by_type(CreateTable).do()``: a method annotated to return an instance
    of the class one of its parameters is handed (``t: type[T]) -> T``, also ``Type[T]`` and
    ``T | None``) gives at each call the class passed there: ``.do`` is that class's
    (baserow: 58 such calls into its action types). A return annotated otherwise is left as
    it was."""
    _, res = edges_of(tmp_path, {
        "m.py": """
            from typing import Generic, Optional, Type, TypeVar

            T = TypeVar("T")


            class ActionType:
                def do(self):
                    pass


            class CreateTable(ActionType):
                def do(self):
                    pass


            class DeleteTable(ActionType):
                def undo(self):
                    pass


            class Registry(Generic[T]):
                def get_by_type(self, instance_type: Type[T]) -> T:
                    return self.registry[instance_type.type]

                def find(self, kind: "type[T]") -> Optional[T]:
                    return None

                def other(self, kind: type[T]) -> list[T]:
                    return []


            registry = Registry()


            def run():
                registry.get_by_type(CreateTable).do()
                registry.find(kind=DeleteTable).undo()
                registry.get_by_type(DeleteTable).do()
                registry.other(CreateTable).do()
        """,
    })
    targets = {(rc.call.scope, rc.call.callee, rc.call.line): set(rc.targets) for rc in res.calls}
    by_callee = {}
    for (scope, callee, line), t in sorted(targets.items(), key=lambda kv: kv[0][2]):
        by_callee.setdefault(callee, []).append(t)
    assert by_callee["registry.get_by_type().do"] == [{"bd:m.CreateTable.do"}, {"bd:m.ActionType.do"}]
    assert by_callee["registry.find().undo"] == [{"bd:m.DeleteTable.undo"}]
    assert by_callee["registry.other().do"] == [{"b:list.do"}]  # a list of them, as its annotation says


def test_what_django_hands_a_commands_options_a_filter_and_a_form_view(tmp_path):
    """A command's ``add_arguments(self, parser)``, a list filter's or an admin action's
    ``queryset`` and a form view's ``form``, left unannotated, are Django's (``parser.add_argument``
    was the most common unresolved call over 44 real trees, 1,678 sites); a ``parser`` in
    another function stays unknown."""
    _, res = edges_of(tmp_path, {
        "shop/__init__.py": "",
        "shop/commands.py": """
            from django.core.management.base import BaseCommand


            class Command(BaseCommand):
                def add_arguments(self, parser):
                    parser.add_argument("--dry-run", action="store_true")

                def handle(self, *args, **options):
                    pass


            def configure(parser):
                parser.add_argument("--verbose")
        """,
        "shop/admin.py": """
            from django.contrib import admin


            def archive(modeladmin, request, queryset):
                queryset.update(archived=True)


            class OrderEdit:
                def form_valid(self, form):
                    return form.cleaned_data.get("note")
        """,
    })
    targets = {(rc.call.scope, rc.call.callee): set(rc.targets) for rc in res.calls}
    assert targets[("shop.commands.Command.add_arguments", "parser.add_argument")] == {
        "x:django.core.management.base.CommandParser.add_argument"}
    assert targets[("shop.admin.archive", "queryset.update")] == {"x:django.db.models.QuerySet.update"}
    assert targets[("shop.admin.OrderEdit.form_valid", "form.cleaned_data.get")] == {
        "x:django.forms.Form.cleaned_data.get"}
    assert targets[("shop.commands.configure", "parser.add_argument")] == set()


def test_starred_unpacking_binds_the_ends_and_the_rest(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "app.py": """
            def first():
                pass
            def middle():
                pass
            def last():
                pass

            def main():
                a, *rest, z = first, middle, middle, last
                a()
                rest[0]()
                z()
        """,
    })
    assert edges == {("app.main", "app.first"), ("app.main", "app.middle"), ("app.main", "app.last")}


def test_iterating_a_project_object_calls_its_iteration_methods(tmp_path):
    # ``for x in obj`` calls ``obj.__iter__`` and the iterator's ``__next__``, and ``x`` is
    # what ``__next__`` returns (or what a generator ``__iter__`` yields)
    edges, res = edges_of(tmp_path, {
        "app.py": """
            class Row:
                def save(self):
                    pass

            class Cursor:
                def __iter__(self):
                    return self
                def __next__(self):
                    if self.done:
                        raise StopIteration
                    return Row()

            class Page:
                def __iter__(self):
                    yield Row()

            def main(rows: list):
                for row in Cursor():
                    row.save()
                for row in Page():
                    row.save()
                for item in rows:  # a builtin list: no edge, nothing unresolved
                    pass
        """,
    })
    assert edges == {("app.main", "app.Cursor"), ("app.main", "app.Page"),
                     ("app.main", "app.Cursor.__iter__"), ("app.main", "app.Cursor.__next__"),
                     ("app.main", "app.Page.__iter__"), ("app.main", "app.Row.save"),
                     ("app.Cursor.__next__", "app.Row"), ("app.Page.__iter__", "app.Row")}
    # the iterations count as no call sites, and ``raise StopIteration`` reaches no code:
    # the sites are the four constructions and the two ``row.save()``
    assert res.stats["call_sites"] == 6 and res.stats["unresolved"] == 0


def test_a_registry_filled_inside_a_function_is_the_module_s(tmp_path):
    # ``HANDLERS[name] = cls`` in a registering decorator stores into the module's dict
    edges, _ = edges_of(tmp_path, {
        "app.py": """
            HANDLERS = {}

            def register(cls):
                HANDLERS[cls.__name__] = cls
                return cls

            @register
            class Email:
                def send(self):
                    pass

            def dispatch(kind):
                HANDLERS[kind]().send()
        """,
    })
    assert ("app.dispatch", "app.Email.send") in edges


def test_builtins_that_call_back_call_the_functions_they_are_handed(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "app.py": """
            from functools import reduce

            def double(x):
                return 2 * x
            def by_name(row):
                return row.name
            def add(a, b):
                return a + b
            def unused(x):
                return x

            def main(rows):
                list(map(double, rows))
                sorted(rows, key=by_name)
                reduce(add, rows)
                print(unused)  # handed to a builtin that does not call it
        """,
    })
    assert {("app.main", "app.double"), ("app.main", "app.by_name"), ("app.main", "app.add")} <= edges
    assert ("app.main", "app.unused") not in edges


def test_a_lambda_is_a_function_to_resolution_and_its_holders_code_in_the_graph(tmp_path):
    # its parameters take the arguments it is called with, its body is what it returns; in
    # the dependency graph its calls are the def's that holds it, and it is no symbol
    edges, res = edges_of(tmp_path, {
        "app.py": """
            def notify():
                pass
            def audit():
                pass
            def run(callback):
                callback(notify)

            def main():
                run(lambda f: f())
                handler = lambda: audit()
                handler()
        """,
    })
    assert edges == {("app.main", "app.run"), ("app.main", "app.notify"), ("app.main", "app.audit"),
                     ("app.run", "app.main")}  # run calls back code that lives in main
    assert not any("<lambda" in s.id for s in res.symbols)


def test_the_call_graph_names_lambdas_as_pycg_does(tmp_path):
    from typer.testing import CliRunner

    from analyzer.cli import app

    build_tree(tmp_path, {"main.py": """
        def func1():
            pass

        x = lambda f: f()
        x(func1)

        def make():
            return lambda: func1()
    """})
    result = CliRunner().invoke(app, ["callgraph", str(tmp_path), "--no-cache"])
    assert result.exit_code == 0, result.output
    import json

    graph = json.loads(result.output)
    assert graph["main"] == ["main.<lambda1>"]
    assert graph["main.<lambda1>"] == ["main.func1"]
    assert graph["main.make.<lambda1>"] == ["main.func1"]


def test_a_call_of_what_getattr_looked_up_calls_the_members_its_name_can_be(tmp_path):
    # a literal name is an attribute; a name built at run time is every member its literal
    # parts fit (a visitor's dispatch), or the default; a module of the project looked into
    # by a name from the configuration is every public member (a plugin loader), also when
    # importlib.import_module names it
    edges, _ = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/plugins/__init__.py": """
            from .alpha import Alpha
            from .beta import Beta
        """,
        "app/plugins/alpha.py": "class Alpha:\n    def start(self):\n        pass\n",
        "app/plugins/beta.py": "class Beta:\n    def start(self):\n        pass\n",
        "app/visit.py": """
            import importlib

            from app import plugins


            class Visitor:
                def visit_call(self, node):
                    pass

                def visit_name(self, node):
                    pass

                def generic(self, node):
                    pass

                def leave(self, node):
                    pass

                def visit(self, node):
                    handler = getattr(self, f"visit_{node.kind}", self.generic)
                    handler(node)
                    getattr(self, "leave")(node)


            def load(name):
                return getattr(plugins, name)()


            def load_by_path(name):
                found = importlib.import_module("app.plugins")
                return getattr(found, name)()


            def opaque(obj, name):
                getattr(obj, name)()


            def start(name):
                plugin = getattr(plugins, name)()
                plugin.start()
        """,
    }, prefix="app.visit")
    assert edges == {
        ("app.visit.Visitor.visit", "app.visit.Visitor.visit_call"),
        ("app.visit.Visitor.visit", "app.visit.Visitor.visit_name"),
        ("app.visit.Visitor.visit", "app.visit.Visitor.generic"),
        ("app.visit.Visitor.visit", "app.visit.Visitor.leave"),
        ("app.visit.load", "app.plugins.alpha.Alpha"),
        ("app.visit.load", "app.plugins.beta.Beta"),
        ("app.visit.load_by_path", "app.plugins.alpha.Alpha"),
        ("app.visit.load_by_path", "app.plugins.beta.Beta"),
        ("app.visit.start", "app.plugins.alpha.Alpha"),
        ("app.visit.start", "app.plugins.beta.Beta"),
        ("app.visit.start", "app.plugins.alpha.Alpha.start"),  # the instance made flows on
        ("app.visit.start", "app.plugins.beta.Beta.start"),
    }


def test_a_task_sent_to_its_workers_is_a_call_of_the_task(tmp_path):
    # Celery's delay and apply_async run the decorated function on a worker; dramatiq's send
    # does on an actor; the same attribute of an undecorated function is nothing
    edges, _ = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/tasks.py": """
            import dramatiq
            from celery import shared_task


            @shared_task
            def sync(category_id):
                return category_id


            @shared_task(bind=True)
            def rebuild(self, x):
                return x


            @dramatiq.actor
            def notify(user_id):
                return user_id


            def plain(x):
                return x
        """,
        "app/views.py": """
            from app import tasks
            from app.tasks import notify, plain, sync


            def view(pk):
                sync.delay(pk)
                tasks.rebuild.apply_async(args=(pk,), countdown=3)
                notify.send(pk)
                plain.delay(pk)
        """,
    }, prefix="app.views")
    assert edges == {("app.views.view", "app.tasks.sync"), ("app.views.view", "app.tasks.rebuild"),
                     ("app.views.view", "app.tasks.notify")}


def test_a_task_sent_its_arguments_gets_them_at_its_own_parameters(tmp_path):
    # a bound task's first parameter is the task itself; apply_async and signature take the
    # task's arguments as a tuple: a call on what each parameter is handed reaches its class
    edges, res = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            class Order:
                def ship(self):
                    return self


            class Invoice:
                def send(self):
                    return self
        """,
        "app/tasks.py": """
            from celery import shared_task


            @shared_task(bind=True)
            def ship(self, order):
                order.ship()


            @shared_task
            def bill(invoice, order):
                invoice.send()


            @shared_task(bind=True)
            def resend(self, invoice):
                invoice.send()
        """,
        "app/crypto.py": """
            def signature(payload):
                return payload
        """,
        "app/views.py": """
            from app import crypto
            from app.models import Invoice, Order
            from app.tasks import bill, resend, ship


            def view(ids):
                order, invoice = Order(), Invoice()
                ship.delay(order)
                bill.apply_async((invoice, order), countdown=3)
                resend.signature(args=(invoice,))
                bill.apply_async((*ids, order))
                crypto.signature(order)
        """,
    })
    flows = res.resolver.flows
    assert flows[("app.crypto.signature", "payload")] == {"i:app.models.Order"}  # a function of that name
    assert flows[("app.tasks.ship", "order")] == {"i:app.models.Order"}
    assert not flows.get(("app.tasks.ship", "self"))
    assert flows[("app.tasks.bill", "invoice")] == {"i:app.models.Invoice"}
    assert flows[("app.tasks.bill", "order")] == {"i:app.models.Order"}  # not past ``*ids``
    assert flows[("app.tasks.resend", "invoice")] == {"i:app.models.Invoice"}
    assert {("app.tasks.ship", "app.models.Order.ship"), ("app.tasks.bill", "app.models.Invoice.send"),
            ("app.tasks.resend", "app.models.Invoice.send"), ("app.views.view", "app.tasks.ship"),
            ("app.views.view", "app.tasks.bill"), ("app.views.view", "app.tasks.resend")} <= edges


def test_a_celery_signature_a_canvas_sends_is_a_call_of_the_task(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/tasks.py": """
            from celery import shared_task


            @shared_task
            def fetch(url):
                return url


            @shared_task
            def store(body):
                return body


            @shared_task
            def report():
                return None
        """,
        "app/views.py": """
            from celery import chain, group

            from app.tasks import fetch, report, store


            def view(url):
                chain(fetch.s(url), store.s())()
                group([report.si()]).delay()
                fetch.signature((url,)).apply_async()
        """,
    }, prefix="app.views")
    assert edges == {("app.views.view", "app.tasks.fetch"), ("app.views.view", "app.tasks.store"),
                     ("app.views.view", "app.tasks.report")}


def test_a_function_handed_to_outside_code_that_calls_it_back_is_called(tmp_path):
    # a thread's target, an executor's or a pool's function, a commit hook, a partial, a queued
    # job, an exit handler: the caller depends on the function it hands over; a function handed
    # as data (an argument of the job) is no call
    edges, _ = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/work.py": """
            def work(x):
                return x


            def notify(x):
                return x


            def cleanup():
                pass


            def unused():
                pass
        """,
        "app/runs.py": """
            import asyncio
            import atexit
            import functools
            import threading
            from concurrent.futures import ThreadPoolExecutor
            from multiprocessing import Pool

            from django.db import transaction
            from fastapi import BackgroundTasks
            from rq import Queue

            from app.work import cleanup, notify, unused, work

            EXECUTOR = ThreadPoolExecutor(4)
            queue = Queue()
            atexit.register(cleanup)


            def in_thread():
                threading.Thread(target=work, args=(1,)).start()


            def in_executor():
                return EXECUTOR.submit(work, unused)


            def in_pool():
                with Pool(2) as pool:
                    return pool.map(notify, [1, 2])


            async def in_loop():
                return await asyncio.get_running_loop().run_in_executor(None, work, 1)


            def after_commit(pk):
                transaction.on_commit(functools.partial(notify, pk))


            def queued(pk):
                queue.enqueue(notify, pk)


            def endpoint(background_tasks: BackgroundTasks):
                background_tasks.add_task(work, 2)


            def as_data():
                threading.Thread(target=print, args=(unused,))
        """,
    }, prefix="app.runs")
    assert edges == {
        ("app.runs", "app.work.cleanup"),
        ("app.runs.in_thread", "app.work.work"),
        ("app.runs.in_executor", "app.work.work"),
        ("app.runs.in_pool", "app.work.notify"),
        ("app.runs.in_loop", "app.work.work"),
        ("app.runs.after_commit", "app.work.notify"),
        ("app.runs.queued", "app.work.notify"),
        ("app.runs.endpoint", "app.work.work"),
    }


def test_what_a_list_is_given_by_append_insert_extend_or_a_comprehension_are_its_items(tmp_path):
    edges, _ = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/jobs.py": """
            class Email:
                def run(self):
                    pass


            class Sms:
                def run(self):
                    pass


            class Push:
                def run(self):
                    pass


            class Queue:
                def __init__(self):
                    self.pending = []

                def put(self, job):
                    self.pending.append(job)

                def drain(self):
                    for job in self.pending:
                        job.run()


            def run_all():
                queue = Queue()
                jobs = []
                jobs.append(Email())
                jobs.insert(0, Sms())
                for job in jobs:
                    job.run()
                queue.put(Push())
                pushes = [Push() for _ in range(3)]
                more = []
                more.extend(pushes)
                more[0].run()
        """,
    }, prefix="app.jobs")
    assert {("app.jobs.run_all", "app.jobs.Email.run"), ("app.jobs.run_all", "app.jobs.Sms.run"),
            ("app.jobs.run_all", "app.jobs.Push.run"), ("app.jobs.Queue.drain", "app.jobs.Push.run")} <= edges


def test_printf_style_names_find_members_and_modules(tmp_path):
    # ``"clean_%s" % field`` is a name built at run time like an f-string; a plugin module
    # found by ``import_module("%s.admin" % app.name)`` is any project module it fits, and
    # the extension class looked up there by a literal name is made and called
    edges, _ = edges_of(tmp_path, {
        "site/__init__.py": "",
        "site/blog/__init__.py": "",
        "site/blog/admin.py": """
            class AdminExtension:
                def register(self, registry):
                    registry.add("blog")
        """,
        "site/shop/__init__.py": "",
        "site/shop/admin.py": """
            class AdminExtension:
                def register(self, registry):
                    registry.add("shop")
        """,
        "site/registry.py": """
            class Registry:
                def add(self, name):
                    pass
        """,
        "site/discover.py": """
            from importlib import import_module

            from site.registry import Registry


            def discover(apps):
                registry = Registry()
                for app in apps:
                    module = import_module("%s.admin" % app.name)
                    extension = getattr(module, "AdminExtension")()
                    extension.register(registry)


            class Form:
                def clean_name(self):
                    pass

                def clean_email(self):
                    pass

                def clean(self, field):
                    return getattr(self, "clean_%s" % field)()
        """,
    })
    assert {
        ("site.discover.discover", "site.blog.admin.AdminExtension.register"),
        ("site.discover.discover", "site.shop.admin.AdminExtension.register"),
        ("site.blog.admin.AdminExtension.register", "site.registry.Registry.add"),
        ("site.shop.admin.AdminExtension.register", "site.registry.Registry.add"),
        ("site.discover.Form.clean", "site.discover.Form.clean_name"),
        ("site.discover.Form.clean", "site.discover.Form.clean_email"),
    } <= edges
