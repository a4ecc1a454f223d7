def test_fires_on_second_declaration(lint) -> None:
    (finding,) = lint("JD502", "FROM python:3.11-slim\nARG WORKERS=2\nRUN true\nARG WORKERS=4\n")
    assert finding.location.line == 4 and "line 2" in finding.message


def test_quiet_across_stages_and_for_redeclared_globals(lint) -> None:
    assert lint("JD502", "ARG V=1\nFROM python:3.11 AS a\nARG V\nFROM python:3.11-slim\nARG V\n") == []
