"""Which WSGI application a project without a Dockerfile serves: `MODULE:VARIABLE` for Gunicorn.

Read from the usual entry files (app.py, wsgi.py, main.py, application.py): a module-level `app = ...`
or `application = ...`, or an application factory `def app(...)`. Anything else needs `--app`.
"""

from __future__ import annotations

import re
from pathlib import Path

from jettison.errors import JettisonError

ENTRY_FILES = ("app.py", "wsgi.py", "main.py", "application.py")
_APP_ASSIGN = re.compile(r"^(?:def\s+|async\s+def\s+)?(app|application)\s*[=(]", re.MULTILINE)


def guess_app_module(root: Path, paths: list[str]) -> str:
    """`app:app` and the like, from the first entry file among `paths` that defines one."""
    for candidate in ENTRY_FILES:
        if candidate in paths:
            text = (root / candidate).read_text(encoding="utf-8", errors="replace")
            match = _APP_ASSIGN.search(text)
            if match:
                return f"{candidate[:-3]}:{match.group(1)}"
    raise JettisonError("cannot tell the WSGI app: give --app MODULE:VARIABLE (or add a Dockerfile)", root)
