"""Gunicorn: the config `jettison fix` generates (config.py), and reading existing ones (settings.py)."""
