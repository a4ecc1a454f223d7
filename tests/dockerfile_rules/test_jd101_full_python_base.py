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


def test_edit_retags_the_base_as_written(fix_once, lint) -> None:
    (finding,) = lint("JD101", "FROM python:3.11\n")
    assert not finding.fix.safe  # slim has no compilers or -dev libraries
    cases = {
        "FROM python:3.11 AS app\n": "FROM python:3.11-slim AS app\n",
        "FROM --platform=linux/amd64 docker.io/library/python:3.12-bookworm\n": (
            "FROM --platform=linux/amd64 docker.io/library/python:3.12-slim-bookworm\n"
        ),
        "FROM docker.io/python:3.11@sha256:" + "0" * 64 + "\n": "FROM docker.io/python:3.11-slim\n",
        "FROM python\n": "FROM python:slim\n",
        "from python:bookworm\n": "from python:slim-bookworm\n",
    }
    for dockerfile, expected in cases.items():
        assert fix_once("JD101", dockerfile + 'CMD ["python"]\n') == expected + 'CMD ["python"]\n'


def test_edit_keeps_a_child_stage_and_skips_an_arg_base(fix_once, lint) -> None:
    fixed = fix_once("JD101", "FROM python:3.11 AS base\nRUN true\nFROM base\nCMD x\n")
    assert fixed == "FROM python:3.11-slim AS base\nRUN true\nFROM base\nCMD x\n"
    (finding,) = lint("JD101", "ARG BASE=python:3.11\nFROM $BASE\n")
    assert finding.fix.edits == ()
