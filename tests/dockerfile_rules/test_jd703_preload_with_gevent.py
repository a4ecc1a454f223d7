def test_fires_on_preload_with_gevent(lint) -> None:
    assert lint("JD703", 'FROM python:3.11-slim\nCMD ["gunicorn", "--preload", "-k", "gevent", "main:app"]\n')
    config = "preload_app = True\nworker_class = 'gevent'\n"
    dockerfile = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n'
    (finding,) = lint("JD703", dockerfile, {"gunicorn.conf.py": config})
    assert finding.location.path == "gunicorn.conf.py"


def test_quiet_without_either(lint) -> None:
    assert lint("JD703", 'FROM python:3.11-slim\nCMD ["gunicorn", "--preload", "main:app"]\n') == []
    assert lint("JD703", 'FROM python:3.11-slim\nCMD ["gunicorn", "-k", "gevent", "main:app"]\n') == []
