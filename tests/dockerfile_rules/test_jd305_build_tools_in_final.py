def test_fires_on_compilers_in_final_stage(lint) -> None:
    dockerfile = "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
    (finding,) = lint("JD305", dockerfile)
    assert finding.data["packages"] == ["gcc", "libpq-dev"]
    assert "psycopg2-binary" in finding.message
    assert finding.saving.megabytes == 182


def test_quiet_in_builder_or_when_purged(lint) -> None:
    multi = """
    FROM python:3.11-slim AS build
    RUN apt-get update && apt-get install -y gcc
    FROM python:3.11-slim
    RUN apt-get update && apt-get install -y libpq5
    """
    assert lint("JD305", multi) == []
    purged = "FROM python:3.11-slim\nRUN apt-get install -y gcc && pip install x && apt-get purge -y gcc\n"
    assert lint("JD305", purged) == []
    virtual = "FROM alpine:3\nRUN apk add --virtual .build gcc musl-dev && pip install x && apk del .build\n"
    assert lint("JD305", virtual) == []
