def test_fires_on_expose_of_arg(lint) -> None:
    (finding,) = lint("JD605", "FROM python:3.11-slim\nARG PORT=8000\nEXPOSE $PORT\n")
    assert "ENV PORT" in finding.message


def test_quiet_on_env_or_literal(lint) -> None:
    assert lint("JD605", "FROM python:3.11-slim\nARG PORT=8000\nENV PORT=$PORT\nEXPOSE $PORT\n") == []
    assert lint("JD605", "FROM python:3.11-slim\nEXPOSE 8000\n") == []
