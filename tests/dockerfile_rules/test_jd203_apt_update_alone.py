def test_fires_on_update_in_its_own_run(lint) -> None:
    (finding,) = lint("JD203", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n")
    assert finding.location.line == 2


def test_quiet_when_update_and_install_share_a_run(lint) -> None:
    assert lint("JD203", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n") == []
