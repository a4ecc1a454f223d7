"""Generate a large sample service for timing dependency audits.

    .venv/bin/python bench/gen_project.py OUT_DIR [--files 2000] [--seed 7]

Writes OUT_DIR/requirements.txt (the bundled example's 97 pins) and FILES Python modules in nested
packages. Each module imports a few standard-library modules, one or two of the example's used
third-party modules, siblings through relative imports, and holds some functions and classes, so the
import scan, the name mapping and the closure all do the work they do on a real codebase. Deterministic
for a given seed: two runs write the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "analytics-server"
STDLIB = ["os", "json", "re", "logging", "datetime", "functools", "itertools", "collections", "pathlib",
          "typing", "dataclasses", "hashlib", "uuid", "decimal", "contextlib"]  # fmt: skip
# Import statements of the example's used packages (module names differ from distribution names).
THIRD_PARTY = [
    "import flask", "from flask import Blueprint", "import sqlalchemy as sa",
    "from sqlalchemy.orm import Session",
    "import pandas as pd", "import pyarrow as pa", "import boto3", "from botocore.config import Config",
    "import requests", "from tenacity import retry", "import sentry_sdk", "from dotenv import load_dotenv",
    "import structlog", "from marshmallow import Schema, fields", "from flask_cors import CORS",
]  # fmt: skip
PACKAGES_PER_LEVEL = 8


def module_text(rng: random.Random, index: int, siblings: list[str]) -> str:
    lines = [f'"""Generated module {index}: part of a large service used to time dependency audits."""', ""]
    lines += [f"import {name}" for name in sorted(rng.sample(STDLIB, 3))]
    lines += sorted(rng.sample(THIRD_PARTY, rng.choice((1, 2))))
    lines += [f"from . import {name}" for name in sorted(rng.sample(siblings, min(2, len(siblings))))]
    lines.append("")
    for f in range(rng.randint(4, 9)):
        lines += [
            "",
            f"def handler_{index}_{f}(payload: dict, limit: int = {rng.randint(1, 500)}) -> dict:",
            f'    """Transform step {f}: keeps the keys below the limit."""',
            "    result = {}",
            "    for key, value in payload.items():",
            f"        if len(str(key)) < limit and value is not None and {rng.randint(0, 9)} >= 0:",
            "            result[key] = value",
            "    return result",
        ]
    lines += ["", "", f"class Model{index}:", f"    table = 'table_{index}'", "",
              "    def __init__(self, row):", "        self.row = row", ""]  # fmt: skip
    return "\n".join(lines)


def generate(out: Path, files: int = 2000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    root = out / "service"
    root.mkdir(parents=True)
    shutil.copy(EXAMPLE / "requirements.txt", out / "requirements.txt")
    (out / "gunicorn.conf.py").write_text('worker_class = "gevent"\n')
    (out / "settings.py").write_text('DATABASE_URL = "postgresql+psycopg2://svc@db/svc"\n')
    written = 0
    package_index = 0
    while written < files:
        # Two levels of packages: service/pkgN/subM/modK.py
        package = (
            root / f"pkg{package_index // PACKAGES_PER_LEVEL}" / f"sub{package_index % PACKAGES_PER_LEVEL}"
        )
        package.mkdir(parents=True, exist_ok=True)
        for parent in (package.parent, package):
            (parent / "__init__.py").touch()
        names = [f"mod{k}" for k in range(min(25, files - written))]
        for name in names:
            siblings = [n for n in names if n != name]
            (package / f"{name}.py").write_text(module_text(rng, written, siblings))
            written += 1
        package_index += 1
    (root / "__init__.py").touch()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.files, args.seed)
    print(f"{args.files} modules under {args.out}")


if __name__ == "__main__":
    main()
