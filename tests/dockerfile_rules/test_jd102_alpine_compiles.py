def test_fires_on_alpine_with_compiled_requirements(lint) -> None:
    dockerfile = """
    FROM python:3.11-alpine
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    """
    (finding,) = lint("JD102", dockerfile, {"requirements.txt": "pandas==2.2.0\nflask==3.0\n"})
    assert "pandas" in finding.message


def test_fires_on_alpine_with_build_base(lint) -> None:
    assert lint("JD102", "FROM alpine:3.19\nRUN apk add --no-cache build-base python3-dev\n")


def test_quiet_on_pure_python_alpine_and_on_slim(lint) -> None:
    assert lint("JD102", "FROM python:3.11-alpine\nRUN pip install flask\n") == []
    assert lint("JD102", "FROM python:3.11-slim\nRUN pip install pandas\n") == []


def test_reads_requirements_named_by_image_path(lint) -> None:
    dockerfile = "FROM python:3.11-alpine\nCOPY . /www\nRUN pip install -r /www/requirements.txt\n"
    assert lint("JD102", dockerfile, {"requirements.txt": "psycopg2==2.9.9\n"})
