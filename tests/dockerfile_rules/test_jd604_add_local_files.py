import gzip


def test_fires_on_add_of_local_dir_with_copy_fix(fix_once, lint) -> None:
    files = {"src/app.py": "", "src/data.bin": b"\x00\x01"}
    (finding,) = lint("JD604", "FROM python:3.7\nADD ./src /www\n", files)
    assert finding.fix.safe
    assert fix_once("JD604", "FROM python:3.7\nADD --chown=app ./src /www\n", files) == (
        "FROM python:3.7\nCOPY --chown=app ./src /www\n"
    )


def test_unsafe_when_a_source_may_be_an_archive_add_unpacks(lint) -> None:
    files = {"vendor.bin": gzip.compress(b"x")}
    (finding,) = lint("JD604", "FROM python:3.7\nADD vendor.bin /opt/\n", files)
    assert finding.fix.edits and not finding.fix.safe
    (finding,) = lint("JD604", "FROM python:3.7\nADD src /www\n")  # the context is not known
    assert not finding.fix.safe
    (finding,) = lint("JD604", "FROM python:3.7\nADD --keep-git-dir=true src /www\n", {"src/a": ""})
    assert finding.fix.edits == ()


def test_quiet_on_archives_urls_and_copy(lint) -> None:
    assert lint("JD604", "FROM python:3.7\nADD rootfs.tar.gz /\n") == []
    assert lint("JD604", "FROM python:3.7\nADD https://example.org/x.txt /x\n") == []
    assert lint("JD604", "FROM python:3.7\nCOPY src /www\n") == []
