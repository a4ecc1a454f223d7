def test_fires_on_literal_w(lint) -> None:
    (finding,) = lint("JD702", 'FROM python:3.11-slim\nCMD ["gunicorn", "-w", "4", "main:app"]\n')
    assert "-w 4" in finding.message
    assert lint("JD702", "FROM python:3.11-slim\nCMD gunicorn --workers=4 main:app\n")


def test_fires_in_entrypoint_script(lint) -> None:
    dockerfile = 'FROM python:3.11-slim\nCOPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\n'
    (finding,) = lint("JD702", dockerfile, {"entrypoint.sh": "#!/bin/sh\nexec gunicorn -w 3 main:app\n"})
    assert finding.location.path == "entrypoint.sh"


def test_quiet_with_variable_or_config(lint) -> None:
    assert lint("JD702", 'FROM python:3.11-slim\nCMD gunicorn -w "$WEB_CONCURRENCY" main:app\n') == []
    assert (
        lint("JD702", 'FROM python:3.11-slim\nCMD ["gunicorn", "-c", "gunicorn.conf.py", "main:app"]\n') == []
    )
