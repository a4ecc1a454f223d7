def test_fires_on_shell_form_cmd_with_safe_exec_fix(lint) -> None:
    (finding,) = lint("JD601", "FROM python:3.11-slim\nCMD gunicorn -w 2 main:app\n")
    assert finding.fix.safe and finding.fix.replacement == 'CMD ["gunicorn", "-w", "2", "main:app"]'


def test_fires_on_shell_form_entrypoint_needing_shell(lint) -> None:
    (finding,) = lint("JD601", "FROM python:3.11-slim\nENTRYPOINT gunicorn -b 0.0.0.0:$PORT main:app\n")
    assert not finding.fix.safe


def test_only_the_effective_commands_count(lint) -> None:
    assert lint("JD601", 'FROM python:3.11-slim\nCMD python old.py\nCMD ["gunicorn", "main:app"]\n') == []
    assert lint("JD601", 'FROM python:3.11-slim\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["gunicorn"]\n') == []
