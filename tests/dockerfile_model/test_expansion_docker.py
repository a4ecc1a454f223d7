"""Our ARG/ENV scoping and expansion against Docker's: LABEL values as `docker build` computes them.

The test engine's classic builder shares BuildKit's shell lexer but predates `${VAR-word}` without a
colon, so that form is covered by the unit tests only.
"""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from jettison.dockerfile.expand import expand
from jettison.dockerfile.model import build_model

parser = pytest.importorskip("jettison.dockerfile.parser")
pytestmark = pytest.mark.containers

DOCKERFILE = textwrap.dedent(
    r"""
    ARG BASE=scratch
    ARG GLOBAL=g
    ARG REDECL=r
    FROM ${BASE}
    ARG A=a
    ARG B
    ARG EMPTY=
    ARG REDECL
    ARG OVER=arg
    ENV OVER=env E1="spaced value" E2=$A-x
    ENV LEGACY some $A words
    LABEL l1=$A l2=${A} l3=${UNSET:-def} l4=${A:+set} l5=${EMPTY:-x} l7="$A q" l8='$A'
    LABEL l9=\$A l10=${A}_${B} l11=$GLOBAL l12=$REDECL l13=$OVER l14="$E1" l15=$E2 l16="$LEGACY"
    LABEL l17=${UNSET:+no} l18=${B:-bdef} l19="${A:-x}${A:+y}"
    """
).lstrip()
BUILD_ARGS = {"A": "over"}


def test_label_values_match_docker(services, tmp_path) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    env = {**services.env, "DOCKER_BUILDKIT": "0"}
    tag = "jettison-expansion-probe:1"
    build = [services.docker, "build", "-q", "-t", tag]
    for name, value in BUILD_ARGS.items():
        build += ["--build-arg", f"{name}={value}"]
    subprocess.run([*build, str(tmp_path)], env=env, check=True, capture_output=True)
    try:
        inspected = subprocess.run([services.docker, "image", "inspect", tag], env=env, check=True,
                                   capture_output=True, text=True).stdout  # fmt: skip
    finally:
        subprocess.run([services.docker, "rmi", tag], env=env, capture_output=True)
    theirs = json.loads(inspected)[0]["Config"]["Labels"]

    model = build_model(parser.parse(DOCKERFILE, "Dockerfile"), BUILD_ARGS)
    ours = {}
    for step in model.final_stage.steps:
        if step.keyword == "LABEL":
            args = step.instruction.args
            for i in range(0, len(args), 3):
                ours[args[i]] = expand(args[i + 1], step.scope).value
    assert model.final_stage.base == "scratch"
    assert ours == theirs
