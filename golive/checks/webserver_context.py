"""The web server in its context: nginx against the Django settings it serves (GL715-).

Kept apart from :mod:`golive.checks.webserver` (GL701-GL714) to keep modules small. Sources:
Django's settings reference (https://docs.djangoproject.com/en/stable/ref/settings/) and
nginx's proxy module (https://nginx.org/en/docs/http/ngx_http_proxy_module.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._nginx import fail_or_unknown
from golive.checks._util import where
from golive.collectors.nginx import NginxFacts
from golive.collectors.runtime import RuntimeFacts
from golive.collectors.servers_nginx import app_passes, from_client, set_header
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

DJANGO = "https://docs.djangoproject.com/en/stable/"


@check(
    "GL715",
    title="Django trusts X-Forwarded-Host but nginx passes the client's own",
    severity=Severity.MEDIUM,
    needs=(NginxFacts, RuntimeFacts),
    reference=DJANGO + "ref/settings/#use-x-forwarded-host",
    remediation="""
    Overwrite the header in every location that proxies to Django:

        proxy_set_header X-Forwarded-Host $host;
        # uwsgi_pass: uwsgi_param HTTP_X_FORWARDED_HOST $host;

    or set USE_X_FORWARDED_HOST = False and send the real host in Host:

        proxy_set_header Host $host;
    """,
)
def forwarded_host_passed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """USE_X_FORWARDED_HOST "should only be enabled if a proxy which sets this header is in
    use": with it, ``request.get_host()`` returns ``X-Forwarded-Host`` in preference to
    ``Host`` (Django's settings reference). nginx forwards every request header it does not
    overwrite, so a client picks the host Django builds absolute URLs with (password-reset
    links, redirects) among ALLOWED_HOSTS, or any host when ALLOWED_HOSTS allows ``*``.
    """
    runtime = facts[RuntimeFacts]
    if runtime.setting("USE_X_FORWARDED_HOST") is not True:
        return
    allowed = runtime.setting("ALLOWED_HOSTS") or []
    loc = where(facts, "USE_X_FORWARDED_HOST")
    why = f"USE_X_FORWARDED_HOST = True{f' ({loc})' if loc else ''}, ALLOWED_HOSTS = {allowed!r}"
    for block, node in app_passes(f.root for f in facts[NginxFacts].parsed if f.root is not None):
        setting = set_header(block, node, "X-Forwarded-Host")
        if setting is not None and not from_client(setting.args[1] if len(setting.args) > 1 else ""):
            continue
        seen = f"{setting.evidence()} copies the client's value" if setting else "no X-Forwarded-Host is set"
        yield fail_or_unknown(
            spec,
            block,
            "the X-Forwarded-Host header nginx sends",
            subjects=[
                "USE_X_FORWARDED_HOST",
                "proxy_set_header" if node.name == "proxy_pass" else "uwsgi_param",
            ],
            location=node.location,
            evidence=[f"{node.evidence()}: {seen}, so a client's own X-Forwarded-Host reaches Django", why],
        )
