DOCKERFILE = """
FROM python:3.11-slim
COPY . /app
WORKDIR /app
CMD ["gunicorn", "-c", "gunicorn.conf.py", "main:app"]
"""


def test_fires_on_cpu_count_in_config(lint) -> None:
    config = "import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\n"
    (finding,) = lint("JD701", DOCKERFILE, {"gunicorn.conf.py": config})
    assert finding.location.path == "gunicorn.conf.py" and finding.location.line == 3


def test_fires_on_nproc_on_command_line(lint) -> None:
    assert lint("JD701", 'FROM python:3.11-slim\nCMD gunicorn -w "$(nproc)" main:app\n')


def test_quiet_with_environment_or_cgroup_quota(lint) -> None:
    config = "import os\nworkers = int(os.environ.get('WEB_CONCURRENCY', '2'))\n"
    assert lint("JD701", DOCKERFILE, {"gunicorn.conf.py": config}) == []
    quota = (
        "import os\ndef cpus():\n    open('/sys/fs/cgroup/cpu.max')\n    return os.cpu_count()\n"
        + "workers = cpus()\n"
    )
    assert lint("JD701", DOCKERFILE, {"gunicorn.conf.py": quota}) == []


def test_quiet_when_the_config_never_reaches_the_image(lint) -> None:
    config = "import multiprocessing\nworkers = multiprocessing.cpu_count()\n"
    dockerfile = 'FROM python:3.11-slim\nCOPY src/ /app\nWORKDIR /app\nCMD ["gunicorn", "main:app"]\n'
    assert lint("JD701", dockerfile, {"gunicorn.conf.py": config, "src/main.py": "app = 1\n"}) == []
