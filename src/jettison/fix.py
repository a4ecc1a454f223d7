"""Compatibility: `jettison fix` lives in jettison.fixer (an editor of the project's own files)."""

from jettison.fixer import (
    AppliedFix,
    FileChange,
    FixOptions,
    FixPlan,
    PruneFunction,
    apply,
    plan_fix,
    plan_template,
)

__all__ = ["AppliedFix", "FileChange", "FixOptions", "FixPlan", "PruneFunction", "apply", "plan_fix",
           "plan_template"]
