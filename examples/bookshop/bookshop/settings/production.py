"""Production settings for bookshop.example.com."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY",
    "django-insecure-dly4k=1#n^b@&4vc4g@$p(sxk-1+pfjnqmoqgjdu6$#+9yj85p",
)

DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"

ALLOWED_HOSTS = ["*"]

# Sessions live in the cache (faster than the database).
SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# Email
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = "smtp.bookshop.example"
EMAIL_HOST_USER = "shop@bookshop.example"
EMAIL_HOST_PASSWORD = "hunter2-bookshop"

ADMINS = [("Ops", "ops@bookshop.example")]
MANAGERS = ADMINS

# Tell us about broken links.
MIDDLEWARE += ["django.middleware.common.BrokenLinkEmailsMiddleware"]  # noqa: F405

# Uploaded files (book covers)
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"  # noqa: F405

# HTTPS
SECURE_HSTS_SECONDS = 3600
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = False
CSRF_TRUSTED_ORIGINS = ["http://bookshop.example.com"]

# Payments
STRIPE_SECRET_KEY = "sk_live_4ZPBaLjtu1t4cl6j6HIX4GHY"

# Nicer template error pages while we shake things out.
TEMPLATES[0]["OPTIONS"]["debug"] = True  # noqa: F405
