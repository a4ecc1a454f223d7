#!/bin/sh
# Start the analytics server. Gunicorn's settings are in gunicorn.conf.py; more come from GUNICORN_CMD_ARGS.
set -e

echo "starting analytics-server on port ${PORT:-8000}"
cd /app
gunicorn -c gunicorn.conf.py main:app
