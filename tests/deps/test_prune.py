"""Pruning a requirements file: dropped lines go, everything else stays byte for byte."""

from __future__ import annotations

from jettison.deps.prune import pruned_requirements, remove_requirements
from jettison.model.audit import AuditOptions

TEXT = (
    "# Production requirements\n"
    "--index-url https://pypi.org/simple\n"
    "Flask==3.0.3  # web\n"
    "jupyter==1.0.0\n"
    "    # via -r requirements.in\n"
    "requests==2.32.3 \\\n"
    "    --hash=sha256:aaaa \\\n"
    "    --hash=sha256:bbbb\n"
    "matplotlib==3.9.0 \\\n"
    "    --hash=sha256:cccc\n"
    'pywin32==306; sys_platform == "win32"\n'
    "\n"
    "# trailing comment\n"
)


def test_remove_keeps_comments_order_hashes_and_markers(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(TEXT)
    assert remove_requirements(path, ["jupyter", "Matplotlib"]) == (
        "# Production requirements\n"
        "--index-url https://pypi.org/simple\n"
        "Flask==3.0.3  # web\n"
        "requests==2.32.3 \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        'pywin32==306; sys_platform == "win32"\n'
        "\n"
        "# trailing comment\n"
    )


def test_removing_nothing_is_the_identity(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode())
    assert remove_requirements(path, []) == TEXT.replace("\n", "\r\n")


def test_pruned_requirements_drops_exactly_the_unused(tmp_path):
    (tmp_path / "app.py").write_text("import flask\n")
    path = tmp_path / "requirements.txt"
    path.write_text("flask==3.0.3\nwerkzeug==3.0.3  # needed by flask\njupyter==1.0.0\n")
    text = pruned_requirements(tmp_path, path, AuditOptions(offline=True, cache=tmp_path / "cache"))
    assert text == "flask==3.0.3\nwerkzeug==3.0.3  # needed by flask\n"
