import pytest


def test_fires_on_shell_form_cmd_with_safe_exec_fix(lint) -> None:
    (finding,) = lint("JD601", "FROM python:3.11-slim\nCMD gunicorn -w 2 main:app\n")
    assert finding.fix.safe
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.end_column) == (2, 5, 27)
    assert edit.content == '["gunicorn", "-w", "2", "main:app"]'


def test_edit_keeps_everything_but_the_arguments(fix_once) -> None:
    dockerfile = """
    FROM python:3.11-slim
    # serve
    cmd  exec gunicorn \\
        --bind 0.0.0.0:8000 main:app
    LABEL x=y
    """
    fixed = fix_once("JD601", dockerfile)
    assert fixed == (
        'FROM python:3.11-slim\n# serve\ncmd  ["gunicorn", "--bind", "0.0.0.0:8000", "main:app"]\nLABEL x=y\n'
    )


@pytest.mark.parametrize(
    "command",
    [
        "gunicorn -b 0.0.0.0:$PORT main:app",
        "gunicorn main:app 2>&1 | tee log",
        "gunicorn 'main:create_app()'",
        "python -m app *.py",
        "FLASK_ENV=prod flask run",
        "cd /app && gunicorn main:app",
        ". venv/bin/activate; gunicorn main:app",
        "gunicorn main:app # the server",
        "python ~/app.py",
    ],
)
def test_no_edit_when_the_shell_does_more_than_split(lint, command: str) -> None:
    (finding,) = lint("JD601", f"FROM python:3.11-slim\nCMD {command}\n")
    assert not finding.fix.safe and finding.fix.edits == ()


def test_unsafe_under_an_exec_entrypoint_and_no_edit_for_an_entrypoint_with_cmd(lint) -> None:
    (finding,) = lint(
        "JD601", 'FROM python:3.11-slim\nENTRYPOINT ["/entrypoint.sh"]\nCMD gunicorn main:app\n'
    )
    assert not finding.fix.safe and finding.fix.edits
    (finding,) = lint("JD601", 'FROM python:3.11-slim\nENTRYPOINT gunicorn main:app\nCMD ["--reload"]\n')
    assert finding.fix.edits == ()


def test_fires_on_shell_form_entrypoint_needing_shell(lint) -> None:
    (finding,) = lint("JD601", "FROM python:3.11-slim\nENTRYPOINT gunicorn -b 0.0.0.0:$PORT main:app\n")
    assert not finding.fix.safe


def test_only_the_effective_commands_count(lint) -> None:
    assert lint("JD601", 'FROM python:3.11-slim\nCMD python old.py\nCMD ["gunicorn", "main:app"]\n') == []
    assert lint("JD601", 'FROM python:3.11-slim\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn"]\n') == []


def test_a_redundant_activation_is_dropped_for_the_exec_form(lint) -> None:
    on_path = 'FROM python:3.11-slim\nENV VIRTUAL_ENV=/venv PATH="/venv/bin:$PATH"\n'
    (finding,) = lint("JD601", on_path + "CMD . /venv/bin/activate && gunicorn -c conf.py main:app\n")
    assert finding.fix.safe and finding.fix.edits[0].content == '["gunicorn", "-c", "conf.py", "main:app"]'
    # without the ENV, activation does something: no exec form can replace it
    (finding,) = lint("JD601", "FROM python:3.11-slim\nCMD . /venv/bin/activate && gunicorn main:app\n")
    assert finding.fix.edits == ()
