"""`jettison fix`: an editor of the project's own files (ruff's fix model).

engine.py        plan_fix: the audit's fixes applied pass by pass to a fixpoint
requirements.py  unused requirements (JR101) as deletions of their lines
lock.py          uv.lock locked again after pyproject.toml was edited
write.py         apply: the plan's files written all or none, backups, modes
journal.py       the journal that makes it all or none across a kill, and the next run's recover()

The plan types (FixOptions, FixPlan, FileChange, AppliedFix) and the generated recipe for a project
without a Dockerfile (plan_template, which `jettison build` reads too) are pure planning and live below,
in jettison.dockerfile.fixplan and jettison.dockerfile.template.
"""

from jettison.dockerfile.fixplan import AppliedFix, FileChange, FixOptions, FixPlan, PruneFunction
from jettison.dockerfile.template import plan_template
from jettison.fixer.engine import plan_fix
from jettison.fixer.write import apply

__all__ = [
    "AppliedFix",
    "FileChange",
    "FixOptions",
    "FixPlan",
    "PruneFunction",
    "apply",
    "plan_fix",
    "plan_template",
]
