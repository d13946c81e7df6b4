"""Whether the repository ships production settings at all (checklist section 1, GL114).

Source: Django's deployment checklist: "Run manage.py check --deploy against your
production settings file" and "Some of the checklist items are specific to the production
settings" (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/), and
"Configuring the settings module"
(https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL114",
    title="no production settings: the audited settings are development settings",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
    remediation="""
    Add the settings production runs and point golive at them, e.g.
    ``mysite/settings/production.py`` reading its secrets from the environment:

        from .base import *  # noqa
        DEBUG = False
        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")

    or name them with ``--settings`` / ``[tool.golive] settings``.
    """,
)
def no_production_settings(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The only settings golive could find are development settings (a ``dev``,
    ``local`` or ``test`` module name, no production-looking module beside it:
    :mod:`golive.settings_role`). The checklist is about the settings production runs;
    judged as production, development settings raise a dozen false criticals, so golive
    says this once and lowers the findings judged from them to ``possible``.
    Source: the deployment checklist
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/).
    """
    source = facts[SourceFacts]
    if source.settings_development:
        yield spec.fail(subjects=["DJANGO_SETTINGS_MODULE"], evidence=[source.settings_development])
