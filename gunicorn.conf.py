"""Production defaults for `gunicorn wsgi:app`; the command line and GUNICORN_CMD_ARGS override them."""

import multiprocessing
import os

# Sync workers: each handles one request at a time, so a slow request never stalls another.
# Two per core plus one keeps the cores busy while some workers wait on the database.
# WEB_CONCURRENCY (the usual platform variable) sets the number outright.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# A worker silent for this many seconds is killed and replaced; no page of ours takes that long.
timeout = 30
# Seconds a worker gets to finish its requests on restart or shutdown.
graceful_timeout = 20
# Seconds to keep an idle connection from the reverse proxy open for its next request.
keepalive = 5
# Recycle each worker after this many requests (with jitter so they do not all restart at once).
max_requests = 10_000
max_requests_jitter = 1_000

# Access log on standard output with the time taken; confirmation and withdrawal tokens are cut
# short in it. No client address (%(h)s): addresses are personal data, kept only as keyed hashes.
accesslog = "-"
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
logger_class = "petition.web.access_log.RedactingLogger"

# The service needs no runtime control socket; without one, servers on a host cannot collide.
control_socket_disable = True
