"""SARIF output validates against the official SARIF 2.1.0 schema (OASIS errata01, vendored)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from jettison.model.findings import Finding, Fix, Location, Saving, Severity
from jettison.report.sarif import render_sarif

SCHEMA = Path(__file__).parents[1] / "report_sarif" / "sarif-schema-2.1.0.json"


def test_sarif_log_is_valid_and_complete(tmp_path) -> None:
    findings = [
        Finding(
            "JD101",
            Severity.WARNING,
            "full image",
            Location("Dockerfile", 1, 1, 1),
            saving=Saving(megabytes=800),
            fix=Fix("use slim", safe=False),
            url="https://hub.docker.com/_/python",
        ),
        Finding("JD704", Severity.INFO, "tmp dir", Location("deploy/entry point.sh", 3)),
        Finding("JR101", Severity.ERROR, "unused requirement", None, data={"size": 1}),
    ]
    rules = {"JD101": {"name": "full-python-base", "summary": "s", "rationale": "r", "url": "https://x.org"}}
    log = json.loads(render_sarif(findings, tmp_path, rules))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["JD101", "JD704", "JR101"]
    results = {result["ruleId"]: result for result in run["results"]}
    assert results["JD101"]["level"] == "warning" and results["JD704"]["level"] == "note"
    assert results["JD101"]["properties"]["savingMegabytes"] == 800
    location = results["JD704"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "deploy/entry%20point.sh"
    assert location["region"] == {"startLine": 3}


def test_empty_log_is_valid() -> None:
    log = json.loads(render_sarif([]))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    assert log["runs"][0]["results"] == []
