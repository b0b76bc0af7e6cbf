"""A Django service holding some models of an app another service owns (babybuddy's reports
service with ``core.models.HeightPercentile``): the app stays installed there, what the models'
relations lost follows into the forms built on them, and what reads another service's model
or a stub on import is left out, so every moved module imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import build_tree, django_project, extract_planned, plan_toml, python_in

_APPS = {
    # an AppConfig the service can copy
    "copied": """
        from django.apps import AppConfig


        class CoreConfig(AppConfig):
            name = "proj.core"
            label = "core"
    """,
    # one it cannot (its ready() writes the core service's data): the app's copy is installed bare
    "bare": """
        from django.apps import AppConfig


        class CoreConfig(AppConfig):
            name = "proj.core"

            def ready(self):
                from proj.core.models import Tag

                Tag.objects.get_or_create(name="default")
    """,
}


def _monolith(root: Path, apps: str) -> Path:
    return build_tree(root, {
        **django_project(["proj.core.apps.CoreConfig", "proj.reports"], """
            DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
            ROOT_URLCONF = "proj.urls"
            TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
        """),
        "proj/urls.py": """
            from django.conf.urls.i18n import i18n_patterns
            from django.urls import include, path

            urlpatterns = i18n_patterns(
                path("core/", include(("proj.core.urls", "core"), namespace="core")),
                path("reports/", include(("proj.reports.urls", "reports"), namespace="reports")),
            )
        """,
        "proj/core/urls.py": """
            from django.urls import path

            from proj.core import views

            urlpatterns = [path("", views.home, name="home")]
        """,
        "proj/core/views.py": """
            from django.http import HttpResponse

            from proj.core.models import Child


            def home(request):
                return HttpResponse(str(Child.objects.count()))
        """,
        "proj/core/templatetags/__init__.py": "",
        "proj/core/templatetags/core_tags.py": """
            from django import template

            register = template.Library()


            @register.filter
            def shout(text: str) -> str:
                return text.upper()


            @register.filter
            def hms(seconds: int) -> str:
                return f"{seconds // 3600}h {seconds // 60 % 60}m"
        """,
        "proj/fields.py": """
            from django.db import models


            class TagsField(models.ManyToManyField):
                pass
        """,
        "proj/registry.py": """
            class Registry:
                def __init__(self):
                    self.models = {}

                def register(self, prefix, view):
                    self.models[prefix] = view.model


            registry = Registry()
        """,
        "proj/core/__init__.py": "",
        "proj/core/apps.py": _APPS[apps],
        "proj/core/models.py": """
            from django.db import models

            from proj.fields import TagsField


            class Tag(models.Model):
                name = models.CharField(max_length=20)


            class Child(models.Model):
                name = models.CharField(max_length=20)


            class Tagging(models.Model):
                tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
                percentile = models.ForeignKey("Percentile", on_delete=models.CASCADE)


            class Feeding(models.Model):
                METHODS = [("bottle", "Bottle"), ("breast", "Breast")]
                method = models.CharField(max_length=10, choices=METHODS)
                child = models.ForeignKey(Child, on_delete=models.CASCADE)


            class Measured(models.Model):
                child = models.ForeignKey(Child, on_delete=models.CASCADE)

                class Meta:
                    abstract = True


            class Percentile(Measured):
                value = models.FloatField()
                tags = TagsField(Tag, through=Tagging)


            def feedings(child_id: int) -> int:
                return Feeding.objects.filter(child_id=child_id).count()
        """,
        "proj/reports/__init__.py": "",
        "proj/reports/graphs.py": """
            from proj.core.models import Feeding, Percentile

            COLORS = {method: i for i, (method, _) in enumerate(Feeding.method.field.choices)}
            LABELS = dict(Feeding.METHODS)


            def values() -> list:
                return list(Percentile.objects.values_list("value", flat=True))


            def color(method: str) -> int:
                return COLORS[method]
        """,
        "proj/reports/forms.py": """
            from django import forms

            from proj.core import models


            class PercentileForm(forms.ModelForm):
                class Meta:
                    model = models.Percentile
                    fields = ["child", "value", "tags"]
                    labels = {"child": "Child", "tags": "Tags"}
                    field_classes = {"child": forms.ModelChoiceField}
        """,
        "proj/reports/views.py": """
            from django.http import HttpResponse
            from django.views import View

            from proj.core.models import Feeding, Percentile, feedings
            from proj.core.templatetags.core_tags import shout


            class PercentileView(View):
                def get(self, request):
                    return HttpResponse(shout(str(Percentile.objects.count() + feedings(1))))


            class Watcher:
                # a union of another service's model: the stub stands for it, the class is defined
                watched = Percentile | Feeding

                def sees(self, obj) -> bool:
                    return isinstance(obj, self.watched)


            class FeedingView(View):
                model = Feeding

                def get(self, request):
                    return HttpResponse("feedings")
        """,
        "proj/reports/urls.py": """
            from django.urls import path

            from proj.registry import registry
            from proj.reports import views

            registry.register("feedings", views.FeedingView)

            urlpatterns = [
                path("percentiles/", views.PercentileView.as_view(), name="percentiles"),
                path("feedings/", views.FeedingView.as_view(), name="feedings"),
            ]
        """,
        "plan.toml": plan_toml({"core": ["proj.core"], "reports": ["proj.reports", "proj.core.models.Percentile"]},
                               ["proj", "manage"]),
    })


@pytest.mark.parametrize("apps", sorted(_APPS))
def test_a_service_holding_models_of_another_services_app_imports_every_module(tmp_path: Path, apps: str) -> None:
    """babybuddy: 36 of its services' tests failed, among them:

    - 27: the settings dropped ``"core.apps.CoreConfig"`` (the core service's) while the
      reports service held ``core.models.HeightPercentile``: Django refused the model ("doesn't
      declare an explicit app_label"). The AppConfig is copied, or, when it cannot be, the
      app's copy is installed with Django's default config;
    - a many-to-many ``through`` another service's model (django-taggit's
      ``TaggableManager(through=Tagged)``) failed its model's class: it goes;
    - a value made on import from another service's model (``dict(Feeding.method.field.choices)``)
      is a stub;
    - ``path(..., views.UserAdd.as_view())`` and ``router.register(..., views.BMIViewSet)`` on
      a view stubbed here failed the URL module: they go;
    - a ``ModelForm`` naming the field ``child`` that became ``child_id`` (wger's forms and
      filter sets, through an abstract model's field too), or forcing a model choice field on it
      (Tandoor's ``field_classes = {"space": SafeModelChoiceField}``), failed on import;
    - wger's ``i18n_patterns(path("", include(("wger.core.urls", "core")), ...)``: the include
      of another service's URLs goes whole, not its module from the tuple (``("core",)``);
    - healthchecks: a template tag library copied in part lacked the filter a template uses;
    - Tandoor: a class whose body reads another service's model only in a union
      (``REGISTERED_CLASSES | ConnectorConfig``) was stubbed, though a stub stands for the union."""
    pytest.importorskip("django")
    out = extract_planned(_monolith(tmp_path / "mono", apps), tmp_path / "out")
    service = out / "services" / "reports"
    package = service / "reports_service"
    settings = (package / "vendor" / "proj" / "settings.py").read_text()
    if apps == "copied":
        assert '"reports_service.ported.proj.core.apps.CoreConfig"' in settings
        config = (package / "ported" / "proj" / "core" / "apps.py").read_text()
        assert 'name = "reports_service.ported.proj.core"' in config and 'label = "core"' in config
    else:
        assert '"reports_service.ported.proj.core",' in settings
    models = (package / "ported" / "proj" / "core" / "models.py").read_text()
    assert "class Percentile(Measured):" in models and "TagsField(" not in models
    assert "child_id = models.BigIntegerField(" in models
    forms = (package / "ported" / "proj" / "reports" / "forms.py").read_text()
    assert 'fields = ["child_id", "value"]' in forms and 'labels = {"child_id": "Child"}' in forms
    assert "field_classes = {}" in forms  # a model choice field on the id column failed the class
    views = (package / "ported" / "proj" / "reports" / "views.py").read_text()
    assert "class Watcher:" in views and "watched = Percentile | Feeding" in views
    urls = (package / "ported" / "proj" / "reports" / "urls.py").read_text()
    assert "views.PercentileView.as_view()" in urls
    assert "views.FeedingView" not in urls
    migration = (out / "MIGRATION.md").read_text()
    assert "calls a method of `proj.reports.views.FeedingView` on import" in migration
    assert "hands `proj.reports.views.FeedingView`" in migration
    assert "a module-level value made on import from the core service's entity `Feeding`" in migration
    # the root URL conf keeps its own patterns and leaves out the core service's include
    root_urls = (package / "vendor" / "proj" / "urls.py").read_text()
    assert 'include(("reports_service.ported.proj.reports.urls", "reports"), namespace="reports")' in root_urls
    assert "core" not in root_urls
    # a template tag library is copied with every filter, not only those code calls
    tags = (package / "ported" / "proj" / "core" / "templatetags" / "core_tags.py").read_text()
    assert "def shout(" in tags and "def hms(" in tags
    result = python_in(service, "import subprocess, sys\n"
                                "r = subprocess.run([sys.executable, '-m', 'pytest', '-q', 'tests/test_extracted.py'],"
                                " capture_output=True, text=True)\nprint(r.stdout[-3000:])")
    tail = result.stdout.strip().splitlines()[-1]
    assert "passed" in tail and "failed" not in tail and "error" not in tail, result.stdout
    # the form works on the model as the copy has it
    check = python_in(service, "import reports_service.ported\n"
                               "from reports_service.ported.proj.reports.forms import PercentileForm\n"
                               "print(sorted(PercentileForm.base_fields))\n")
    assert check.stdout.strip() == "['child_id', 'value']", check.stdout + check.stderr
    rendered = python_in(service, "import reports_service.ported\n"
                                  "from django.template import engines\n"
                                  "t = engines['django'].from_string('{% load core_tags %}{{ 3725|hms }}')\n"
                                  "print(t.render({}))\n")
    assert rendered.stdout.strip() == "1h 2m", rendered.stdout + rendered.stderr


def test_a_copy_importing_a_module_placed_otherwise_in_one_service_is_not_shared_with_it(tmp_path: Path) -> None:
    """wger's ``settings/ci.py`` (shared library) star-imports ``settings_global``, which the
    utils service owns: utils holds it in ``ported``, every other service in ``vendor`` with the
    settings. One copy of ``ci.py`` served all of them, and in utils it imported the module from
    ``vendor``, where there was none."""
    pytest.importorskip("django")
    root = build_tree(tmp_path / "mono", {
        "manage.py": "import os\n\nif __name__ == '__main__':\n"
                     "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.base')\n",
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": """
            SECRET_KEY = "test"
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "proj.core", "proj.reports"]
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}


            def secret(name: str) -> str:
                return name.upper()
        """,
        "proj/settings/ci.py": "from .base import *\n\nDEBUG = True\n",
        "proj/core/__init__.py": "",
        "proj/core/models.py": "from django.db import models\n\n\nclass Child(models.Model):\n"
                               "    name = models.CharField(max_length=20)\n",
        "proj/reports/__init__.py": "",
        "proj/reports/models.py": "from django.db import models\n\n\nclass Report(models.Model):\n"
                                  "    title = models.CharField(max_length=20)\n",
        "plan.toml": plan_toml({"core": ["proj.core", "proj.settings.base"], "reports": ["proj.reports"]},
                               ["proj", "manage"]),
    })
    out = extract_planned(root, tmp_path / "out")
    for name, tree in (("core", "ported"), ("reports", "vendor")):
        package = out / "services" / name / f"{name}_service"
        assert (package / tree / "proj" / "settings" / "base.py").is_file()
        ci = (package / "vendor" / "proj" / "settings" / "ci.py").read_text()
        assert f"from {name}_service.{tree}.proj.settings.base import *" in ci, ci
        check = python_in(out / "services" / name, f"import {name}_service.vendor.proj.settings.ci as ci\n"
                                                   "print(ci.DEBUG, ci.SECRET_KEY)\n")
        assert check.stdout.strip() == "True test", check.stdout + check.stderr


def test_a_url_converter_registered_by_another_services_module_is_registered_by_the_copy(tmp_path: Path) -> None:
    """healthchecks registers ``sha1`` in ``hc/api/urls.py``, which its root URL conf includes
    before ``hc/front/urls.py`` uses ``<sha1:unique_key>``: in the front service nothing ran
    the registration, and its URL module failed on import ("invalid converter 'sha1'")."""
    pytest.importorskip("django")
    root = build_tree(tmp_path / "mono", {
        **django_project(["proj.api", "proj.front"], 'ROOT_URLCONF = "proj.urls"\n'),
        "proj/urls.py": """
            from django.urls import include, path

            urlpatterns = [path("api/", include("proj.api.urls")), path("", include("proj.front.urls"))]
        """,
        "proj/api/__init__.py": "",
        "proj/api/views.py": "from django.http import HttpResponse\n\n\ndef check(request, code):\n"
                             "    return HttpResponse(code)\n",
        "proj/api/urls.py": """
            from django.urls import path, register_converter

            from proj.api import views


            class SHA1Converter:
                regex = "[A-z0-9]{40}"

                def to_python(self, value):
                    return value

                def to_url(self, value):
                    return value


            register_converter(SHA1Converter, "sha1")

            urlpatterns = [path("checks/<sha1:code>", views.check)]
        """,
        "proj/front/__init__.py": "",
        "proj/front/views.py": "from django.http import HttpResponse\n\n\ndef cloaked(request, key):\n"
                               "    return HttpResponse(key.upper())\n",
        "proj/front/urls.py": """
            from django.urls import path

            from proj.front import views

            urlpatterns = [path("cloaked/<sha1:key>/", views.cloaked, name="cloaked")]
        """,
        "plan.toml": plan_toml({"api": ["proj.api"], "front": ["proj.front"]}, ["proj", "manage"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "front"
    urls = (service / "front_service" / "ported" / "proj" / "front" / "urls.py").read_text()
    assert "_msa_register_converter(_msa_SHA1Converter, 'sha1')" in urls
    check = python_in(service, "import front_service.ported\n"
                               "from django.urls import resolve\n"
                               "from front_service.ported.proj.front import urls\n"
                               "print(urls.urlpatterns[0].resolve('cloaked/' + 'a' * 40 + '/').func.__name__)\n")
    assert check.stdout.strip() == "cloaked", check.stdout + check.stderr
    # the api service registers it itself, once
    api = (out / "services" / "api" / "api_service" / "ported" / "proj" / "api" / "urls.py").read_text()
    assert "_msa_register_converter" not in api and 'register_converter(SHA1Converter, "sha1")' in api
