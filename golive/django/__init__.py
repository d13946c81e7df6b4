"""golive as a Django app: ``INSTALLED_APPS += ["golive.django"]``.

- ``manage.py check --deploy`` then also runs golive's settings-level checks (those that
  need only the loaded settings and the settings source) and shows them with their golive
  ids, ``?: (GL201) ALLOWED_HOSTS accepts any host``; ``SILENCED_SYSTEM_CHECKS`` silences
  them like Django's own (:mod:`golive.django.checks`).
- ``manage.py golive [options]`` runs the full audit of this project, with the options of
  ``golive audit`` (:mod:`golive.django.management.commands.golive`).
"""
