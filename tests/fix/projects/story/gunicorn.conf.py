import multiprocessing

bind = "0.0.0.0:5000"
workers = multiprocessing.cpu_count() * 2 + 1
timeout = 120
graceful_timeout = 60
max_requests = 1000
accesslog = "/var/log/gunicorn/access.log"
