DOCKERFILE = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n'


def test_fires_when_longer_than_grace(lint) -> None:
    (finding,) = lint("JD705", DOCKERFILE, {"gunicorn.conf.py": "graceful_timeout = 60\n"})
    assert "60 s" in finding.message and "30 s" in finding.message
    assert lint("JD705", 'FROM python:3.11-slim\nCMD ["gunicorn", "--graceful-timeout", "45", "main:app"]\n')


def test_reads_env_default_and_configured_grace(lint) -> None:
    config = "import os\ngraceful_timeout = int(os.environ.get('GRACEFUL_TIMEOUT', '20'))\n"
    assert lint("JD705", DOCKERFILE, {"gunicorn.conf.py": config}) == []
    assert lint("JD705", DOCKERFILE, {"gunicorn.conf.py": config}, kill_grace=10.0)
    assert lint("JD705", DOCKERFILE, kill_grace=10.0)  # Gunicorn's default of 30 s against docker stop's 10 s


def test_quiet_with_default_against_default(lint) -> None:
    assert lint("JD705", DOCKERFILE) == []
