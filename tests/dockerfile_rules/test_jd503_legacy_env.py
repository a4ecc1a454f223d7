def test_fires_on_space_form_with_safe_fix(lint) -> None:
    (finding,) = lint("JD503", "FROM python:3.11-slim\nENV APP_HOME /www\n")
    assert finding.fix.safe and finding.fix.replacement == "ENV APP_HOME=/www"


def test_quotes_values_with_spaces(lint) -> None:
    (finding,) = lint("JD503", "FROM python:3.11-slim\nENV GREETING hello world\n")
    assert finding.fix.replacement == "ENV GREETING='hello world'"


def test_quiet_on_equals_form(lint) -> None:
    assert lint("JD503", "FROM python:3.11-slim\nENV A=1 B=2\n") == []
