# Gunicorn configuration for bookshop.
# Usage: gunicorn bookshop.wsgi --config deploy/gunicorn.conf.py

bind = "0.0.0.0:8000"
workers = 1
reload = True
timeout = 0
forwarded_allow_ips = "*"
