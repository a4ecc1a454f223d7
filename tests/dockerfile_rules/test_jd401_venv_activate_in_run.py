def test_fires_on_sourced_and_executed_activate(lint) -> None:
    assert lint("JD401", "FROM python:3.7\nRUN python -m venv venv\nRUN . venv/bin/activate\n")
    (finding,) = lint("JD401", "FROM python:3.7\nRUN ./venv/bin/activate\n")
    assert "does nothing" in finding.message
    assert lint("JD401", "FROM python:3.7\nRUN source /opt/venv/bin/activate && pip install flask\n")


def test_quiet_with_env_path(lint) -> None:
    assert lint("JD401", 'FROM python:3.11\nRUN python -m venv /v\nENV PATH="/v/bin:$PATH"\n') == []
