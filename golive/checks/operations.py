"""Server-side security that the settings show (checklist section 9, ids GL98x).

Source: Django's admin docs ("Admin site security",
https://docs.djangoproject.com/en/stable/ref/contrib/admin/#adminsite-objects) and the
OWASP guidance on predictable administrative interfaces.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL980",
    title="the Django admin is mounted at the default admin/ path",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/contrib/admin/#hooking-adminsite-instances-into-your-urlconf",
    remediation="""
    Mount it somewhere less guessable (and protect it with strong passwords and 2FA):

        path(os.environ.get("DJANGO_ADMIN_PATH", "backstage/"), admin.site.urls),
    """,
)
def admin_default_path(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Every scanner on the internet tries ``/admin/``: at the default path the login page
    draws credential-stuffing traffic and tells the world the site runs Django. Moving
    it is not protection on its own, only less noise.
    Source: hooking AdminSite instances into your URLconf
    (https://docs.djangoproject.com/en/stable/ref/contrib/admin/#hooking-adminsite-instances-into-your-urlconf).
    """
    runtime = facts[RuntimeFacts]
    urls = runtime.admin_urls
    if urls is None:
        yield spec.skipped(f"the URLconf could not be loaded: {runtime.urls_error or 'not reported'}")
        return
    if "admin/" in urls:
        urlconf = str(runtime.setting("ROOT_URLCONF") or "")
        yield spec.fail(
            subjects=["ROOT_URLCONF"],
            location=runtime.admin_route,
            evidence=[f"admin mounted at: {', '.join('/' + u for u in urls)} (ROOT_URLCONF {urlconf})"],
        )
