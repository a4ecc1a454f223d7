def test_fires_on_add_of_local_dir_with_copy_fix(lint) -> None:
    (finding,) = lint("JD604", "FROM python:3.7\nADD ./src /www\n")
    assert finding.fix.safe and finding.fix.replacement == "COPY ./src /www"


def test_quiet_on_archives_urls_and_copy(lint) -> None:
    assert lint("JD604", "FROM python:3.7\nADD rootfs.tar.gz /\n") == []
    assert lint("JD604", "FROM python:3.7\nADD https://example.org/x.txt /x\n") == []
    assert lint("JD604", "FROM python:3.7\nCOPY src /www\n") == []
