def test_fires_when_lists_stay(lint) -> None:
    (finding,) = lint("JD204", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")
    assert finding.saving.megabytes == 20


def test_quiet_when_removed_or_cache_mounted(lint) -> None:
    removed = "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    assert lint("JD204", removed) == []
    mounted = (
        "FROM debian:12\n"
        "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n"
    )
    assert lint("JD204", mounted) == []


def test_quiet_in_builder_stage(lint) -> None:
    assert (
        lint("JD204", "FROM debian:12 AS b\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\n")
        == []
    )


def test_edit_appends_the_removal_to_the_run_as_written(fix_once, lint) -> None:
    dockerfile = (
        "FROM python:3.11-slim\nRUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends libpq5   \nCOPY . /app\n"
    )
    fixed = fix_once("JD204", dockerfile)
    assert fixed == (
        "FROM python:3.11-slim\nRUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*   \n"
        "COPY . /app\n"
    )
    (finding,) = lint("JD204", dockerfile)
    assert finding.fix.safe


def test_unsafe_when_a_later_run_installs_without_update(lint) -> None:
    dockerfile = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\n"
    first, second = lint("JD204", dockerfile)
    assert not first.fix.safe and first.fix.edits
    assert second.fix.safe


def test_no_edit_after_a_trailing_comment_operator_or_in_a_heredoc(lint) -> None:
    for run in (
        "RUN apt-get update && apt-get install -y curl # tools",
        "RUN apt-get update && apt-get install -y curl;",
        "RUN <<EOF\napt-get update\napt-get install -y curl\nEOF",
    ):
        (finding,) = lint("JD204", f"FROM debian:12\n{run}\n")
        assert finding.fix.edits == ()
