"""Local development settings."""

from .base import *  # noqa: F403

# SECURITY WARNING: development-only key. Production reads DJANGO_SECRET_KEY.
SECRET_KEY = "django-insecure-*6u0@pfix!dg57s8%axgrrbl654!(s&xfc=bzb*&*_e)v$$wbi"

DEBUG = True

ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"  # noqa: F405
