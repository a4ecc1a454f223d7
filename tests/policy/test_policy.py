"""The policy pass: pragmas, config ignores, severity overrides, threshold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jettison.model.findings import Finding, Location, Severity
from jettison.policy import apply_policy, exit_status, read_pragmas
from jettison.project.config import JettisonConfig

DOCKERFILE = """\
# jettison: ignore-file=JD103
FROM python:3.11
# why: builds need gcc here
# jettison: ignore=JD305, JD204
RUN apt-get install -y gcc
RUN apt-get install -y make
"""


def finding(rule: str, line: int, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(rule, severity, "m", Location("Dockerfile", line))


def test_pragmas_apply_to_the_next_instruction_only() -> None:
    pragmas = read_pragmas(DOCKERFILE)
    assert pragmas.file_ids == {"JD103"}
    assert pragmas.by_line == {5: {"JD305", "JD204"}}


def test_apply_policy_drops_ignored_and_overrides_severity() -> None:
    findings = [finding("JD305", 5), finding("JD305", 6), finding("JD103", 2), finding("JD603", 2)]
    config = JettisonConfig(severity={"JD603": Severity.ERROR})
    kept = apply_policy(findings, config, {"Dockerfile": DOCKERFILE}.get)
    assert [(f.rule, f.location.line, f.severity) for f in kept] == [
        ("JD305", 6, Severity.WARNING),
        ("JD603", 2, Severity.ERROR),
    ]


def test_config_ignore() -> None:
    kept = apply_policy([finding("JD101", 1)], JettisonConfig(ignore=frozenset({"JD101"})), lambda path: None)
    assert kept == []


def test_trailing_pragma_in_scripts() -> None:
    assert read_pragmas("workers = 4  # jettison: ignore=JD702\n").by_line == {1: {"JD702"}}


def test_threshold() -> None:
    findings = [finding("JD205", 1, Severity.STYLE)]
    assert exit_status(findings, JettisonConfig(fail_on=Severity.STYLE)) == 1
    assert exit_status(findings, JettisonConfig()) == 0  # the default threshold is warning, as in audit
    assert exit_status([], JettisonConfig()) == 0


def test_excluded_paths_are_dropped() -> None:
    config = JettisonConfig(exclude=("legacy", "docker/*.dev"))
    findings = [finding("JD101", 1)]
    findings.append(Finding("JD101", Severity.WARNING, "m", Location("legacy/Dockerfile", 1)))
    findings.append(Finding("JD101", Severity.WARNING, "m", Location("docker/Dockerfile.dev", 1)))
    assert [f.location.path for f in apply_policy(findings, config, lambda path: None)] == ["Dockerfile"]


@given(st.text(max_size=300))
def test_pragma_reader_never_raises(text) -> None:
    read_pragmas(text + "\n# jettison: ignore=JD101\nFROM x\n")
