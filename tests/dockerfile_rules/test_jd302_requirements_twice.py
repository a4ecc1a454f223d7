def test_fires_on_same_file_twice(lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    RUN pip install -r requirements.txt
    RUN pip install -r ./requirements.txt
    """
    (finding,) = lint("JD302", dockerfile)
    assert finding.location.line == 3


def test_fires_on_package_already_in_the_file(lint) -> None:
    dockerfile = "FROM python:3.11-slim\nRUN pip install -r requirements.txt\nRUN pip install flask\n"
    (finding,) = lint("JD302", dockerfile, {"requirements.txt": "Flask==3.0.0\n"})
    assert "flask" in finding.message


def test_quiet_on_distinct_installs(lint) -> None:
    dockerfile = "FROM python:3.11-slim\nRUN pip install -r requirements.txt\nRUN pip install gunicorn\n"
    assert lint("JD302", dockerfile, {"requirements.txt": "flask==3.0\n"}) == []
