"""The web server in its context: nginx against the Django settings it serves (GL7xx).

GL704, GL705 (the scheme header), GL709 (STATIC_ROOT/MEDIA_ROOT through Compose volumes),
GL714 (HSTS sent twice) and GL715 (X-Forwarded-Host) compare the parsed nginx tree with
the settings as Django loads them; the rules over nginx alone are in
:mod:`golive.checks.webserver`. Sources: Django's settings reference
(https://docs.djangoproject.com/en/stable/ref/settings/), its static files deployment guide
(https://docs.djangoproject.com/en/stable/howto/static-files/deployment/), nginx's proxy
module (https://nginx.org/en/docs/http/ngx_http_proxy_module.html) and RFC 6797.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from golive.checks._nginx import (
    fail_or_unknown,
    file_location,
    hidden_pass_reason,
    hidden_passes,
    internal_reason,
    roots,
    runtime_of,
    same_files,
    url_path,
    where_setting,
)
from golive.checks._util import where
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import (
    app_passes,
    from_client,
    headers,
    passes_in,
    served_directory,
    set_header,
)
from golive.facts.platforms import PlatformFacts
from golive.facts.run import RunFacts
from golive.facts.runtime import RuntimeFacts
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


SCHEME_HEADERS = (
    "x-forwarded-proto",
    "x-forwarded-protocol",
    "x-forwarded-ssl",
    "x-forwarded-scheme",
    "x-scheme",
)


def trusted_header(runtime: RuntimeFacts | None) -> tuple[str, str] | None:
    """The header Django trusts for the scheme, as nginx names it, and the value meaning https.

    ``("X-Forwarded-Proto", "https")`` from ``SECURE_PROXY_SSL_HEADER =
    ("HTTP_X_FORWARDED_PROTO", "https")``; None when Django trusts none. Without runtime
    facts, Django's documented example is assumed.
    """
    if runtime is None:
        return ("X-Forwarded-Proto", "https")
    value = runtime.setting("SECURE_PROXY_SSL_HEADER")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    meta, expected = str(value[0]), str(value[1])
    name = meta[5:] if meta.startswith("HTTP_") else meta
    return "-".join(part.capitalize() for part in name.split("_")), expected


@check(
    "GL704",
    title="nginx passes the client's own X-Forwarded-Proto to a Django that trusts it",
    severity=Severity.HIGH,
    needs=(NginxFacts,),
    uses=(PlatformFacts,),
    reference=DJANGO + "ref/settings/#secure-proxy-ssl-header",
    remediation="""
    Overwrite the header in every location that proxies to Django:

        proxy_set_header X-Forwarded-Proto $scheme;
        # uwsgi_pass: uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;
    """,
)
def scheme_header_passed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """SECURE_PROXY_SSL_HEADER's warning: "Make sure ALL of the following are true before
    setting this ... Your proxy strips the X-Forwarded-Proto header from all incoming
    requests" — otherwise "you will probably open security holes". nginx forwards every
    request header it does not overwrite, so a plain-HTTP request carrying
    ``X-Forwarded-Proto: https`` is secure to Django: secure cookies are sent back over HTTP,
    SECURE_SSL_REDIRECT is bypassed. Skipped when Django trusts no header (see GL303, GL631).
    Low when the header is one a CDN the repository declares in front sets itself on what it
    forwards (Fastly-SSL: :meth:`golive.facts.platforms.PlatformFacts.cdn_setting`).
    """
    runtime = runtime_of(facts)
    trusted = trusted_header(runtime)
    if trusted is None:
        return
    header, _ = trusted
    platforms = facts.get(PlatformFacts)
    cdn = platforms.cdn_setting(header) if platforms is not None else None
    edge = (
        [
            f"{header} is set by the CDN in front, {cdn}: only a request that bypasses the CDN reaches nginx"
            " with the client's own"
        ]
        if cdn
        else []
    )
    why = (
        f"Django trusts it: SECURE_PROXY_SSL_HEADER{where_setting(facts, 'SECURE_PROXY_SSL_HEADER')}"
        if runtime is not None
        else "Django's settings were not loaded: assuming SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Proto"
    )
    for block, node in app_passes(roots(facts[NginxFacts])):
        setting = set_header(block, node, header)
        if setting is not None and not from_client(setting.args[1] if len(setting.args) > 1 else ""):
            continue
        seen = f"{setting.evidence()} copies the client's value" if setting else f"no header {header} is set"
        yield fail_or_unknown(
            spec,
            block,
            f"the {header} header nginx sends",
            internal_reason(facts[NginxFacts], block),
            subjects=["proxy_set_header" if node.name == "proxy_pass" else "uwsgi_param", header],
            location=node.location,
            evidence=[
                f"{node.evidence()}: {seen}, so a client's own {header}: https passes through",
                why,
                *edge,
            ],
            severity=Severity.LOW if cdn else None,
        )
    for chain, include in hidden_passes(facts[NginxFacts]):
        yield spec.skipped(
            hidden_pass_reason(chain, include, f"the {header} header it sends"),
            subjects=["proxy_set_header", header],
            location=include.location,
            evidence=[why],
        )


@check(
    "GL705",
    title="the scheme header nginx sets is not the one SECURE_PROXY_SSL_HEADER trusts",
    severity=Severity.MEDIUM,
    needs=(NginxFacts, RuntimeFacts),
    reference=DJANGO + "ref/settings/#secure-proxy-ssl-header",
    remediation="""
    Make both sides name the same header and value, e.g.:

        proxy_set_header X-Forwarded-Proto $scheme;                     # nginx
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")   # Django
    """,
)
def scheme_header_mismatch(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """SECURE_PROXY_SSL_HEADER "is a tuple representing an HTTP header/value combination
    that signifies a request is secure". When nginx sets another header, or a value that never
    equals the expected one (``$scheme`` gives ``https``, ``$https`` gives ``on``), Django sees
    every request as plain HTTP: SECURE_SSL_REDIRECT loops, secure cookies are never set, and
    the header Django does trust is left for clients to send (GL704). Django trusting no header
    at all while redirecting to SSL is GL303.
    """
    trusted = trusted_header(facts[RuntimeFacts])
    if trusted is None:
        return
    header, expected = trusted
    values = {"$scheme": "https", "$https": "on"}
    for block, node in app_passes(roots(facts[NginxFacts])):
        setting = set_header(block, node, header)
        if setting is not None:
            value = setting.args[1] if len(setting.args) > 1 else ""
            produced = values.get(value, value if "$" not in value else None)
            if produced is None or produced == expected:
                continue
            seen = [f"{setting.evidence()} sends {produced!r} over https, Django expects {expected!r}"]
        else:
            others = [h for name, h in headers(block, "proxy_set_header").items() if name in SCHEME_HEADERS]
            if not others:
                continue
            seen = [f"{others[0].evidence()} sets {others[0].args[0]}, but Django trusts {header}"]
        yield fail_or_unknown(
            spec,
            block,
            f"the {header} header nginx sends",
            subjects=["SECURE_PROXY_SSL_HEADER", "proxy_set_header"],
            location=node.location,
            evidence=[
                *seen,
                f"SECURE_PROXY_SSL_HEADER{where_setting(facts, 'SECURE_PROXY_SSL_HEADER')}"
                f" = ('HTTP_{header.upper().replace('-', '_')}', {expected!r})",
            ],
        )


@check(
    "GL709",
    title="nginx serves STATIC_URL or MEDIA_URL from another directory than STATIC_ROOT/MEDIA_ROOT",
    severity=Severity.MEDIUM,
    needs=(NginxFacts, RuntimeFacts),
    reference=DJANGO + "howto/static-files/deployment/",
    remediation="""
    Point the location at the directory Django writes to:

        location /static/ { alias /srv/app/static/; }   # STATIC_ROOT = "/srv/app/static"
    """,
)
def served_dirs(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "collectstatic will copy all files from your static folders into the STATIC_ROOT
    directory", and uploads land in MEDIA_ROOT; nginx must serve exactly those
    (https://docs.djangoproject.com/en/stable/howto/static-files/deployment/). A different
    ``alias``/``root`` serves stale or missing files. A setting that Django computed under
    the project directory (``BASE_DIR / "media"``) is compared by its tail, since the project
    sits elsewhere on the server. When a Compose file runs nginx, both paths are followed
    through the services' ``volumes:`` (nginx's ``/var/www/media`` and Django's
    ``/app/media`` on one named volume are one directory); a ``${VAR}`` left in a template
    is never compared as a path (the finding is skipped, the directory unknown).
    """
    runtime = facts[RuntimeFacts]
    # Django computes BASE_DIR-relative roots under the Django root (src/ when manage.py is there)
    run = facts.get(RunFacts)
    project = str(run.django_dir) if run is not None else ""
    repo = str(run.project_dir).rstrip("/") if run is not None else ""
    for url_name, root_name in (("STATIC_URL", "STATIC_ROOT"), ("MEDIA_URL", "MEDIA_ROOT")):
        url, root = url_path(runtime.setting(url_name)), runtime.setting(root_name)
        if url is None or not isinstance(root, str) or not root:
            continue
        want = os.path.normpath(root)
        for nfile, server in facts[NginxFacts].servers():
            loc = file_location(facts, server, url)
            served = served_directory(loc, url) if loc is not None and not passes_in(loc) else None
            if served is None:
                continue
            got, node = served
            if project and (want + "/").startswith(project.rstrip("/") + "/"):
                tail = os.path.relpath(want, project)
                if got == want or got.endswith("/" + tail):
                    continue
            elif got == want:
                continue
            if same_files(nfile.deployment, got, want, project.rstrip("/"), repo):
                continue
            evidence = [
                f"{node.evidence()} serves {url} from {got}",
                f"{root_name}{where_setting(facts, root_name)} = {root!r}",
            ]
            if "${" in node.text():  # never compare a template placeholder with a path
                reason = f"{node.text()}: a template placeholder no Compose value sets, directory unknown"
                yield spec.skipped(
                    reason, subjects=[node.name, root_name], location=node.location, evidence=evidence
                )
                continue
            yield spec.fail(subjects=[node.name, root_name], location=node.location, evidence=evidence)


HSTS_RE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@check(
    "GL714",
    title="nginx and SECURE_HSTS_SECONDS send different Strict-Transport-Security policies",
    severity=Severity.LOW,
    needs=(NginxFacts, RuntimeFacts),
    reference="https://www.rfc-editor.org/rfc/rfc6797#section-8.1",
    remediation="""
    Send HSTS from one place. Either drop the add_header in nginx for locations proxied to
    Django, or make both agree:

        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;
        SECURE_HSTS_SECONDS = 31536000
    """,
)
def hsts_consistent(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django adds Strict-Transport-Security to its responses when SECURE_HSTS_SECONDS is
    set, and nginx's ``add_header`` adds a second one on the way out. RFC 6797 section 8.1:
    "If a UA receives more than one STS header field in an HTTP response message over secure
    transport, then the UA MUST process only the first such header field" — with two
    different policies, which one holds depends on header order, not on anyone's intent.
    """
    runtime = facts[RuntimeFacts]
    seconds = runtime.setting("SECURE_HSTS_SECONDS") or 0
    if not isinstance(seconds, int) or seconds <= 0:
        return
    django = {
        "max-age": str(seconds),
        "includeSubDomains": bool(runtime.setting("SECURE_HSTS_INCLUDE_SUBDOMAINS")),
        "preload": bool(runtime.setting("SECURE_HSTS_PRELOAD")),
    }
    reported: set[int] = set()
    for block, node in app_passes(roots(facts[NginxFacts])):
        header = headers(block).get("strict-transport-security")
        if header is None or len(header.args) < 2 or id(header) in reported:
            continue
        value = header.args[1]
        match = HSTS_RE.search(value)
        ours = {
            "max-age": match.group(1) if match else "?",
            "includeSubDomains": "includesubdomains" in value.lower(),
            "preload": "preload" in value.lower(),
        }
        diff = [k for k in django if django[k] != ours[k]]
        if not diff:
            continue
        reported.add(id(header))
        yield spec.fail(
            subjects=["add_header", "Strict-Transport-Security", "SECURE_HSTS_SECONDS"],
            location=header.location,
            evidence=[
                f"{header.evidence()} applies to {node.text()}",
                "Django sends "
                + ", ".join(f"{k}={django[k]}" for k in diff)
                + f" (SECURE_HSTS_SECONDS{where_setting(facts, 'SECURE_HSTS_SECONDS')} = {seconds})",
            ],
        )
