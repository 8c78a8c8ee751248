"""gunicorn settings for every app: ``gunicorn -c gunicorn.conf.py '<package>:create_app()'``.

Everything comes from the environment so one image serves all three apps.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Processes; each is single-threaded (sync worker), so this is how many
# requests run at once. Rule of thumb: 2 x CPU cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Restart a worker now and then, so a slow leak never takes a process down.
# Rarely: a restart costs the worker a second of importing the app, which at
# 2,000 requests cost a busy server a third of its throughput (make bench).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10

# One line per request, not two: the app writes it (method, path, status,
# duration, request id; shared/request_logging.py), so gunicorn's own access
# log is off unless GUNICORN_ACCESS_LOG names a file or "-" (stdout).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s request_id=%({x-request-id}o)s'
# Which proxies may set X-Forwarded-For / -Proto for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
