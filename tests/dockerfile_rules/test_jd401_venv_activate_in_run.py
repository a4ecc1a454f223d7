def test_fires_on_sourced_and_executed_activate(lint) -> None:
    assert lint("JD401", "FROM python:3.7\nRUN python -m venv venv\nRUN . venv/bin/activate\n")
    (finding,) = lint("JD401", "FROM python:3.7\nRUN ./venv/bin/activate\n")
    assert "does nothing" in finding.message
    assert lint("JD401", "FROM python:3.7\nRUN source /opt/venv/bin/activate && pip install flask\n")


def test_quiet_with_env_path(lint) -> None:
    assert lint("JD401", 'FROM python:3.11\nRUN python -m venv /v\nENV PATH="/v/bin:$PATH"\n') == []


def test_the_unsafe_edit_puts_the_venv_on_path_once_per_stage(fix_once, lint) -> None:
    dockerfile = (
        "FROM python:3.11-slim\nRUN python -m venv /venv\n"
        "RUN . /venv/bin/activate && pip install -r requirements.txt\n"
        "RUN . /venv/bin/activate && pip check\n"
    )
    findings = lint("JD401", dockerfile)
    assert [bool(f.fix.edits) for f in findings] == [True, False] and not findings[0].fix.safe
    fixed = fix_once("JD401", dockerfile, within=False)
    assert fixed.splitlines()[2] == 'ENV VIRTUAL_ENV=/venv PATH="/venv/bin:$PATH"'
    assert fixed.count("ENV VIRTUAL_ENV") == 1


def test_quiet_when_env_already_puts_the_venv_first_on_path(lint) -> None:
    dockerfile = (
        'FROM python:3.11-slim\nRUN python -m venv /venv\nENV VIRTUAL_ENV=/venv PATH="/venv/bin:$PATH"\n'
        "RUN . /venv/bin/activate && pip install -r requirements.txt\n"
    )
    assert lint("JD401", dockerfile) == []
