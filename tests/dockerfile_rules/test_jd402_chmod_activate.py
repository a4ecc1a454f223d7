def test_fires_on_chmod_activate(lint) -> None:
    assert lint("JD402", "FROM python:3.7\nRUN chmod +x venv/bin/activate\n")


def test_quiet_on_other_chmods(lint) -> None:
    assert lint("JD402", "FROM python:3.7\nRUN chmod +x entrypoint.sh\n") == []
