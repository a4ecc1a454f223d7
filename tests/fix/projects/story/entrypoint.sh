#!/bin/bash
echo "starting analytics"
python manage.py migrate
gunicorn -c gunicorn.conf.py --worker-class gevent --preload app:app
