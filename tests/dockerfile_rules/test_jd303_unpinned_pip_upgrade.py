def test_fires_on_unpinned_upgrade(lint) -> None:
    assert lint("JD303", "FROM python:3.11-slim\nRUN pip install --upgrade pip\n")
    assert lint("JD303", "FROM python:3.11-slim\nRUN python -m pip install -U pip setuptools\n")


def test_quiet_when_pinned_or_not_upgrading(lint) -> None:
    assert lint("JD303", "FROM python:3.11-slim\nRUN pip install --upgrade pip==24.3.1\n") == []
    assert lint("JD303", "FROM python:3.11-slim\nRUN pip install --upgrade flask\n") == []
