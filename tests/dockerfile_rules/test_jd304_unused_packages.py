DOCKERFILE = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"


def test_fires_with_the_audits_unused_set_and_size(lint) -> None:
    files = {"requirements.txt": "flask==3.0\njupyter==1.0\nmatplotlib==3.8\n"}
    (finding,) = lint("JD304", DOCKERFILE, files, unused={"jupyter": 30_000_000, "matplotlib": 40_000_000})
    assert finding.data["unused"] == ["jupyter", "matplotlib"]
    assert finding.saving.megabytes == 70


def test_quiet_when_nothing_unused_or_not_installed(lint) -> None:
    files = {"requirements.txt": "flask==3.0\n"}
    assert lint("JD304", DOCKERFILE, files) == []
    assert lint("JD304", DOCKERFILE, files, unused={"jupyter": None}) == []
