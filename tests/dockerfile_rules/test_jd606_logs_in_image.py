def test_fires_on_log_files_in_config_and_command(lint) -> None:
    config = "accesslog = '/var/log/app/access.log'\nerrorlog = '-'\n"
    (finding,) = lint(
        "JD606",
        'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n',
        {"gunicorn.conf.py": config},
    )
    assert finding.location.path == "gunicorn.conf.py" and finding.location.line == 1
    assert lint("JD606", "FROM python:3.11-slim\nCMD gunicorn --access-logfile /var/log/a.log main:app\n")
    assert lint("JD606", "FROM python:3.11-slim\nCMD python app.py >> /var/log/app.log 2>&1\n")


def test_quiet_on_stdout(lint) -> None:
    assert lint("JD606", "FROM python:3.11-slim\nCMD gunicorn --access-logfile - main:app\n") == []
    config = "accesslog = '-'\nerrorlog = '-'\n"
    assert (
        lint(
            "JD606",
            'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "main:app"]\n',
            {"gunicorn.conf.py": config},
        )
        == []
    )
