"""[tool.jettison] configuration."""

from __future__ import annotations

import pytest

from jettison.errors import JettisonError
from jettison.model.findings import Severity
from jettison.project.config import load_config


def test_reads_pyproject_table(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.jettison]\nignore = ["JD205"]\nfail-on = "warning"\nkill-grace = 10\n'
        'exclude = ["legacy/*"]\n\n[tool.jettison.severity]\nJD603 = "error"\n\n'
        '[tool.jettison.budgets]\nsize = "200MB"\n'
    )
    config = load_config(tmp_path)
    assert config.ignore == {"JD205"} and config.fail_on == Severity.WARNING
    assert config.kill_grace == 10 and config.exclude == ("legacy/*",)
    assert config.severity == {"JD603": Severity.ERROR}
    assert config.section("budgets") == {"size": "200MB"}


def test_jettison_toml_wins_and_defaults_apply(tmp_path) -> None:
    assert load_config(tmp_path).kill_grace == 30
    (tmp_path / "pyproject.toml").write_text("[tool.jettison]\nkill-grace = 10\n")
    (tmp_path / "jettison.toml").write_text("kill-grace = 20\n")
    assert load_config(tmp_path).kill_grace == 20


def test_bad_toml_names_file_and_line(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.jettison]\nignore = [JD1]\n')
    with pytest.raises(JettisonError) as error:
        load_config(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'pyproject.toml'}:4: invalid TOML")


def test_bad_values_name_the_key_line(tmp_path) -> None:
    (tmp_path / "jettison.toml").write_text('ignore = ["JD1"]\nfail-on = "fatal"\n')
    with pytest.raises(JettisonError, match=r"jettison.toml:2: .*fail-on"):
        load_config(tmp_path)
