def test_json_report_carries_each_fix_as_its_edits(lint) -> None:
    from jettison.report.json import finding_to_json

    (finding,) = lint("JD202", "FROM python:3.11-slim\nRUN pip install flask\n")
    fix = finding_to_json(finding)["fix"]
    assert fix == {
        "description": "add --no-cache-dir",
        "safe": True,
        "edits": [
            {"path": "Dockerfile", "line": 2, "column": 16, "end_line": 2, "end_column": 16,
             "content": " --no-cache-dir"},
        ],
    }  # fmt: skip
