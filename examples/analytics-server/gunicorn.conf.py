# Gunicorn settings, read with `gunicorn -c gunicorn.conf.py main:app`.
import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# The classic rule of thumb: two workers a core plus one.
workers = multiprocessing.cpu_count() * 2 + 1
# Requests wait on Postgres and S3 most of the time: cooperative workers serve many at once.
worker_class = "gevent"
worker_connections = 1000
timeout = 120
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Anything else goes in GUNICORN_CMD_ARGS (e.g. "--max-requests 1000"), which Gunicorn reads itself.
