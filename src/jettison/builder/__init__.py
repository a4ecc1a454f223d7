"""`jettison build`: daemonless, reproducible images of Python web services.

    recipe.py       what to build: the project read through `jettison fix`'s plan (or requirements.txt)
    python_base.py  which Python a base image ships (pure, from a file listing and Env)
    base.py         that listing, read from the base's layers, cached per base
    wheels.py       resolve and install wheels for the target platform and Python, as a venv (runs uv)
    plan.py         which files go into which layer, and the image config (pure)
    cache.py        dependency layers cached by the hash of everything that decides them
    assemble.py     the build itself: Image (or ImageIndex) out
    sources.py      oci:DIR, docker-archive:FILE and registry references
    run.py          one CLI invocation: recipe, base, build, outputs, push
"""

from jettison.builder.run import BuildSummary, run_build

__all__ = ["BuildSummary", "run_build"]
