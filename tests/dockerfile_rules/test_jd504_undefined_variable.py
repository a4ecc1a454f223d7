def test_fires_on_undefined_variable_in_copy(lint) -> None:
    (finding,) = lint("JD504", "FROM python:3.11-slim\nCOPY $APP_DIR/ /app\n")
    assert finding.data["variables"] == ["APP_DIR"]


def test_quiet_on_defined_defaulted_base_env_and_run(lint) -> None:
    assert lint("JD504", "FROM python:3.11-slim\nARG APP_DIR=src\nCOPY $APP_DIR/ /app\n") == []
    assert lint("JD504", "FROM python:3.11-slim\nCOPY ${APP_DIR:-src}/ /app\n") == []
    assert lint("JD504", 'FROM python:3.11-slim\nENV PATH="/venv/bin:$PATH"\n') == []
    assert lint("JD504", "FROM python:3.11-slim\nRUN echo $UNDEFINED_IN_SHELL\n") == []
