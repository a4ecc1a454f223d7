DOCKERFILE = 'FROM python:3.11-slim\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\n'


def test_fires_when_script_does_not_exec(lint) -> None:
    script = "#!/bin/sh\nset -e\nflask db upgrade\ngunicorn -c gunicorn.conf.py main:app\n"
    (finding,) = lint("JD602", DOCKERFILE, {"entrypoint.sh": script})
    assert finding.location.path == "entrypoint.sh" and finding.location.line == 4


def test_quiet_when_script_execs(lint) -> None:
    script = '#!/bin/sh\nset -e\nflask db upgrade\nexec gunicorn -c gunicorn.conf.py main:app "$@"\n'
    assert lint("JD602", DOCKERFILE, {"entrypoint.sh": script}) == []
    assert lint("JD602", DOCKERFILE, {"entrypoint.sh": '#!/bin/sh\nexec "$@"\n'}) == []


def test_quiet_when_script_is_not_in_the_context(lint) -> None:
    assert lint("JD602", DOCKERFILE) == []
