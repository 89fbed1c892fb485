"""gunicorn's settings in production: the Dockerfile and docker-compose.yml start it with these.

Threaded workers (gthread): a streamed CSV export (up to EXPORT_BACKGROUND_ROWS rows, README
'Exports') can take tens of seconds, and in a threaded worker the long request runs in one
thread while the worker keeps telling the arbiter it is alive, so `timeout` does not kill it
and the other threads go on answering. Larger exports are background jobs (Celery).
Each setting can be changed through the environment without rebuilding the image.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # inside the container
workers = int(os.environ.get("WEB_WORKERS", "3"))  # about (cores + 1) on a small machine
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
# A worker that does not answer the arbiter for this long is killed and restarted.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5  # behind the TLS proxy (README 'Production'), which keeps connections open
# A worker is replaced after this many requests (and a random part more, so not all at once).
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
