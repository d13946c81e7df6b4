"""The app config: registers golive's deploy checks when Django is ready."""

from __future__ import annotations

from django.apps import AppConfig


class GoliveConfig(AppConfig):
    """``golive.django``, label ``golive``; importing :mod:`golive.django.checks` registers the checks."""

    name = "golive.django"
    label = "golive"
    verbose_name = "golive deployment audit"

    def ready(self) -> None:
        """Register :func:`golive.django.checks.golive_deploy_checks` (tags golive and security, deploy)."""
        from golive.django import checks  # noqa: F401
