def test_fires_without_no_cache_dir(lint) -> None:
    (finding,) = lint("JD202", "FROM python:3.11-slim\nRUN pip install -r requirements.txt\n")
    assert finding.fix.safe and "--no-cache-dir" in finding.fix.replacement


def test_one_finding_per_run(lint) -> None:
    assert len(lint("JD202", "FROM python:3.11-slim\nRUN pip install a && pip install b\n")) == 1


def test_quiet_with_flag_env_or_cache_mount(lint) -> None:
    assert lint("JD202", "FROM python:3.11-slim\nRUN pip install --no-cache-dir flask\n") == []
    assert lint("JD202", "FROM python:3.11-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n") == []
    mount = "FROM python:3.11-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"
    assert lint("JD202", mount) == []


def test_quiet_in_a_builder_stage_not_shipped(lint) -> None:
    dockerfile = """
    FROM python:3.11 AS build
    RUN pip install flask
    FROM python:3.11-slim
    """
    assert lint("JD202", dockerfile) == []
