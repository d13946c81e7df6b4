# Gunicorn configuration for bookshop.
# Usage: gunicorn bookshop.wsgi --config deploy/gunicorn.conf.py
#
# nginx (deploy/nginx/bookshop.conf) proxies to the unix socket below;
# gunicorn is never exposed on a TCP port.

bind = "unix:/run/bookshop/gunicorn.sock"
umask = 0o007

# (2 x CPU cores) + 1 on the 2-core production host.
workers = 5
timeout = 30
graceful_timeout = 30

# Recycle workers periodically to contain slow memory leaks.
max_requests = 1000
max_requests_jitter = 100

# Log to stdout/stderr; systemd/docker collect them.
accesslog = "-"
errorlog = "-"
loglevel = "info"
