"""Finding the context file behind an image path (entrypoint scripts, gunicorn.conf.py)."""

from __future__ import annotations

import pytest

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import build_model
from jettison.dockerfile.runtime import _context_path_for, parse_gunicorn

FILES = {"src/entrypoint.sh": "x", "docker/run.sh": "y", "entrypoint.sh": "z", "src/app/main.py": "m"}


@pytest.mark.parametrize(
    ("dockerfile", "image_path", "context_path"),
    [
        ("FROM x\nADD ./src /www\n", "/www/entrypoint.sh", "src/entrypoint.sh"),
        ("FROM x\nWORKDIR /www\nCOPY src/ .\n", "./entrypoint.sh", "src/entrypoint.sh"),
        ("FROM x\nCOPY docker/run.sh /usr/local/bin/start\n", "/usr/local/bin/start", "docker/run.sh"),
        ("FROM x\nCOPY docker/run.sh entrypoint.sh /bin/\n", "/bin/run.sh", "docker/run.sh"),
        ("FROM x\nCOPY . /app\nWORKDIR /app\n", "docker/run.sh", "docker/run.sh"),
        ("FROM x\nCOPY . /app\n", "/usr/bin/entrypoint.sh", "entrypoint.sh"),  # fallback: by name
    ],
)
def test_image_path_maps_back_to_the_context(parse_dockerfile, dockerfile, image_path, context_path) -> None:
    model = build_model(parse_dockerfile(dockerfile))
    assert (
        _context_path_for(model, model.final_stage, image_path, ProjectFacts.from_mapping(FILES))
        == context_path
    )


def test_gunicorn_command_lines() -> None:
    assert parse_gunicorn(["gunicorn", "-w", "4", "-k", "gevent", "--preload", "main:app"]) == {
        "workers": "4", "worker_class": "gevent", "preload_app": "true", "app": "main:app",
    }  # fmt: skip
    assert parse_gunicorn(["python", "-m", "gunicorn", "--workers=2", "-c", "conf.py", "a:b"]) == {
        "workers": "2", "config": "conf.py", "app": "a:b",
    }  # fmt: skip
    assert parse_gunicorn(["uvicorn", "main:app"]) is None


def test_env_forms_as_buildkit_parses_them(parse_dockerfile) -> None:
    text = 'FROM x\nENV A="x y" B=2\nENV LEGACY some value\nLABEL l=$A-$B-$LEGACY\n'
    model = build_model(parse_dockerfile(text))
    stage = model.final_stage
    assert [(e.name, e.value) for e in stage.envs] == [("A", "x y"), ("B", "2"), ("LEGACY", "some value")]
    assert stage.steps[-1].expansion.value == "l=x y-2-some value"
