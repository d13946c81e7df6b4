"""The live site as the world sees it (checklist section 8, ids GL8xx).

Every check reads :class:`~golive.collectors.live.LiveFacts` (what the probes of
:mod:`golive.live.probe` saw) and, where it helps, the project's runtime settings
(cookie names). Evidence is the request line and the response lines that matter;
``Set-Cookie`` values are redacted when the facts are made. A probe that could not be
made gives a ``skipped`` outcome (e.g. the certificate is not trusted and ``--insecure``
was not given), a probe that failed in transit an ``error`` outcome, with the reason.

Sources: Django's deployment checklist
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/) and security
guide (https://docs.djangoproject.com/en/stable/topics/security/), RFC 6797 (HSTS),
RFC 6265 (cookies), RFC 8996 (TLS 1.0/1.1), the Fetch standard (CORS), nginx's docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.checks._util import CHECKLIST, SETTINGS
from golive.collectors.live import LiveFacts
from golive.collectors.runtime import RuntimeFacts
from golive.live import pages
from golive.live.facts import CookieInfo, Exchange, SiteFacts
from golive.live.probe import FILES, PROBE_ORIGIN
from golive.model import Finding, Location, Severity, Status
from golive.registry import CheckSpec, Facts, check

SECURITY = "https://docs.djangoproject.com/en/stable/topics/security/"
MIDDLEWARE = "https://docs.djangoproject.com/en/stable/ref/middleware/"
NGINX_CORE = "https://nginx.org/en/docs/http/ngx_http_core_module.html"
ONE_YEAR = 31_536_000
EXPIRY_WARN_DAYS = 21


# -- helpers ---------------------------------------------------------------------------


def _sites(facts: Facts, spec: CheckSpec) -> Iterator[SiteFacts | Finding]:
    """The sites to judge; a site that answered nothing yields an ``error`` outcome instead."""
    for site in facts[LiveFacts].sites:
        if site.error:
            yield spec.finding(
                Status.ERROR, reason=f"{site.url}: {site.error}", location=Location(path=site.url)
            )
        else:
            yield site


def _at(ex: Exchange) -> Location:
    return Location(path=ex.url)


def _missing(spec: CheckSpec, site: SiteFacts, name: str) -> Finding:
    """``skipped`` when the probe was not made, ``error`` when it failed in transit."""
    if name in site.skipped:
        return spec.skipped(site.skipped[name], location=Location(path=site.url))
    last = site.final(name)
    if last is not None and last.error:
        return spec.finding(Status.ERROR, reason=site.why_missing(name), location=_at(last))
    return spec.skipped(f"{site.url}: {site.why_missing(name)}", location=Location(path=site.url))


def _answer(spec: CheckSpec, site: SiteFacts, name: str) -> Exchange | Finding:
    ex = site.final(name)
    if ex is None or not (ex.answered or ex.closed):
        return _missing(spec, site, name)
    return ex


def _https_home(spec: CheckSpec, site: SiteFacts) -> Exchange | Finding:
    """The home page over https, or the outcome saying why there is none."""
    if not site.https_origin:
        return spec.skipped(f"{site.url}: the site has no https URL", location=Location(path=site.url))
    ex = _answer(spec, site, "home")
    if isinstance(ex, Exchange) and ex.scheme != "https":
        return spec.skipped(f"{site.url}: the home page was not probed over https", location=_at(ex))
    return ex


def _home(spec: CheckSpec, site: SiteFacts) -> Exchange | Finding:
    ex = _answer(spec, site, "home")
    if isinstance(ex, Exchange) and not ex.answered:
        return spec.finding(Status.ERROR, reason=f"{ex.request_line()}: connection closed", location=_at(ex))
    return ex


def _setting(facts: Facts, name: str, default: str) -> str:
    runtime = facts.get(RuntimeFacts)
    value = runtime.setting(name) if runtime else None
    return value if isinstance(value, str) and value else default


def _own_exchanges(site: SiteFacts) -> list[Exchange]:
    """Answers to requests made with the site's own Host header."""
    return [ex for ex in site.exchanges() if ex.answered and not ex.host_header]


def _cookies(site: SiteFacts, name: str | None = None) -> list[CookieInfo]:
    seen: dict[str, CookieInfo] = {}
    for ex in _own_exchanges(site):
        for c in ex.cookies:
            if (name is None or c.name == name) and c.name not in seen and c.value_length:
                seen[c.name] = c
    return list(seen.values())


def _cookie_evidence(c: CookieInfo) -> list[str]:
    return [f"GET {c.url}", f"  Set-Cookie: {c.header}"]


# -- HTTPS and HSTS --------------------------------------------------------------------


@check(
    "GL801",
    title="plain http is not redirected to https",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#https",
    remediation="""
    Redirect every plain-http request to https, in nginx:

        server { listen 80; server_name shop.example.com; return 301 https://$host$request_uri; }

    or in Django: SECURE_SSL_REDIRECT = True (with SECURE_PROXY_SSL_HEADER behind a proxy).
    """,
)
def http_not_redirected(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A site reachable over plain http serves its pages, cookies and forms to anyone
    on the network path. Django's checklist: "Any website which allows users to log in
    should enforce site-wide HTTPS".
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        if not site.http_origin:
            yield spec.skipped(
                f"{site.url}: no plain-http URL known (the https URL is on a non-default port):"
                " add --url http://HOST:PORT/"
            )
            continue
        chain = site.chain("http-home")
        first = chain[0] if chain else None
        if first is None or first.error:
            if first is not None and first.error and "refused" in first.error:
                yield spec.passed(evidence=first.evidence(), location=_at(first))
            elif first is not None:
                yield _missing(spec, site, "http-home")
            continue
        if not first.answered:
            continue
        location = first.header("Location") or ""
        if not (
            first.status in (301, 302, 303, 307, 308) and location.lower().startswith("https://")
        ) and not any(ex.scheme == "https" for ex in chain):
            yield spec.fail(
                subjects=["SECURE_SSL_REDIRECT", "return"],
                location=_at(first),
                evidence=first.evidence("Location"),
            )


@check(
    "GL802",
    title="the http → https redirect is not one permanent hop on the same host",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc6797#section-7.2",
    remediation="""
    One hop, permanent, same host: `return 301 https://$host$request_uri;` (nginx), or
    SECURE_SSL_REDIRECT = True (Django answers 301). Then HSTS takes over.
    """,
)
def redirect_shape(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6797 §7.2 (https://www.rfc-editor.org/rfc/rfc6797#section-7.2): the http URL
    should answer with a permanent redirect to the https URL of the same host; a temporary (302/307) redirect
    is not cached, a hop through
    another http URL or another host leaves a plain-http request an attacker can answer.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        chain = site.chain("http-home")
        if not chain or not chain[0].answered or chain[0].status not in (301, 302, 303, 307, 308):
            continue
        first, location = chain[0], chain[0].header("Location") or ""
        target_host = (
            re.sub(r"^https?://([^/:]+).*$", r"\1", location.lower()) if "://" in location else site.host
        )
        problems = []
        if first.status not in (301, 308):
            problems.append(f"status {first.status} is temporary (use 301 or 308)")
        if not location.lower().startswith("https://"):
            problems.append("the first hop does not go to https")
        if target_host != site.host:
            problems.append(f"it goes to another host ({target_host})")
        if problems:
            yield spec.fail(
                subjects=["SECURE_SSL_REDIRECT", "return"],
                location=_at(first),
                evidence=first.evidence("Location", notes=problems),
            )


def _hsts(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(";"):
        key, _, val = part.strip().partition("=")
        if key:
            out[key.strip().lower()] = val.strip().strip('"')
    return out


@check(
    "GL803",
    title="HTTPS responses carry no Strict-Transport-Security header",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference=SECURITY + "#http-strict-transport-security",
    remediation="""
    SECURE_HSTS_SECONDS = 31536000 (Django), or in the nginx server block:

        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    """,
)
def hsts_missing(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Without HSTS (RFC 6797) a browser keeps trying http first, and an attacker on the
    path can strip the redirect. Django's security guide: "For sites that should only be
    accessed over HTTPS, you can instruct modern browsers to refuse to connect to your
    domain name via an insecure connection".
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        ex = _https_home(spec, site)
        if isinstance(ex, Finding):
            yield ex
        elif ex.answered and not ex.header("Strict-Transport-Security"):
            yield spec.fail(
                subjects=["Strict-Transport-Security", "SECURE_HSTS_SECONDS", "add_header"],
                location=_at(ex),
                evidence=ex.evidence("Strict-Transport-Security"),
            )


@check(
    "GL804",
    title="HSTS max-age is under a year, or preload is asked without what it requires",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://hstspreload.org/#submission-requirements",
    remediation="""
    Strict-Transport-Security: max-age=31536000; includeSubDomains[; preload]
    (SECURE_HSTS_SECONDS = 31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS = True,
    SECURE_HSTS_PRELOAD = True only once every subdomain serves https).
    """,
)
def hsts_weak(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A short max-age lets a browser forget the site is https-only; the preload list
    (https://hstspreload.org/) requires "max-age must be at least 31536000 seconds" and
    "The includeSubDomains directive must be specified" when ``preload`` is sent.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        ex = _https_home(spec, site)
        if not isinstance(ex, Exchange) or not ex.header("Strict-Transport-Security"):
            continue
        values = ex.headers_named("Strict-Transport-Security")
        d = _hsts(values[0])
        age = int(d["max-age"]) if d.get("max-age", "").isdigit() else 0
        problems = []
        if age < ONE_YEAR:
            problems.append(f"max-age={age} is under {ONE_YEAR} (one year)")
        if "preload" in d and "includesubdomains" not in d:
            problems.append("preload without includeSubDomains")
        if len(set(values)) > 1:
            problems.append(
                f"{len(values)} different Strict-Transport-Security headers (browsers use the first)"
            )
        if problems:
            yield spec.fail(
                subjects=[
                    "Strict-Transport-Security",
                    "SECURE_HSTS_SECONDS",
                    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                ],
                location=_at(ex),
                evidence=ex.evidence("Strict-Transport-Security", notes=problems),
            )


# -- TLS -------------------------------------------------------------------------------


def _tls_sites(facts: Facts, spec: CheckSpec) -> Iterator[tuple[SiteFacts, Finding | None]]:
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield SiteFacts(url="", host=""), site
        elif site.tls is None:
            yield site, spec.skipped(f"{site.url}: no https URL to inspect", location=Location(path=site.url))
        elif site.tls.error:
            reason = f"{site.tls.target}: {site.tls.error}"
            yield (
                site,
                spec.finding(
                    Status.ERROR, reason=reason, location=Location(path=site.https_origin or site.url)
                ),
            )
        else:
            yield site, None


def _cert_lines(site: SiteFacts) -> list[str]:
    tls = site.tls
    assert tls is not None
    lines = [f"TLS handshake with {tls.target} ({tls.protocol or '?'})"]
    if tls.verify_error:
        lines.append(
            f"  verification failed: {tls.verify_error}"
            + (f" (X509 error {tls.verify_code})" if tls.verify_code else "")
        )
    if tls.cert:
        c = tls.cert
        lines.append(
            f"  subject {c.subject}; issuer {c.issuer}" + (" (self-signed)" if c.self_signed else "")
        )
        lines.append(
            f"  valid {c.not_before} → {c.not_after}; {c.key_type} {c.key_bits} bits;"
            f" SHA-256 {c.sha256[:16]}…"
        )
        if c.san:
            lines.append("  subjectAltName " + ", ".join(c.san[:8]))
    return lines


def _name_matches(host: str, names: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    for name in names:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and host.count(".") == name.count(".") and host.split(".", 1)[1] == name[2:]:
            return True
    return False


@check(
    "GL810",
    title="the certificate chain does not validate",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc5280#section-6",
    remediation="""
    Serve the full chain from a public CA (Let's Encrypt: `ssl_certificate
    /etc/letsencrypt/live/HOST/fullchain.pem;`, not cert.pem). For a private CA, pass
    --cacert to golive and install the CA on every client.
    """,
)
def chain_invalid(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Browsers refuse a certificate whose chain does not lead to a trusted root (RFC
    5280 §6, "Certification Path Validation"): a self-signed certificate, a missing
    intermediate, an unknown CA. Expiry and a wrong name are reported by GL812 and GL811.
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        tls = site.tls
        assert tls is not None
        if not tls.verified and tls.verify_code not in (10, 62):
            yield spec.fail(
                subjects=["ssl_certificate"],
                location=Location(path=site.https_origin or site.url),
                evidence=_cert_lines(site),
            )


@check(
    "GL811",
    title="the certificate does not match the host name",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc6125#section-6",
    remediation="""
    Issue the certificate for every name the site answers to (subjectAltName), e.g.
    `certbot certonly -d shop.example.com -d www.shop.example.com`, and point
    ssl_certificate at it in the server block with that server_name.
    """,
)
def name_mismatch(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6125 §6 (https://www.rfc-editor.org/rfc/rfc6125#section-6): the client checks the host name it
    asked for against the
    certificate's subjectAltName entries; a mismatch is a hard error in every browser.
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        tls = site.tls
        assert tls is not None
        mismatch = tls.verify_code == 62 or (
            not tls.verified and tls.cert is not None and not _name_matches(site.host, tls.cert.san)
        )
        if mismatch:
            yield spec.fail(
                subjects=["ssl_certificate", "server_name"],
                location=Location(path=site.https_origin or site.url),
                evidence=[*_cert_lines(site), f"  asked for {site.host}"],
            )


@check(
    "GL812",
    title="the certificate has expired",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5",
    remediation="""
    Renew it now (`certbot renew`), reload nginx (`systemctl reload nginx`), and make
    renewal automatic (the certbot timer) with monitoring of the expiry date.
    """,
)
def cert_expired(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time
    from notBefore through notAfter, inclusive"; past notAfter every browser shows a
    full-page warning.
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        cert = site.tls.cert if site.tls else None
        if cert is not None and cert.days_left < 0:
            yield spec.fail(
                subjects=["ssl_certificate"],
                location=Location(path=site.https_origin or site.url),
                evidence=[*_cert_lines(site), f"  expired {-cert.days_left:.0f} days ago"],
            )


@check(
    "GL813",
    title=f"the certificate expires within {EXPIRY_WARN_DAYS} days",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference="https://letsencrypt.org/docs/faq/#what-is-the-lifetime-for-let-s-encrypt-certificates-for-how-long-are-they-valid",
    remediation="""
    Renew it (`certbot renew`) and check that automatic renewal works
    (`certbot renew --dry-run`, `systemctl list-timers certbot.timer`).
    """,
)
def cert_expiring(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Let's Encrypt renews certificates 30 days before expiry; one with fewer than 21
    days left means renewal has failed at least once ("We recommend that you
    automatically renew your certificates every 60 days").
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        cert = site.tls.cert if site.tls else None
        if cert is not None and 0 <= cert.days_left < EXPIRY_WARN_DAYS:
            yield spec.fail(
                subjects=["ssl_certificate"],
                location=Location(path=site.https_origin or site.url),
                evidence=[*_cert_lines(site), f"  {cert.days_left:.1f} days left"],
            )


@check(
    "GL814",
    title="the server accepts TLSv1 or TLSv1.1",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc8996",
    remediation="ssl_protocols TLSv1.2 TLSv1.3;  # nginx, in the http or server block",
)
def legacy_tls(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 8996 "formally deprecates Transport Layer Security (TLS) versions 1.0 (RFC
    2246) and 1.1 (RFC 4346)": they lack modern cipher suites and are refused by current
    browsers, so accepting them only serves downgraded or outdated clients.
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        tls = site.tls
        assert tls is not None
        accepted = [v for v, r in tls.legacy.items() if r == "accepted"]
        untested = [f"{v}: {r}" for v, r in tls.legacy.items() if r.startswith("untested")]
        if accepted:
            yield spec.fail(
                subjects=["ssl_protocols"],
                location=Location(path=site.https_origin or site.url),
                evidence=[f"TLS handshake with {tls.target} pinned to {v}: accepted" for v in accepted],
            )
        elif untested and len(untested) == len(tls.legacy):
            yield spec.skipped("; ".join(untested), location=Location(path=site.https_origin or site.url))


@check(
    "GL815",
    title="the certificate's key is too small",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference="https://wiki.mozilla.org/Security/Server_Side_TLS#Recommended_configurations",
    remediation="Issue a new certificate with an RSA 2048+ or ECDSA P-256 key (`certbot --key-type ecdsa`).",
)
def weak_key(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Mozilla's server-side TLS guidelines ("Certificate type: ECDSA (P-256)" or "RSA
    (2048 bits)") and the CA/Browser Forum baseline requirements reject smaller keys.
    """
    for site, outcome in _tls_sites(facts, spec):
        if outcome is not None:
            yield outcome
            continue
        cert = site.tls.cert if site.tls else None
        if cert is None:
            continue
        minimum = 256 if cert.key_type.startswith("EC") else 2048
        known = cert.key_type in ("RSA", "DSA") or cert.key_type.startswith("EC")
        if known and cert.key_bits < minimum:
            yield spec.fail(
                subjects=["ssl_certificate_key"],
                location=Location(path=site.https_origin or site.url),
                evidence=[
                    *_cert_lines(site),
                    f"  {cert.key_type} key of {cert.key_bits} bits (< {minimum})",
                ],
            )


# -- cookies ---------------------------------------------------------------------------


def _cookie_check(
    facts: Facts, spec: CheckSpec, setting: str, default: str, bad: str, subject: str
) -> Iterator[Finding]:
    name = _setting(facts, setting, default)
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        found = _cookies(site, name)
        if not found:
            yield spec.skipped(
                f"{site.url}: no {name} cookie was set by the pages probed ({setting} = {name!r})",
                location=Location(path=site.url),
            )
            continue
        c = found[0]
        wrong = {"secure": not c.secure, "httponly": not c.httponly}[bad]
        if wrong:
            yield spec.fail(
                subjects=[subject, "Set-Cookie"],
                location=Location(path=c.url),
                evidence=[
                    *_cookie_evidence(c),
                    f"  the {name} cookie has no {'Secure' if bad == 'secure' else 'HttpOnly'} flag",
                ],
            )


@check(
    "GL820",
    title="the session cookie is sent without the Secure flag",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-secure",
    remediation="SESSION_COOKIE_SECURE = True",
)
def session_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the session cookie
    over HTTP accidentally." A session cookie without ``Secure`` is sent on any plain-http
    request to the host, where anyone on the path can take over the session.
    """
    yield from _cookie_check(
        facts, spec, "SESSION_COOKIE_NAME", "sessionid", "secure", "SESSION_COOKIE_SECURE"
    )


@check(
    "GL821",
    title="the CSRF cookie is sent without the Secure flag",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference=SETTINGS + "#csrf-cookie-secure",
    remediation="CSRF_COOKIE_SECURE = True",
)
def csrf_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the CSRF cookie over
    HTTP accidentally."
    """
    yield from _cookie_check(facts, spec, "CSRF_COOKIE_NAME", "csrftoken", "secure", "CSRF_COOKIE_SECURE")


@check(
    "GL822",
    title="the session cookie is readable by JavaScript (no HttpOnly)",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-httponly",
    remediation="SESSION_COOKIE_HTTPONLY = True  # Django's default; do not turn it off",
)
def session_cookie_js(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference on SESSION_COOKIE_HTTPONLY: "it makes it less trivial
    for an attacker to escalate a cross-site scripting vulnerability into full hijacking
    of a user's session". (The CSRF cookie need not be HttpOnly: Django's docs say
    CSRF_COOKIE_HTTPONLY offers "no practical benefit".)
    """
    yield from _cookie_check(
        facts, spec, "SESSION_COOKIE_NAME", "sessionid", "httponly", "SESSION_COOKIE_HTTPONLY"
    )


@check(
    "GL823",
    title="a Django cookie has no SameSite attribute, or SameSite=None",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-samesite",
    remediation="""
    SESSION_COOKIE_SAMESITE = "Lax"  # Django's default
    CSRF_COOKIE_SAMESITE = "Lax"
    """,
)
def cookie_samesite(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference: SameSite "prevents the browser from sending this
    cookie along with cross-site requests", a defence in depth against CSRF. Django sets
    ``Lax`` unless told otherwise; ``None`` is only for deliberate cross-site use.
    """
    names = {
        _setting(facts, "SESSION_COOKIE_NAME", "sessionid"): "SESSION_COOKIE_SAMESITE",
        _setting(facts, "CSRF_COOKIE_NAME", "csrftoken"): "CSRF_COOKIE_SAMESITE",
    }
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        found = [c for c in _cookies(site) if c.name in names]
        if not found:
            yield spec.skipped(f"{site.url}: neither {' nor '.join(names)} was set by the pages probed")
            continue
        for c in found:
            if not c.samesite or c.samesite.lower() == "none":
                yield spec.fail(
                    subjects=[names[c.name]],
                    location=Location(path=c.url),
                    evidence=[*_cookie_evidence(c), f"  SameSite: {c.samesite or '(absent)'}"],
                )


@check(
    "GL824",
    title="another cookie is set over https without the Secure flag",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
    remediation="Add `Secure` to the cookie (response.set_cookie(..., secure=True) in Django).",
)
def other_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6265 §4.1.2.5: without the Secure attribute a cookie set over https is also
    sent over plain http, "the user agent will include the cookie in an HTTP request only
    if the request is transmitted over a secure channel" only when Secure is set.
    """
    django = {
        _setting(facts, "SESSION_COOKIE_NAME", "sessionid"),
        _setting(facts, "CSRF_COOKIE_NAME", "csrftoken"),
    }
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        bad = [
            c
            for c in _cookies(site)
            if c.name not in django and c.url.startswith("https://") and not c.secure
        ]
        if bad:
            yield spec.fail(
                subjects=["Set-Cookie", *sorted({c.name for c in bad})],
                location=Location(path=bad[0].url),
                evidence=[line for c in bad[:5] for line in _cookie_evidence(c)],
            )


# -- Host header, DEBUG, admin ---------------------------------------------------------


@check(
    "GL830",
    title="a request with a bogus Host header is served (200)",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=SECURITY + "#host-header-validation",
    remediation="""
    List the real names in ALLOWED_HOSTS (never "*"), and give nginx a default server
    that drops every other Host before it reaches Django:

        server { listen 80 default_server; listen 443 ssl default_server;
                 server_name _; ssl_reject_handshake on; return 444; }
    """,
)
def bogus_host_served(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's security guide: "Django uses the Host header provided by the client to
    construct URLs in certain cases"; a site that answers any Host lets an attacker
    poison password-reset links and caches. A bogus Host must get 400, 444 (no answer)
    or a default page, never the site.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        probes = [n for n in ("bogus-host", "bogus-host-http") if n in site.chains or n in site.skipped]
        if not probes:
            yield _missing(spec, site, "bogus-host")
        for name in probes:
            ex = _answer(spec, site, name)
            if isinstance(ex, Finding):
                yield ex
            elif ex.status is not None and 200 <= ex.status < 300:
                yield spec.fail(
                    subjects=["ALLOWED_HOSTS", "default_server"],
                    location=_at(ex),
                    evidence=ex.evidence(
                        "Content-Type",
                        notes=[f"  {len(ex.body)} bytes of content for a Host that is no one's"],
                    ),
                )


DEBUG_PROBES = ("404", "bogus-host", "bogus-host-http", "home", "form", "preflight")


@check(
    "GL831",
    title="Django's DEBUG page is served to the world",
    severity=Severity.CRITICAL,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#debug",
    remediation="DEBUG = False  # in production; e.g. DEBUG = os.environ.get('DJANGO_DEBUG') == '1'",
)
def debug_page(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "You must never enable debug in production." The technical
    404 page lists every URL pattern; the technical 500 page shows source code, local
    variables and most settings. Recognised by several of the templates' own markers.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        hits = [
            (ex, kind)
            for ex in site.exchanges()
            if ex.answered
            for kind in [pages.debug_page(ex.text)]
            if kind
        ]
        if hits:
            ex, kind = hits[0]
            others = [f"also on {e.request_line()} ({k})" for e, k in hits[1:4]]
            yield spec.fail(
                subjects=["DEBUG"],
                location=_at(ex),
                evidence=ex.evidence(
                    "Content-Type", notes=[f"  recognised as Django's {kind} page", *others]
                ),
            )
        elif "404" not in site.chains:
            yield _missing(spec, site, "404")


@check(
    "GL832",
    title="a page shows a traceback or the settings",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#debug",
    remediation="""
    DEBUG = False, no debugging middleware in production (e.g. werkzeug's debugger), and
    error pages from templates/500.html; send errors to ADMINS or an error tracker.
    """,
)
def traceback_shown(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A Python traceback or a dump of settings in a page (from a debugging tool or a
    hand-made error view rather than Django's debug page, GL831) shows code paths and
    configuration to anyone. Django's checklist: "the debug page ... could display
    sensitive information".
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        for ex in site.exchanges():
            if not ex.answered or pages.debug_page(ex.text):
                continue
            shown = pages.leaks(ex.text) if ex.content_type.startswith("text/html") else []
            if shown:
                yield spec.fail(
                    subjects=["DEBUG", "handler500"],
                    location=_at(ex),
                    evidence=ex.evidence("Content-Type", notes=[f"  the page shows {' and '.join(shown)}"]),
                )
                break


def _admin_found(site: SiteFacts) -> list[tuple[str, Exchange]]:
    out = []
    for name, chain in site.chains.items():
        if (
            name.startswith("admin:")
            and chain
            and chain[-1].status == 200
            and pages.admin_login(chain[-1].text)
        ):
            out.append((name[len("admin:") :], chain[-1]))
    return out


@check(
    "GL840",
    title="the Django admin login is at the default /admin/",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/contrib/admin/#hooking-adminsite-instances-into-your-urlconf",
    remediation="""
    Mount the admin elsewhere (path("backstage-7f3a/", admin.site.urls)), or restrict it
    by address in nginx (location /admin/ { allow 10.0.0.0/8; deny all; ... }).
    """,
)
def admin_default_path(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Every password-guessing bot tries ``/admin/`` first. Moving the admin is no
    access control, but it takes the login out of drive-by scans (OWASP: "Protect
    administrative interfaces", https://cheatsheetseries.owasp.org/).
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        if "admin:/admin/" not in site.chains:
            yield _missing(spec, site, "admin:/admin/")
            continue
        for path, ex in _admin_found(site):
            if path == "/admin/":
                yield spec.fail(
                    subjects=["admin.site.urls"],
                    location=_at(ex),
                    evidence=[
                        *site.chain("admin:/admin/")[0].evidence("Location"),
                        *ex.evidence(notes=["  recognised as the Django admin login form"])[:2],
                    ],
                )


@check(
    "GL841",
    title="the admin login is served over plain http",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#https",
    remediation="""
    Redirect all plain http to https (nginx `return 301 https://$host$request_uri;`, or
    SECURE_SSL_REDIRECT = True), so passwords are never typed into an http page.
    """,
)
def admin_over_http(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A login form over http sends the password in the clear. Django's checklist: "Any
    website which allows users to log in should enforce site-wide HTTPS".
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        found = _admin_found(site)
        plain = [ex for _, ex in found if ex.scheme == "http"]
        http_login = site.final("admin-http")
        if http_login is not None and http_login.status == 200 and pages.admin_login(http_login.text):
            plain.append(http_login)
        if plain:
            ex = plain[0]
            yield spec.fail(
                subjects=["SECURE_SSL_REDIRECT", "return"],
                location=_at(ex),
                evidence=ex.evidence("Location", notes=["  the admin login form is served over http"]),
            )
        elif not found:
            looked = [n[6:] for n in site.chains if n.startswith("admin:")]
            yield spec.skipped(
                f"{site.url}: no admin login found (looked at {', '.join(looked) or 'nothing'})"
                + _admin_hint(facts, looked)
            )


def _admin_hint(facts: Facts, looked: list[str]) -> str:
    """Where the project's URLconf mounts the admin, when the probes did not look there."""
    runtime = facts.get(RuntimeFacts)
    mounted = (
        ["/" + p.strip("/") + "/" for p in (runtime.admin_urls or ()) if p.strip("/")] if runtime else []
    )
    missed = [p for p in mounted if p not in looked]
    return f"; the URLconf mounts it at {missed[0]}: pass --admin-path {missed[0]}" if missed else ""


# -- response headers ------------------------------------------------------------------


def _header_sites(facts: Facts, spec: CheckSpec) -> Iterator[tuple[SiteFacts, Exchange] | Finding]:
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        ex = _home(spec, site)
        yield ex if isinstance(ex, Finding) else (site, ex)


VERSION = re.compile(r"\d+\.\d+")


@check(
    "GL850",
    title="Server or X-Powered-By headers disclose software versions",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=NGINX_CORE + "#server_tokens",
    remediation="""
    server_tokens off;  # nginx, in the http block
    and drop X-Powered-By where it is added (proxy_hide_header X-Powered-By;).
    """,
)
def version_disclosed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx's ``server_tokens`` "Enables or disables emitting nginx version on error
    pages and in the 'Server' response header field"; a version tells an attacker which
    known vulnerabilities to try.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        for ex in [e for e in (site.final("home"), site.final("404")) if e is not None and e.answered]:
            server = ex.header("Server") or ""
            powered = ex.header("X-Powered-By")
            subjects = (["server_tokens", "Server"] if VERSION.search(server) else []) + (
                ["X-Powered-By"] if powered else []
            )
            if subjects:
                yield spec.fail(
                    subjects=subjects, location=_at(ex), evidence=ex.evidence("Server", "X-Powered-By")
                )
                break


def _header_check(
    facts: Facts, spec: CheckSpec, header: str, ok: re.Pattern[str], subjects: list[str]
) -> Iterator[Finding]:
    for item in _header_sites(facts, spec):
        if isinstance(item, Finding):
            yield item
            continue
        _, ex = item
        value = ex.header(header)
        if value is None or not ok.search(value):
            yield spec.fail(subjects=[header, *subjects], location=_at(ex), evidence=ex.evidence(header))


@check(
    "GL851",
    title="X-Content-Type-Options: nosniff is missing",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=SETTINGS + "#secure-content-type-nosniff",
    remediation="SECURE_CONTENT_TYPE_NOSNIFF = True  # Django's default (SecurityMiddleware)",
)
def nosniff_missing(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SecurityMiddleware sets it unless told not to: "prevent the browser from
    guessing the content type" and running an upload as a script (MIDDLEWARE docs).
    """
    yield from _header_check(
        facts,
        spec,
        "X-Content-Type-Options",
        re.compile(r"^\s*nosniff\s*$", re.I),
        ["SECURE_CONTENT_TYPE_NOSNIFF"],
    )


def _csp(ex: Exchange) -> list[str]:
    return ex.headers_named("Content-Security-Policy") + (
        pages.meta_csp(ex.text) if ex.content_type == "text/html" else []
    )


@check(
    "GL852",
    title="the page can be framed by any site (no X-Frame-Options, no frame-ancestors)",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/clickjacking/",
    remediation="""
    Keep django.middleware.clickjacking.XFrameOptionsMiddleware in MIDDLEWARE
    (X_FRAME_OPTIONS = "DENY"), or send Content-Security-Policy: frame-ancestors 'self'.
    """,
)
def framing_allowed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's clickjacking docs: the X-Frame-Options header "indicates whether or not
    a resource is allowed to load within a frame"; without it (or CSP frame-ancestors,
    which supersedes it) any site can overlay the page and steal clicks.
    """
    for item in _header_sites(facts, spec):
        if isinstance(item, Finding):
            yield item
            continue
        _, ex = item
        xfo = (ex.header("X-Frame-Options") or "").strip().upper()
        if xfo in ("DENY", "SAMEORIGIN") or any(
            "frame-ancestors" in v.lower() for v in ex.headers_named("Content-Security-Policy")
        ):
            continue
        yield spec.fail(
            subjects=["X-Frame-Options", "X_FRAME_OPTIONS", "Content-Security-Policy"],
            location=_at(ex),
            evidence=ex.evidence("X-Frame-Options", "Content-Security-Policy"),
        )


@check(
    "GL853",
    title="no Referrer-Policy (or one that leaks full URLs)",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=SETTINGS + "#secure-referrer-policy",
    remediation='SECURE_REFERRER_POLICY = "same-origin"  # Django\'s default is "same-origin"',
)
def referrer_policy(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SecurityMiddleware sends ``Referrer-Policy: same-origin`` by default;
    without it (or with ``unsafe-url``) URLs with tokens leak to other sites in the
    Referer header (https://www.w3.org/TR/referrer-policy/).
    """
    yield from _header_check(
        facts,
        spec,
        "Referrer-Policy",
        re.compile(r"^(?!.*unsafe-url).*[a-z]", re.I),
        ["SECURE_REFERRER_POLICY"],
    )


@check(
    "GL854",
    title="no Cross-Origin-Opener-Policy",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=SETTINGS + "#secure-cross-origin-opener-policy",
    remediation='SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django\'s default',
)
def coop_missing(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference: COOP "allows you to opt-in to cross-origin isolation"
    so a page opened by another site cannot reach into this one's window.
    """
    yield from _header_check(
        facts,
        spec,
        "Cross-Origin-Opener-Policy",
        re.compile(r"same-origin", re.I),
        ["SECURE_CROSS_ORIGIN_OPENER_POLICY"],
    )


@check(
    "GL855",
    title="no Content-Security-Policy",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/csp/",
    remediation="""
    Django 6.0+: add django.middleware.csp.ContentSecurityPolicyMiddleware and
        from django.utils.csp import CSP
        SECURE_CSP = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE]}
    (older Django: django-csp, or add_header Content-Security-Policy "default-src 'self'" always; in nginx).
    """,
)
def csp_missing(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A Content-Security-Policy limits where scripts may come from, the main defence in
    depth against cross-site scripting (https://www.w3.org/TR/CSP3/). Both the header and
    ``<meta http-equiv>`` count; ``Content-Security-Policy-Report-Only`` does not enforce.
    """
    for item in _header_sites(facts, spec):
        if isinstance(item, Finding):
            yield item
            continue
        _, ex = item
        if not _csp(ex):
            yield spec.fail(
                subjects=["Content-Security-Policy", "SECURE_CSP"],
                location=_at(ex),
                evidence=ex.evidence("Content-Security-Policy", "Content-Security-Policy-Report-Only"),
            )


def _directive(policy: str, name: str) -> str | None:
    for part in policy.split(";"):
        tokens = part.strip().split()
        if tokens and tokens[0].lower() == name:
            return " ".join(tokens[1:])
    return None


@check(
    "GL856",
    title="the Content-Security-Policy allows inline scripts ('unsafe-inline')",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://www.w3.org/TR/CSP3/#unsafe-inline-usage",
    remediation="""
    Use nonces instead (Django 6.0+: CSP.NONCE in SECURE_CSP["script-src"] and
    <script nonce="{{ csp_nonce }}">), or move inline scripts into files.
    """,
)
def csp_unsafe_inline(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """CSP3 (https://www.w3.org/TR/CSP3/#unsafe-inline-usage): with ``'unsafe-inline'`` in script-src (or
    default-src when there is
    no script-src), an injected ``<script>`` runs, which defeats the policy's purpose; a
    nonce or a hash makes browsers ignore 'unsafe-inline'.
    """
    for item in _header_sites(facts, spec):
        if isinstance(item, Finding):
            yield item
            continue
        _, ex = item
        for policy in _csp(ex):
            scripts = _directive(policy, "script-src")
            scripts = scripts if scripts is not None else _directive(policy, "default-src")
            if (
                scripts
                and "'unsafe-inline'" in scripts
                and not re.search(r"'(nonce|sha256|sha384|sha512)-", scripts)
            ):
                yield spec.fail(
                    subjects=["Content-Security-Policy", "SECURE_CSP"],
                    location=_at(ex),
                    evidence=ex.evidence(notes=[f"  Content-Security-Policy: {policy}"]),
                )
                break


@check(
    "GL857",
    title="CORS lets any origin read responses with credentials",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference="https://fetch.spec.whatwg.org/#cors-protocol-and-credentials",
    remediation="""
    List the trusted origins (django-cors-headers: CORS_ALLOWED_ORIGINS = ["https://app.example.com"],
    CORS_ALLOW_ALL_ORIGINS = False), and allow credentials only for them.
    """,
)
def cors_credentials(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol): a response with
    ``Access-Control-Allow-Credentials: true``
    lets the named origin read it with the user's cookies. Reflecting any Origin (or
    ``*``) with credentials hands every site the user's data.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        for name in ("home", "preflight"):
            ex = site.final(name)
            if ex is None or not ex.answered:
                continue
            allow = (ex.header("Access-Control-Allow-Origin") or "").strip()
            creds = (ex.header("Access-Control-Allow-Credentials") or "").strip().lower() == "true"
            if creds and allow in ("*", PROBE_ORIGIN):
                yield spec.fail(
                    subjects=[
                        "Access-Control-Allow-Origin",
                        "Access-Control-Allow-Credentials",
                        "CORS_ALLOW_ALL_ORIGINS",
                        "CORS_ALLOW_CREDENTIALS",
                    ],
                    location=_at(ex),
                    evidence=ex.evidence("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"),
                )
                break


# -- files that must not be served ------------------------------------------------------


def _file_hits(site: SiteFacts, names: list[str], recognise: object) -> list[tuple[Exchange, str]]:
    out = []
    for name in names:
        ex = site.final(f"file:{name}")
        if ex is None or ex.status != 200:
            continue
        what = recognise(ex)  # type: ignore[operator]
        if what:
            out.append((ex, str(what)))
    return out


def _file_check(
    facts: Facts, spec: CheckSpec, names: list[str] | None, recognise: object, subjects: list[str]
) -> Iterator[Finding]:
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        probed = [n[5:] for n in site.chains if n.startswith("file:")]
        if not probed:
            yield _missing(spec, site, "file:/.git/HEAD")
            continue
        wanted = [n for n in probed if n in names] if names is not None else [n for n in probed if "../" in n]
        hits = _file_hits(site, wanted, recognise)
        if hits:
            ex = hits[0][0]
            yield spec.fail(
                subjects=subjects,
                location=_at(ex),
                evidence=[
                    line
                    for e, what in hits[:3]
                    for line in e.evidence("Content-Type", notes=[f"  content: {what}"])
                ],
            )


def _git(ex: Exchange) -> str | None:
    return (
        "the repository's HEAD (the whole .git directory is likely readable)"
        if pages.project_file(ex.text) == "git HEAD"
        else None
    )


@check(
    "GL860",
    title="the .git directory is served",
    severity=Severity.CRITICAL,
    needs=(LiveFacts,),
    reference=NGINX_CORE + "#location",
    remediation="""
    Keep the repository out of every served root, and deny dotfiles in nginx:

        location ~ /\\. { deny all; }
    """,
)
def git_served(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A readable ``/.git/`` gives the whole source history, settings and any secret
    ever committed (tools rebuild the repository from it). Django's static files guide
    serves only STATIC_ROOT: "This should be an initially empty destination directory".
    """
    yield from _file_check(facts, spec, ["/.git/HEAD"], _git, ["location", "root", ".git"])


def _env(ex: Exchange) -> str | None:
    if ex.content_type.startswith("text/html"):
        return None
    names = pages.DOTENV_LINE.findall(ex.text)
    count = pages.dotenv(ex.text)
    keys = re.findall(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=", ex.text, re.M)[:5]
    return (
        f"{count} NAME=value lines ({', '.join(keys)}{'…' if count > 5 else ''}; values not shown)"
        if names
        else None
    )


@check(
    "GL861",
    title="a .env file is served",
    severity=Severity.CRITICAL,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Move the file out of every served root, deny dotfiles (`location ~ /\\. { deny all; }`),
    and rotate every secret it held (SECRET_KEY, database and API passwords).
    """,
)
def env_served(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The environment file holds SECRET_KEY and the database password; Django's
    checklist: "The secret key must be a large random value and it must be kept secret."
    """
    yield from _file_check(facts, spec, ["/.env"], _env, ["location", "root", ".env"])


def _project(ex: Exchange) -> str | None:
    kind = pages.project_file(ex.text)
    if kind:
        return kind
    return _env(ex)


@check(
    "GL862",
    title="a static/media alias lets requests climb out of its directory",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=NGINX_CORE + "#alias",
    remediation="""
    End the location and the alias with a slash alike:

        location /static/ { alias /srv/app/static/; }   # not: location /static { alias ...static/; }
    """,
)
def alias_traversal(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``location /static { alias /srv/app/static/; }`` maps ``/static../manage.py`` to
    ``/srv/app/static/../manage.py``: the project's code and settings are one request
    away (the "off-by-slash" misconfiguration gixy reports as ``alias_traversal``).
    """
    yield from _file_check(facts, spec, None, _project, ["alias", "location"])


def _settings_file(ex: Exchange) -> str | None:
    return "Django settings source" if pages.project_file(ex.text) == "settings" else None


@check(
    "GL863",
    title="a settings file is served",
    severity=Severity.CRITICAL,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Serve only STATIC_ROOT and MEDIA_ROOT (nginx `root`/`alias` never at the project
    directory), and rotate SECRET_KEY and every password in the file.
    """,
)
def settings_served(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A web server whose root is the project directory serves ``settings.py`` as text:
    SECRET_KEY and the database credentials. Django's checklist: "keep it secret".
    """
    names = [n for n in ("/settings.py", "/local_settings.py")]
    names += [
        n[5:]
        for s in facts[LiveFacts].sites
        for n in s.chains
        if n.startswith("file:/") and n.endswith(".py") and n[5:] not in names and "../" not in n
    ]
    yield from _file_check(facts, spec, names, _settings_file, ["root", "SECRET_KEY"])


def _dump(ex: Exchange) -> str | None:
    return pages.database_dump(ex.body)


@check(
    "GL864",
    title="a database file or dump is served",
    severity=Severity.CRITICAL,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Keep databases and dumps outside every served root (and off the web server); delete
    any left there, and treat the data (password hashes, sessions) as leaked.
    """,
)
def dump_served(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``/db.sqlite3`` or a ``.sql`` dump at the site root gives away every user's data
    and password hash. Django's checklist on databases: "Database connection parameters
    are probably different for development and production".
    """
    names = [f for f in FILES if f.endswith((".sql", ".sqlite3"))]
    yield from _file_check(facts, spec, names, _dump, ["root", "DATABASES"])


# -- error pages -----------------------------------------------------------------------


def _default_page(ex: Exchange) -> str | None:
    kind = pages.debug_page(ex.text)
    if kind:
        return f"Django's {kind} DEBUG page"
    server = pages.default_error_page(ex.text)
    return f"{server}'s built-in error page" if server else None


@check(
    "GL870",
    title="the 404 page is Django's or nginx's default, not the project's",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="""
    Add templates/404.html (and 500.html, 400.html, 403.html) in the site's design, and
    for pages nginx answers itself: error_page 404 /404.html;
    """,
)
def default_404(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Django includes default views and templates for several
    HTTP error codes. You may want to override the default templates by creating the
    following templates in your root template directory: 404.html, 500.html, 403.html,
    and 400.html."
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        ex = _answer(spec, site, "404")
        if isinstance(ex, Finding):
            yield ex
        elif ex.answered and (what := _default_page(ex)):
            yield spec.fail(
                subjects=["404.html", "handler404", "error_page"],
                location=_at(ex),
                evidence=ex.evidence(notes=[f"  recognised as {what}"]),
            )


@check(
    "GL871",
    title="the 400 page is Django's or nginx's default, not the project's",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="Add templates/400.html in the site's design (and error_page 400 /400.html; in nginx).",
)
def default_400(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist lists 400.html among the templates to override ("Customize
    the default error views"); a 400 is what a request with a bad Host gets.
    """
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        answers = [
            ex for n in ("bogus-host", "bogus-host-http") if (ex := site.final(n)) and ex.status == 400
        ]
        if not answers:
            yield spec.skipped(
                f"{site.url}: no 400 answer seen (a bogus Host got no answer or another status)"
            )
            continue
        for ex in answers:
            if what := _default_page(ex):
                yield spec.fail(
                    subjects=["400.html", "handler400", "error_page"],
                    location=_at(ex),
                    evidence=ex.evidence(notes=[f"  recognised as {what}"]),
                )
                break
