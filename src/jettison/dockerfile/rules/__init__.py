"""The Dockerfile rules, one module per rule; this registry lists them in id order.

Adding a rule: write `rules/<id>_<name>.py` defining `RULE` (a rules.base.Rule) and add its module name
to RULE_MODULES (one line).
"""

from __future__ import annotations

import importlib

from jettison.dockerfile.rules.base import Rule, RuleContext

RULE_MODULES: tuple[str, ...] = (
    "jd101_full_python_base",
    "jd102_alpine_compiles",
    "jd103_untagged_base",
    "jd104_eol_python",
    "jd201_source_before_deps",
    "jd202_pip_cache",
    "jd203_apt_update_alone",
    "jd204_apt_lists",
    "jd205_no_install_recommends",
    "jd301_packages_outside_requirements",
    "jd302_requirements_twice",
    "jd303_unpinned_pip_upgrade",
    "jd304_unused_packages",
    "jd305_build_tools_in_final",
    "jd401_venv_activate_in_run",
    "jd402_chmod_activate",
    "jd403_venv_across_bases",
    "jd501_arg_for_runtime",
    "jd502_duplicate_arg",
    "jd503_legacy_env",
    "jd504_undefined_variable",
    "jd505_global_arg_not_redeclared",
    "jd506_secret_in_arg_env",
    "jd601_shell_form_command",
    "jd602_entrypoint_without_exec",
    "jd603_no_user",
    "jd604_add_local_files",
    "jd605_expose_build_arg",
    "jd606_logs_in_image",
    "jd701_workers_from_host_cpus",
    "jd702_hardcoded_workers",
    "jd703_preload_with_gevent",
    "jd704_worker_tmp_dir",
    "jd705_graceful_timeout",
    "jc801_no_dockerignore",
    "jc802_secrets_in_context",
)

RULES: tuple[Rule, ...] = tuple(importlib.import_module(f"{__name__}.{name}").RULE for name in RULE_MODULES)
RULES_BY_ID = {rule.id: rule for rule in RULES}


def rule_descriptions() -> dict[str, dict[str, str]]:
    """id -> name, summary, rationale, url, severity: what SARIF and the docs show for each rule."""
    return {
        rule.id: {
            "name": rule.name,
            "summary": rule.summary,
            "rationale": rule.rationale,
            "url": rule.url,
            "severity": str(rule.severity),
        }  # fmt: skip
        for rule in RULES
    }


__all__ = ["RULES", "RULES_BY_ID", "Rule", "RuleContext", "rule_descriptions"]
