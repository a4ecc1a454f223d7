def test_fires_on_untagged_and_latest(lint) -> None:
    assert len(lint("JD103", "FROM python\n")) == 1
    assert "latest" in lint("JD103", "FROM python:latest\n")[0].message


def test_quiet_on_tag_digest_stage_and_scratch(lint) -> None:
    assert lint("JD103", "FROM python:3.12-slim\n") == []
    assert lint("JD103", "FROM python@sha256:" + "a" * 64 + "\n") == []
    assert lint("JD103", "FROM python:3.12 AS base\nFROM base\n") == []
    assert lint("JD103", "FROM scratch\n") == []
    assert lint("JD103", "FROM localhost:5000/app:1.2\n") == []
