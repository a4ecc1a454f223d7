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


def test_edit_bumps_to_the_oldest_supported_python_and_debian(fix_once, lint) -> None:
    (finding,) = lint("JD104", "FROM python:3.7\n")
    assert not finding.fix.safe  # the app or its pinned wheels may not run on the newer Python
    cases = {  # on 2026-11-29: 3.10 and bullseye are past end of life, 3.11 and bookworm are not
        "FROM python:3.7\n": "FROM python:3.11\n",
        "FROM python:3.8-slim-buster AS app\n": "FROM python:3.11-slim-bookworm AS app\n",
        "FROM docker.io/library/python:3.10.14-slim\n": "FROM docker.io/library/python:3.11-slim\n",
        "FROM python:3.12-slim-bullseye\n": "FROM python:3.12-slim-bookworm\n",
        "FROM python:3.7-alpine3.12\n": "FROM python:3.11-alpine\n",
    }
    for dockerfile, expected in cases.items():
        assert fix_once("JD104", dockerfile + "USER app\n") == expected + "USER app\n"
    assert fix_once("JD104", "FROM python:3.8\n", today=datetime.date(2025, 1, 1)) == "FROM python:3.9\n"
