"""The `jettison` command: a thin shell over the library.

Each subcommand lives in its own module here, parses its options, calls one library function, renders
the result and sets the exit code (0 clean, 1 findings or a broken budget, 2 user error).
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from jettison import __version__
from jettison.scratch import remove_on_signals, sweep_stale

# name -> module under jettison.cli that defines a click command called `command`.
# Imported lazily so `jettison audit` never pays for the OCI or HTML code.
COMMANDS = {
    "audit": "audit",
    "fix": "fix",
    "build": "build",
    "inspect": "inspect_cmd",
    "diff": "diff_cmd",
    "verify": "verify",
    "demo": "demo",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        available = []
        for name, module in COMMANDS.items():
            if importlib.util.find_spec(f"jettison.cli.{module}") is not None:
                available.append(name)
        return sorted(available)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None or importlib.util.find_spec(f"jettison.cli.{module}") is None:
            return None
        return importlib.import_module(f"jettison.cli.{module}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jettison")
def main() -> None:
    """Make container images of Python web services small, fast to build and correctly configured."""
    remove_on_signals()  # a `kill` still removes the run's scratch space
    sweep_stale()  # and what killed runs left is removed by the next, whatever command it is
