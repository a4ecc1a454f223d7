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
