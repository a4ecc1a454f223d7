KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


def test_fires_on_secrets_a_copy_covers(lint) -> None:
    files = {"main.py": "x", ".env": "DATABASE_PASSWORD=hunter2\n", "deploy/id_ed25519": KEY}
    findings = lint("JC802", "FROM python:3.11-slim\nCOPY . /app\n", files)
    assert sorted(f.data["file"] for f in findings) == [".env", "deploy/id_ed25519"]


def test_quiet_when_ignored_or_not_copied(lint) -> None:
    files = {"main.py": "x", ".env": "DATABASE_PASSWORD=hunter2\n", ".dockerignore": ".env\n"}
    assert lint("JC802", "FROM python:3.11-slim\nCOPY . /app\n", files) == []
    files = {"src/main.py": "x", ".env": "DATABASE_PASSWORD=hunter2\n"}
    assert lint("JC802", "FROM python:3.11-slim\nCOPY src /app\n", files) == []
    assert (
        lint(
            "JC802", "FROM python:3.11-slim\nCOPY . /app\n", {".env.example": "DATABASE_PASSWORD=changeme\n"}
        )
        == []
    )
