def test_fires_when_source_copied_before_requirements_install(lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    WORKDIR /app
    COPY . .
    RUN pip install -r requirements.txt
    """
    (finding,) = lint("JD201", dockerfile)
    assert finding.location.line == 3 and "line 4" in finding.message


def test_fires_for_add_of_source_dir(lint) -> None:
    assert lint("JD201", "FROM python:3.7\nADD ./src /www\nRUN pip install -r /www/requirements.txt\n")


def test_quiet_when_requirements_come_first(lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .
    """
    assert lint("JD201", dockerfile) == []


def test_quiet_when_only_manifests_come_first(lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    COPY pyproject.toml poetry.lock setup.cfg ./
    RUN poetry install --no-root
    COPY . .
    """
    assert lint("JD201", dockerfile) == []


def test_edit_copies_the_requirements_and_moves_the_install_above_the_source(fix_once, lint) -> None:
    dockerfile = """
    FROM python:3.11-slim
    WORKDIR /app
    # the source
    COPY --chown=app:app . .
    LABEL org.opencontainers.image.title=shop
    RUN pip install --no-cache-dir \\
        -r requirements.txt
    CMD ["gunicorn", "shop:app"]
    """
    files = {"requirements.txt": "# pinned\nflask==3.0.3  # web\ngunicorn>=22\n", "shop.py": ""}
    (finding,) = lint("JD201", dockerfile, files)
    assert finding.fix.safe
    fixed = fix_once("JD201", dockerfile, files, within=False)
    assert fixed == (
        "FROM python:3.11-slim\nWORKDIR /app\n# the source\n"
        "COPY --chown=app:app requirements.txt /app/requirements.txt\n"
        "RUN pip install --no-cache-dir \\\n    -r requirements.txt\n"
        "COPY --chown=app:app . .\nLABEL org.opencontainers.image.title=shop\n"
        'CMD ["gunicorn", "shop:app"]\n'
    )


def test_edit_resolves_the_file_against_both_working_directories(fix_once, lint) -> None:
    dockerfile = "FROM python:3.11-slim\nCOPY . /srv/app\nWORKDIR /srv\nRUN pip install -r app/req/base.txt\n"
    # WORKDIR sits between them: the moved RUN would run elsewhere, so there is no edit.
    (finding,) = lint("JD201", dockerfile, {"req/base.txt": "flask\n"})
    assert finding.fix.edits == ()
    dockerfile = "FROM python:3.11-slim\nWORKDIR /srv\nCOPY . app\nRUN pip install -r app/req/base.txt\n"
    fixed = fix_once("JD201", dockerfile, {"req/base.txt": "flask\n"}, within=False)
    assert fixed.splitlines()[2:4] == [
        "COPY req/base.txt /srv/app/req/base.txt",
        "RUN pip install -r app/req/base.txt",
    ]


def test_unsafe_when_the_install_may_need_more_than_the_file(lint) -> None:
    base = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n"
    cases = [
        # the requirements name other files or the source itself
        (base + "RUN pip install -r requirements.txt\n", {"requirements.txt": "-r base.txt\n"}),
        (base + "RUN pip install -r requirements.txt\n", {"requirements.txt": "-e .\n"}),
        (base + "RUN pip install -r requirements.txt\n", {"requirements.txt": "./libs/shared\n"}),
        # the file is not known to be in the context
        (base + "RUN pip install -r requirements.txt\n", {}),
        # the RUN does more than install
        (base + "RUN pip install -r requirements.txt && python manage.py collectstatic\n",
         {"requirements.txt": "django\n"}),
        # another COPY is crossed
        (base + "COPY vendor/ /vendor/\nRUN pip install -r requirements.txt\n",
         {"requirements.txt": "django\n"}),
    ]  # fmt: skip
    for dockerfile, files in cases:
        (finding,) = lint("JD201", dockerfile, files)
        assert finding.fix.edits and not finding.fix.safe, dockerfile


def test_no_edit_across_a_run_or_for_other_installers(lint) -> None:
    files = {"requirements.txt": "flask\n", "pyproject.toml": "", "poetry.lock": ""}
    for dockerfile in (
        "FROM python:3.11-slim\nCOPY . .\nRUN apt-get update\nRUN pip install -r requirements.txt\n",
        "FROM python:3.11-slim\nCOPY . .\nRUN poetry install\n",
        "FROM python:3.11-slim\nCOPY ./src /app\nRUN pip install -r /app/requirements.txt\n",
        "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt .\n",
    ):
        (finding,) = lint("JD201", dockerfile, files)
        assert finding.fix.edits == (), dockerfile
