def test_fires_on_named_packages_next_to_requirements(lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    RUN pip install -r requirements.txt
    RUN pip install gunicorn gevent
    """
    (finding,) = lint("JD301", dockerfile)
    assert finding.location.line == 3 and finding.data["packages"] == ["gunicorn", "gevent"]


def test_quiet_on_tooling_and_without_requirements(lint) -> None:
    assert (
        lint(
            "JD301",
            "FROM python:3.11-slim\nRUN pip install -r requirements.txt && pip install -U pip==24.0\n",
        )
        == []
    )
    assert lint("JD301", "FROM python:3.11-slim\nRUN pip install flask\n") == []
