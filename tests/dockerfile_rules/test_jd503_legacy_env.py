def test_fires_on_space_form_with_safe_fix(lint) -> None:
    (finding,) = lint("JD503", "FROM python:3.11-slim\nENV APP_HOME /www\n")
    assert finding.fix.safe
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.end_column, edit.content) == (2, 5, 18, "APP_HOME=/www")


def test_edit_quotes_values_with_blanks_in_double_quotes(fix_once) -> None:
    dockerfile = """
    FROM python:3.11-slim
    ENV GREETING hello   world
    ENV PATH /venv/bin:$PATH
    ENV OPTS --workers 2 --bind :$PORT
    USER app
    """
    fixed = fix_once("JD503", dockerfile)
    assert fixed.splitlines()[1:] == [
        'ENV GREETING="hello   world"',
        "ENV PATH=/venv/bin:$PATH",
        'ENV OPTS="--workers 2 --bind :$PORT"',
        "USER app",
    ]


def test_the_equals_form_expands_to_the_same_values(parse_dockerfile) -> None:
    from jettison.dockerfile.model import build_model
    from jettison.model.edits import apply_edits
    from tests.dockerfile_rules.conftest import run_rule

    text = "FROM python:3.11-slim\nENV A x\nENV GREETING hello   $A  world\nENV P /venv/bin:$A\nUSER app\n"
    edits = [edit for finding in run_rule("JD503", text) for edit in finding.fix.edits]
    fixed, _, _ = apply_edits(text, edits)
    before, after = build_model(parse_dockerfile(text)), build_model(parse_dockerfile(fixed))
    assert [step.env for step in before.steps()] == [step.env for step in after.steps()]
    assert list(after.steps())[-1].env["GREETING"] == "hello   x  world"


def test_no_edit_for_quotes_or_backslashes_among_blanks(lint) -> None:
    (finding,) = lint("JD503", 'FROM python:3.11-slim\nENV MSG it\'s a "test"\n')
    assert finding.fix.edits == () and not finding.fix.safe


def test_quiet_on_equals_form(lint) -> None:
    assert lint("JD503", "FROM python:3.11-slim\nENV A=1 B=2\n") == []
