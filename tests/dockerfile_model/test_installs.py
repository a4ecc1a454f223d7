"""Reading what a RUN installs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jettison.dockerfile.installs import analyze_script, split_commands


def test_apt_install_with_flags_and_cleanup() -> None:
    facts = analyze_script(
        "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        " && rm -rf /var/lib/apt/lists/*"
    )
    assert facts.apt_update and facts.apt_lists_removed
    (install,) = facts.system_installs
    assert install.packages == ("gcc", "libpq-dev") and install.no_install_recommends


def test_pip_spellings() -> None:
    facts = analyze_script(
        "pip install --no-cache-dir -r requirements.txt gunicorn==21.2 . ; python3 -m pip install -U pip ;"
        " /opt/venv/bin/pip install -e ./lib ; uv pip install --system -r req.txt ;"
        " pip3 --no-cache-dir install x"
    )
    first, upgrade, venv, uv, leading = facts.pip_installs
    assert first.requirement_files == ("requirements.txt",) and first.packages == ("gunicorn==21.2",)
    assert first.local == (".",) and first.no_cache_dir
    assert upgrade.upgrade and upgrade.packages == ("pip",)
    assert venv.local == ("./lib",)
    assert uv.tool == "uv" and uv.requirement_files == ("req.txt",)
    assert leading.no_cache_dir and leading.packages == ("x",)


def test_poetry_and_venv_activation() -> None:
    facts = analyze_script("python -m venv /venv && . /venv/bin/activate && poetry install --no-root")
    assert facts.venvs_created == ["/venv"]
    assert facts.activations == ["/venv/bin/activate"]
    assert facts.pip_installs[0].tool == "poetry"


def test_mounts() -> None:
    facts = analyze_script("pip install x", ["type=cache,target=/root/.cache/pip", "type=secret,id=npm"])
    assert facts.cache_mounts == ["/root/.cache/pip"] and facts.secret_mounts == ["npm"]


def test_heredoc_style_script_lines_and_comments() -> None:
    commands = split_commands("set -e\n# comment\napt-get update\nexec gunicorn app:app\n")
    assert [c.argv[0] for c in commands] == ["set", "apt-get", "gunicorn"]
    assert commands[-1].exec_


@given(st.text(max_size=80))
def test_never_raises(text) -> None:
    analyze_script(text)
