def test_fires_when_python_versions_differ(lint) -> None:
    dockerfile = """
    FROM python:3.12 AS build
    RUN python -m venv /opt/venv
    FROM python:3.11-slim
    COPY --from=build /opt/venv /opt/venv
    """
    (finding,) = lint("JD403", dockerfile)
    assert finding.location.line == 4


def test_fires_from_python_image_to_debian(lint) -> None:
    dockerfile = """
    FROM python:3.11 AS b
    RUN python -m venv /venv
    FROM debian:bookworm-slim
    COPY --from=b /venv /venv
    """
    assert lint("JD403", dockerfile)


def test_quiet_on_same_python(lint) -> None:
    dockerfile = (
        "FROM python:3.11 AS b\nRUN python -m venv /venv\nFROM python:3.11-slim\nCOPY --from=b /venv /venv\n"
    )
    assert lint("JD403", dockerfile) == []
    other = "FROM python:3.12 AS b\nRUN make\nFROM python:3.11-slim\nCOPY --from=b /app/dist /dist\n"
    assert lint("JD403", other) == []
