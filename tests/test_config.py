"""``[tool.msa]`` in pyproject.toml or msa.toml."""

import pytest

from analyzer.config import MsaConfig, load_config, parse_config
from analyzer.errors import ConfigError


def test_no_file_means_defaults(tmp_path):
    assert load_config(tmp_path) == MsaConfig()


def test_pyproject_without_tool_msa(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(tmp_path) == MsaConfig()


def test_reads_every_key_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.msa]\n"
        "services = 7\nalgorithm = 'agglomerative'\nseed = 3\nresolution = 1.2\n"
        "shared = ['shop.common']\nexclude = ['scripts/*']\ninclude_tests = true\ninclude_migrations = false\n"
        "together = [['shop.cart', 'shop.promotions']]\napart = [['shop.orders', 'shop.payments']]\n"
        "[tool.msa.weights]\ncall = 2\nimport = 0.1\n"
        "[tool.msa.pins]\norders = ['shop.orders', 'shop.admin.orders_admin']\n"
    )
    c = load_config(tmp_path)
    assert (c.services, c.algorithm, c.seed, c.resolution) == (7, "agglomerative", 3, 1.2)
    assert c.weights == {"call": 2.0, "import": 0.1}
    assert c.pins == {"orders": ("shop.orders", "shop.admin.orders_admin")}
    assert c.pin_map() == {"shop.orders": "orders", "shop.admin.orders_admin": "orders"}
    assert c.together == (("shop.cart", "shop.promotions"),) and c.apart == (("shop.orders", "shop.payments"),)
    assert c.shared == ("shop.common",) and c.exclude == ("scripts/*",)
    assert c.include_tests is True and c.include_migrations is False
    assert c.source.endswith("pyproject.toml [tool.msa]")


def test_msa_toml_wins_and_may_use_a_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.msa]\nservices = 2\n")
    (tmp_path / "msa.toml").write_text("services = 5\n")
    assert load_config(tmp_path).services == 5
    (tmp_path / "msa.toml").write_text("[tool.msa]\nservices = 4\n")
    assert load_config(tmp_path).services == 4


def test_every_problem_is_reported_at_once(tmp_path):
    (tmp_path / "msa.toml").write_text(
        "services = 0\nalgorithm = 'kmeans'\nseed = -1\ncolour = 'red'\nshared = 'shop.common'\n"
        "include_tests = 'yes'\ntogether = [['only-one']]\n"
        "[weights]\ntelepathy = 1\ncall = -2\n[pins]\na = ['x']\nb = ['x']\nc = 'y'\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    message = str(err.value)
    for part in (
        "msa.toml", "unknown key 'colour'", "services must be an integer >= 1", "algorithm must be one of",
        "seed must be an integer >= 0", "unknown edge kind 'telepathy'", "weights.call must be a number >= 0",
        "'x' is pinned to both 'a' and 'b'", "pins.c must be a list", "shared must be a list",
        "include_tests must be true or false", "every group needs at least two members",
    ):
        assert part in message
    assert "\n" not in message


def test_malformed_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.msa\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_config(tmp_path)


def test_tool_msa_must_be_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool]\nmsa = 3\n")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_parse_config_directly():
    assert parse_config({"services": 2}).services == 2
    with pytest.raises(ConfigError, match="resolution must be a number > 0"):
        parse_config({"resolution": 0})
