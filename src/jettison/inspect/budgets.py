"""CI budgets: limits on an analysis, from the command line or `[tool.jettison.budgets]`.

    [tool.jettison.budgets]
    max-size = "400MB"        # sum of the layers, uncompressed (what `docker images` shows)
    min-efficiency = "95%"    # dive's efficiency score
    max-wasted = "20MB"       # dive's wasted bytes
    max-package = "80MB"      # the largest Python distribution

Options given on the command line replace the file's values one by one. The file is read through
jettison.project.config, which owns the [tool.jettison] table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from jettison.errors import JettisonError
from jettison.inspect.analysis import Analysis
from jettison.project.config import JettisonConfig

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def parse_size(text: str | int, where: str = "size") -> int:
    """ "500MB" -> 500_000_000, "1.5GiB" -> 1.5 * 2**30, "2048" -> 2048 bytes."""
    if isinstance(text, int):
        return text
    match = _SIZE.match(str(text))
    if not match:
        raise JettisonError(f"{where}: {text!r} is not a size (e.g. 500MB, 1.5GiB, 2048)")
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    binary = "i" in unit
    letter = unit[:1] if unit[:1] in "kmgt" and unit else ""
    scale = 1024 ** "kmgt".index(letter) * 1024 if binary and letter else _UNITS[letter]
    return round(number * scale)


def parse_fraction(text: str | float, where: str = "efficiency") -> float:
    """ "95%" or "0.95" -> 0.95."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise JettisonError(f"{where}: {text!r} is not a fraction (e.g. 0.95 or 95%)") from None
    if not 0 <= value <= 1:
        raise JettisonError(f"{where}: {text!r} is outside 0..1 (0%..100%)")
    return value


@dataclass(frozen=True)
class Budgets:
    max_size: int | None = None
    min_efficiency: float | None = None
    max_wasted: int | None = None
    max_package: int | None = None

    def merged_with(self, override: Budgets) -> Budgets:
        changes = {
            f.name: getattr(override, f.name) for f in fields(self) if getattr(override, f.name) is not None
        }
        return replace(self, **changes)


def budgets_from_table(table: dict[str, Any], where: str) -> Budgets:
    known = {"max-size", "min-efficiency", "max-wasted", "max-package"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise JettisonError(
            f"[tool.jettison.budgets]: unknown key {unknown[0]!r} (known: {sorted(known)})", where
        )
    return Budgets(
        max_size=parse_size(table["max-size"], "max-size") if "max-size" in table else None,
        min_efficiency=parse_fraction(table["min-efficiency"], "min-efficiency")
        if "min-efficiency" in table
        else None,
        max_wasted=parse_size(table["max-wasted"], "max-wasted") if "max-wasted" in table else None,
        max_package=parse_size(table["max-package"], "max-package") if "max-package" in table else None,
    )


def config_budgets(config: JettisonConfig, where: str = ".") -> Budgets:
    """The project's [tool.jettison.budgets] (or jettison.toml's [budgets]) from its loaded
    configuration (jettison.project.config.load_config); none when absent."""
    return budgets_from_table(config.section("budgets"), config.path or where)


def _mb(value: int) -> str:
    return f"{value / 1_000_000:,.1f} MB"


def broken_budgets(analysis: Analysis, budgets: Budgets) -> list[str]:
    """One sentence per broken budget; empty when the image is within all of them."""
    broken = []
    if budgets.max_size is not None and analysis.layers_size > budgets.max_size:
        broken.append(f"image size {_mb(analysis.layers_size)} exceeds max-size {_mb(budgets.max_size)}")
    efficiency = analysis.scan.efficiency
    if budgets.min_efficiency is not None and efficiency.score < budgets.min_efficiency:
        broken.append(
            f"efficiency {efficiency.score:.2%} is below min-efficiency {budgets.min_efficiency:.2%}"
        )
    if budgets.max_wasted is not None and efficiency.wasted_bytes > budgets.max_wasted:
        broken.append(f"wasted {_mb(efficiency.wasted_bytes)} exceeds max-wasted {_mb(budgets.max_wasted)}")
    if budgets.max_package is not None:
        for dist in analysis.python.distributions:
            if dist.size > budgets.max_package:
                broken.append(
                    f"distribution {dist.name} {dist.version} is {_mb(dist.size)}, "
                    f"over max-package {_mb(budgets.max_package)}"
                )
    return broken
