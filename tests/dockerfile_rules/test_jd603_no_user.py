def test_fires_without_user_or_with_root(lint) -> None:
    assert lint("JD603", 'FROM python:3.11-slim\nCMD ["python"]\n')
    assert lint("JD603", "FROM python:3.11-slim\nUSER app\nRUN x\nUSER root\n")


def test_quiet_with_non_root_user_even_inherited(lint) -> None:
    assert lint("JD603", "FROM python:3.11-slim\nRUN useradd app\nUSER app\n") == []
    assert lint("JD603", 'FROM python:3.11-slim AS base\nUSER 10001\nFROM base\nCMD ["x"]\n') == []


def test_quiet_on_nonroot_base(lint) -> None:
    assert lint("JD603", "FROM gcr.io/distroless/python3-debian12:nonroot\n") == []
