def test_fires_when_gunicorn_has_no_worker_tmp_dir(lint) -> None:
    assert lint("JD704", 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n')


def test_quiet_with_dev_shm_or_without_gunicorn(lint) -> None:
    assert (
        lint("JD704", 'FROM python:3.11-slim\nCMD ["gunicorn", "--worker-tmp-dir", "/dev/shm", "main:app"]\n')
        == []
    )
    dockerfile = 'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n'
    assert lint("JD704", dockerfile, {"gunicorn.conf.py": "worker_tmp_dir = '/dev/shm'\n"}) == []
    assert lint("JD704", 'FROM python:3.11-slim\nCMD ["python", "app.py"]\n') == []
