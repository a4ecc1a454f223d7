"""Gunicorn's entry point: `gunicorn -c gunicorn.conf.py main:app` from the source root."""

from analytics.app import create_app

app = create_app()
