"""The sample projects under fixtures/ are data for the audit, not tests for pytest to collect."""

collect_ignore_glob = ["fixtures/*"]
