def test_fires_on_secret_names_and_values(lint) -> None:
    assert lint("JD506", "FROM python:3.11-slim\nARG PYPI_TOKEN\n")
    assert lint("JD506", "FROM python:3.11-slim\nENV DB_PASSWORD=hunter2\n")
    assert lint("JD506", "FROM python:3.11-slim\nENV DATABASE_URL=postgresql://app:s3cr3t@db/app\n")
    assert lint("JD506", "FROM python:3.11-slim\nENV KEY_ID=AKIAIOSFODNN7EXAMPLE\n")


def test_quiet_on_ordinary_and_file_pointer_variables(lint) -> None:
    assert lint("JD506", "FROM python:3.11-slim\nENV PORT=8000\nARG WORKERS=2\n") == []
    assert lint("JD506", "FROM python:3.11-slim\nENV DB_PASSWORD_FILE=/run/secrets/db\n") == []
    assert lint("JD506", "FROM python:3.11-slim\nENV DATABASE_URL=postgresql://db/app\n") == []
