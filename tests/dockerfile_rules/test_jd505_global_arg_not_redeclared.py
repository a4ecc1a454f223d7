def test_fires_when_global_arg_used_in_stage(lint) -> None:
    dockerfile = "ARG PY=3.11\nFROM python:${PY}-slim\nRUN echo python $PY\nLABEL py=$PY\n"
    findings = lint("JD505", dockerfile)
    assert [f.location.line for f in findings] == [3]


def test_quiet_after_redeclaration_and_in_from(lint) -> None:
    assert lint("JD505", "ARG PY=3.11\nFROM python:${PY}-slim\nARG PY\nLABEL py=$PY\n") == []
