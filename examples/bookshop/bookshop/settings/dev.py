"""Local development settings."""

from .base import *  # noqa: F403

# SECURITY WARNING: keep the secret key used in production secret!
SECRET_KEY = "django-insecure-dly4k=1#n^b@&4vc4g@$p(sxk-1+pfjnqmoqgjdu6$#+9yj85p"

# SECURITY WARNING: don't run with debug turned on in production!
DEBUG = True

ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
