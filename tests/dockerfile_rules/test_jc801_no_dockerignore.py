DOCKERFILE = "FROM python:3.11-slim\nCOPY . /app\n"


def test_fires_when_context_holds_noise(lint) -> None:
    files = {
        "main.py": "x",
        ".git/HEAD": "ref",
        ".env": "A=1",
        "venv/pyvenv.cfg": "home",
        "venv/bin/python": "x",
        "pkg/__pycache__/m.cpython-311.pyc": "x",
        "data/events.csv": "a,b\n" * 1000,
    }
    (finding,) = lint("JC801", DOCKERFILE, files)
    assert set(finding.data) == {".git", ".env", "virtualenv", "__pycache__", "data files"}
    assert finding.location.line == 2


def test_quiet_with_dockerignore_or_clean_context(lint) -> None:
    assert lint("JC801", DOCKERFILE, {"main.py": "x", ".git/HEAD": "x", ".dockerignore": ".git\n"}) == []
    assert lint("JC801", DOCKERFILE, {"main.py": "x", "requirements.txt": "flask\n"}) == []
