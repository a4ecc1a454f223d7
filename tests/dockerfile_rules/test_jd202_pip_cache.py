def test_fires_without_no_cache_dir(lint) -> None:
    (finding,) = lint("JD202", "FROM python:3.11-slim\nRUN pip install -r requirements.txt\n")
    assert finding.fix.safe
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.content) == (2, 16, " --no-cache-dir")


def test_edit_adds_the_flag_after_each_install_word_only(fix_once) -> None:
    dockerfile = """
    # syntax=docker/dockerfile:1
    FROM python:3.11-slim
    WORKDIR /app
    RUN python -m pip install --upgrade pip \\
        # the app's own
        && pip3 install -r requirements.txt 'gunicorn>=21'  &&  uv pip install --system  httpx
    CMD ["gunicorn", "app:app"]
    """
    fixed = fix_once("JD202", dockerfile)
    assert fixed.splitlines()[3] == "RUN python -m pip install --no-cache-dir --upgrade pip \\"
    assert fixed.splitlines()[4] == "    # the app's own"
    assert fixed.splitlines()[5] == (
        "    && pip3 install --no-cache-dir -r requirements.txt 'gunicorn>=21'  &&  "
        "uv pip install --no-cache --system  httpx"
    )


def test_edit_in_a_heredoc_script_and_uv_sync(fix_once) -> None:
    fixed = fix_once("JD202", "FROM python:3.11-slim\nRUN <<EOF\nset -e\nuv sync --frozen\nEOF\n")
    assert "uv sync --no-cache --frozen\n" in fixed


def test_no_edit_where_the_words_are_not_read(lint) -> None:
    (finding,) = lint("JD202", 'FROM python:3.11-slim\nRUN ["pip", "install", "flask"]\n')
    assert finding.fix.edits == ()


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
