"""The 39 needed pins alone run the example: installed into a fresh venv, the app serves (network).

Proves the truth file's `used + transitive` set suffices: nothing the app needs was called unused. The
check script runs in the new venv, so an import that only works thanks to the dev environment fails here.
psycopg2 becomes psycopg2-binary of the same version: the same module, prebuilt, so the test needs no
compiler or libpq headers (the Dockerfiles compile the real one); the database is SQLite, through the
same SQLAlchemy code, because the test has no PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .truth import EXAMPLE, pins, truth

pytestmark = pytest.mark.network

CHECK = textwrap.dedent(
    """
    import datetime as dt, importlib.metadata as md, sys
    sys.path.insert(0, sys.argv[1])
    from analytics.app import create_app
    from analytics import export, reports
    from analytics.config import load_settings

    app = create_app(load_settings())
    client = app.test_client()
    assert client.get("/health").status_code == 200
    assert client.post("/events", json=[{"name": ""}]).status_code == 422
    day = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    events = [{"name": n, "user_id": u, "occurred_at": day + "T10:00:00+00:00"} for n, u in
              [("signup", "a"), ("signup", "b"), ("login", "a")]]
    reply = client.post("/events", json=events)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    rows = client.get(f"/reports/daily/{day}").get_json()["rows"]
    assert rows[0] == {"day": day, "name": "signup", "events": 2, "users": 2}, rows
    now = dt.datetime.now(dt.timezone.utc)
    frame = reports.events_frame([dict(e, occurred_at=now, properties={}) for e in events])
    assert export.to_parquet(frame)[:4] == b"PAR1"
    import boto3
    boto3.client("s3", region_name="eu-west-1")  # builds the client offline: botocore's data files are there
    import gunicorn.workers.ggevent, psycopg2  # the worker class named in gunicorn.conf.py, the URL's driver
    print(len(list(md.distributions())))
    """
)


def installer() -> list[str] | None:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    return [uv] if os.access(uv, os.X_OK) else None


def test_needed_pins_alone_serve_the_app(tmp_path):
    needed = {verdict: names for verdict, names in truth().items() if verdict in ("used", "transitive")}
    pinned = pins()
    lines = []
    for name in sorted(n for names in needed.values() for n in names):
        written, version = pinned[name]
        lines.append(f"{'psycopg2-binary' if name == 'psycopg2' else written}=={version}")
    assert len(lines) == 39
    (tmp_path / "requirements.txt").write_text("\n".join(lines) + "\n")
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    env = {**os.environ, "UV_NATIVE_TLS": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    uv = installer()
    if uv:
        subprocess.run(
            [*uv, "venv", "--python", sys.executable, str(venv)], check=True, env=env, capture_output=True
        )
        install = [*uv, "pip", "install", "--python", str(python), "--only-binary", ":all:"]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(python), "-m", "pip", "install", "--isolated", "--only-binary=:all:"]
    done = subprocess.run([*install, "-r", str(tmp_path / "requirements.txt")], env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (tmp_path / "check.py").write_text(CHECK)
    run_env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite:///{tmp_path / 'events.db'}"}
    result = subprocess.run([str(python), str(tmp_path / "check.py"), str(EXAMPLE / "src")], cwd=tmp_path,
                            env=run_env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # uv's venv has no pip of its own (venv's has): exactly the 39 pinned distributions are installed.
    assert int(result.stdout.split()[-1]) == 39 + (0 if uv else 1)
