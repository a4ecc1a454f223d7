def test_fires_without_flag(lint) -> None:
    (finding,) = lint("JD205", "FROM debian:12\nRUN apt-get update && apt-get install -y libpq5\n")
    assert not finding.fix.safe  # a program may need what a package only recommends
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.content) == (2, 38, " --no-install-recommends")


def test_edit_per_install_command_as_written(fix_once) -> None:
    dockerfile = """
    FROM python:3.11-slim
    RUN apt-get update && apt-get -o Dpkg::Use-Pty=0 install -y libpq5 \\
        && apt install -y curl \\
        && apt-get install -y --no-install-recommends git
    EXPOSE 8000
    """
    fixed = fix_once("JD205", dockerfile)
    assert fixed.splitlines()[1:3] == [
        "RUN apt-get update && apt-get -o Dpkg::Use-Pty=0 install --no-install-recommends -y libpq5 \\",
        "    && apt install --no-install-recommends -y curl \\",
    ]
    assert fixed.splitlines()[3] == "    && apt-get install -y --no-install-recommends git"


def test_quiet_with_flag_or_apt_option(lint) -> None:
    assert lint("JD205", "FROM debian:12\nRUN apt-get install -y --no-install-recommends libpq5\n") == []
    assert (
        lint("JD205", "FROM debian:12\nRUN apt-get install -y -o APT::Install-Recommends=false libpq5\n")
        == []
    )
    assert lint("JD205", "FROM alpine:3\nRUN apk add curl\n") == []
