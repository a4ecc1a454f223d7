def test_fires_on_self_referencing_arg(lint) -> None:
    (finding,) = lint(
        "JD501", "FROM python:3.11-slim\nARG PORT ${PORT}\nCMD gunicorn -b 0.0.0.0:$PORT app:app\n"
    )
    assert finding.location.line == 2 and "ENV PORT" in finding.message


def test_fires_when_only_the_entrypoint_script_reads_it(lint) -> None:
    dockerfile = 'FROM python:3.11-slim\nARG WORKERS=4\nCOPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\n'
    files = {"entrypoint.sh": '#!/bin/sh\nexec gunicorn -w "$WORKERS" app:app\n'}
    (finding,) = lint("JD501", dockerfile, files)
    assert "entrypoint.sh" in finding.message


def test_quiet_when_env_carries_it_or_build_only(lint) -> None:
    assert (
        lint(
            "JD501", 'FROM python:3.11-slim\nARG PORT=8000\nENV PORT=$PORT\nCMD ["sh", "-c", "echo $PORT"]\n'
        )
        == []
    )
    assert lint("JD501", "FROM python:3.11-slim\nARG VERSION=1\nRUN echo $VERSION\n") == []
