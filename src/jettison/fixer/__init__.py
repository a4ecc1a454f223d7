"""`jettison fix`: an editor of the project's own files (ruff's fix model).

plan.py          FixOptions, FixPlan, FileChange, AppliedFix: what fix would write
engine.py        plan_fix: the audit's fixes applied pass by pass to a fixpoint
requirements.py  unused requirements (JR101) as deletions of their lines
lock.py          uv.lock locked again after pyproject.toml was edited
template.py      jettison's generated recipe: only for a project without a Dockerfile (and the
                 facts `jettison build` reads, plan_template)
write.py         apply: atomic writes, backups, modes
"""

from jettison.fixer.engine import plan_fix
from jettison.fixer.plan import AppliedFix, FileChange, FixOptions, FixPlan, PruneFunction
from jettison.fixer.template import plan_template
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
