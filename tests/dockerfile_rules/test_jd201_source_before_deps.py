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


# The story's shape: the source directory first, the requirements file copied on its own, apt and venv
# steps, then the install. The source COPY moves down, as written, to just after the install.
STORY = (
    "FROM python:3.7\nCOPY ./src /www\nCOPY requirements.txt /www/requirements.txt\nWORKDIR /www\n"
    "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\nRUN python -m venv /venv\n"
    "RUN . /venv/bin/activate && pip install --upgrade pip && pip install -r requirements.txt\n"
    "EXPOSE 8000\n"
)
STORY_FILES = {"src/main.py": "", "src/util/__init__.py": "", "requirements.txt": "flask\n"}


def test_the_source_copy_moves_below_the_install_when_nothing_crossed_reads_it(fix_once, lint) -> None:
    (finding,) = lint("JD201", STORY, STORY_FILES)
    assert finding.fix.safe
    fixed = fix_once("JD201", STORY, STORY_FILES, within=False)
    lines = fixed.splitlines()
    assert "COPY ./src /www" not in lines[:6]
    assert lines[lines.index("COPY ./src /www") - 1].startswith("RUN . /venv/bin/activate && pip install")


def test_the_source_copy_move_is_unsafe_or_absent_when_the_order_could_matter(lint) -> None:
    venv = "RUN python -m venv /venv\n"
    crossing_run = STORY.replace(venv, "RUN python -m venv /venv && python setup.py x\n")
    (finding,) = lint("JD201", crossing_run, STORY_FILES)
    assert finding.fix.edits and not finding.fix.safe  # a RUN in between might read the source
    clash = {**STORY_FILES, "src/requirements.txt": "django\n"}  # the source holds the same path
    (finding,) = lint("JD201", STORY, clash)
    assert finding.fix.edits == ()
    only_from_source = STORY.replace("COPY requirements.txt /www/requirements.txt\n", "")
    (finding,) = lint("JD201", only_from_source, {**STORY_FILES, "src/requirements.txt": "flask\n"})
    assert finding.fix.edits == ()  # the install reads a file only the source COPY brings
    relative = STORY.replace("COPY ./src /www\n", "COPY ./src www\n")
    (finding,) = lint("JD201", relative, STORY_FILES)
    assert finding.fix.edits == ()  # a relative destination would land elsewhere after the WORKDIR
