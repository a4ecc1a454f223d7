def test_fires_without_flag(lint) -> None:
    (finding,) = lint("JD205", "FROM debian:12\nRUN apt-get update && apt-get install -y libpq5\n")
    assert "--no-install-recommends" in finding.fix.replacement


def test_quiet_with_flag_or_apt_option(lint) -> None:
    assert lint("JD205", "FROM debian:12\nRUN apt-get install -y --no-install-recommends libpq5\n") == []
    assert (
        lint("JD205", "FROM debian:12\nRUN apt-get install -y -o APT::Install-Recommends=false libpq5\n")
        == []
    )
    assert lint("JD205", "FROM alpine:3\nRUN apk add curl\n") == []
