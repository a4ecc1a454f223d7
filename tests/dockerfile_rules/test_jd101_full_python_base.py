def test_fires_on_full_python_final_stage(lint) -> None:
    (finding,) = lint("JD101", 'FROM python:3.11\nCMD ["python"]\n')
    assert finding.location.line == 1
    assert "python:3.11-slim" in finding.message
    assert finding.saving.megabytes == 800


def test_fires_on_debian_codename_variant(lint) -> None:
    assert lint("JD101", "FROM python:3.12-bookworm\n")


def test_quiet_on_slim_alpine_and_builder_only(lint) -> None:
    assert lint("JD101", "FROM python:3.11-slim\n") == []
    assert lint("JD101", "FROM python:3.11-alpine\n") == []
    assert lint("JD101", "FROM python:3.11 AS build\nRUN true\nFROM python:3.11-slim\n") == []
    assert lint("JD101", "FROM debian:bookworm\n") == []
