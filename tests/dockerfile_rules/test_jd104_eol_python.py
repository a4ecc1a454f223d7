import datetime


def test_fires_on_end_of_life_versions(lint) -> None:
    (finding,) = lint("JD104", "FROM python:3.7\n")
    assert "3.7" in finding.message and "2023-06-27" in finding.message
    assert lint("JD104", "FROM python:3.8-slim-buster\n")
    assert lint("JD104", "FROM python:2.7\n")


def test_uses_the_given_date(lint) -> None:
    assert lint("JD104", "FROM python:3.10-slim\n")  # 3.10 reached end of life on 2026-10-31
    assert lint("JD104", "FROM python:3.10-slim\n", today=datetime.date(2026, 1, 1)) == []
    assert lint("JD104", "FROM python:3.10-slim\n", today=datetime.date(2026, 11, 1))


def test_quiet_on_supported_versions_and_other_images(lint) -> None:
    assert lint("JD104", "FROM python:3.12-slim\n") == []
    assert lint("JD104", "FROM ubuntu:18.04\n") == []


def test_names_an_end_of_life_debian_too(lint) -> None:
    (finding,) = lint("JD104", "FROM python:3.8-slim-buster\n")
    assert "Python 3.8" in finding.message and "Debian buster" in finding.message
    (finding,) = lint("JD104", "FROM python:3.12-slim-bullseye\n")
    assert "Debian bullseye" in finding.message and "Python" not in finding.message
    assert lint("JD104", "FROM python:3.12-slim-bookworm\n") == []
