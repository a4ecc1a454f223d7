"""Property: any Dockerfile the parser accepts goes through the model and every rule without a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jettison.dockerfile.facts import ProjectFacts
from jettison.dockerfile.model import build_model
from jettison.dockerfile.rules import RULES, RuleContext
from jettison.errors import JettisonError

WORDS = [
    "python:3.7",
    "AS",
    "build",
    "$PORT",
    "${A:-x}",
    "${B:+y}",
    "--from=build",
    "--mount=type=cache,target=/x",
    "apt-get",
    "install",
    "-y",
    "pip",
    "-r",
    "requirements.txt",
    "&&",
    ".",
    "venv/bin/activate",
    "gunicorn",
    "-w",
    "4",
    "--preload",
    "-k",
    "gevent",
    '["a",',
    '"b"]',
    "A=1",
    "B",
    "'q'",
    "\\",
    "<<EOF",
    "/app",
    "./",
    "entrypoint.sh",
    "ADD",
    "|",
    ";",
    "=",
    "${",
    "$$",
    "${A",
]
KEYWORDS = [
    "FROM",
    "RUN",
    "ARG",
    "ENV",
    "COPY",
    "ADD",
    "CMD",
    "ENTRYPOINT",
    "EXPOSE",
    "USER",
    "WORKDIR",
    "LABEL",
]
line = st.builds(
    lambda k, ws: k + " " + " ".join(ws), st.sampled_from(KEYWORDS), st.lists(st.sampled_from(WORDS))
)
FILES = {
    "entrypoint.sh": "#!/bin/sh\ngunicorn app:app\n",
    "gunicorn.conf.py": "workers = 4\n",
    ".env": "A_TOKEN=x\n",
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(line, min_size=1, max_size=12))
def test_rules_never_crash(parse_dockerfile, lines) -> None:
    text = "FROM python:3.11\n" + "\n".join(lines) + "\n"
    try:
        dockerfile = parse_dockerfile(text)
    except JettisonError:
        return  # a user error, reported as file:line
    context = RuleContext(build_model(dockerfile), ProjectFacts.from_mapping(FILES, unused={"x": 1}))
    for rule in RULES:
        for finding in rule.run(context):
            assert finding.rule == rule.id and finding.message
