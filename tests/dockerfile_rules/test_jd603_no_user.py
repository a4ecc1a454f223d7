def test_fires_without_user_or_with_root(lint) -> None:
    assert lint("JD603", 'FROM python:3.11-slim\nCMD ["python"]\n')
    assert lint("JD603", "FROM python:3.11-slim\nUSER app\nRUN x\nUSER root\n")


def test_quiet_with_non_root_user_even_inherited(lint) -> None:
    assert lint("JD603", "FROM python:3.11-slim\nRUN useradd app\nUSER app\n") == []
    assert lint("JD603", 'FROM python:3.11-slim AS base\nUSER 10001\nFROM base\nCMD ["x"]\n') == []


def test_quiet_on_nonroot_base(lint) -> None:
    assert lint("JD603", "FROM gcr.io/distroless/python3-debian12:nonroot\n") == []


def test_the_unsafe_edit_adds_a_user_owning_the_workdir_above_the_command(fix_once, lint) -> None:
    dockerfile = "FROM python:3.11-slim\nWORKDIR /srv\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"
    (finding,) = lint("JD603", dockerfile)
    assert finding.fix.edits and not finding.fix.safe
    fixed = fix_once("JD603", dockerfile, within=False)
    assert fixed.splitlines()[3:6] == [
        "# JD603: an unprivileged user that owns the working directory the app may write to",
        "RUN useradd --system --uid 10001 --user-group --no-create-home app && chown -R app:app /srv",
        "USER app",
    ]
    assert fixed.endswith('CMD ["gunicorn", "app:app"]\n')


def test_the_user_tool_follows_the_base(lint) -> None:
    (alpine,) = lint("JD603", "FROM python:3.12-alpine\nCMD [\"gunicorn\", \"app:app\"]\n")
    assert "adduser -S -D -H -u 10001 -G app app" in alpine.fix.edits[0].content
    assert "chown" not in alpine.fix.edits[0].content  # the working directory is /: never chown it
    (other,) = lint("JD603", "FROM gcr.io/distroless/python3\nCMD [\"app.py\"]\n")
    assert other.fix.edits == ()
