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
