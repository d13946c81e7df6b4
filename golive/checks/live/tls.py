"""Live site, TLS (GL810–GL817): chain, host name, expiry, protocol versions, key size,
key exchange. The protocol and key-exchange rules (GL814, GL816, GL817) follow Mozilla's
server-side TLS guidelines, "intermediate" profile unless ``tls_profile`` in ``[tool.golive]``
says otherwise (:mod:`golive.checks._tls`); their evidence names the profile.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._tls import INTERMEDIATE_CIPHERS, profile
from golive.checks.live.common import EXPIRY_WARN_DAYS, site_check
from golive.facts.live import SiteFacts, TlsFacts
from golive.model import Finding, Location, Severity, Status
from golive.registry import CheckSpec, Facts, Outcome


def handshake(site: SiteFacts) -> TlsFacts:
    """The site's TLS handshakes; raises the outcome when there are none (no https URL:
    skipped) or none succeeded (error)."""
    if site.tls is None:
        raise Outcome(Status.SKIPPED, f"{site.url}: no https URL to inspect", Location(path=site.url))
    if site.tls.error:
        reason = f"{site.tls.target}: {site.tls.error}"
        raise Outcome(Status.ERROR, reason, Location(path=site.https_origin or site.url))
    return site.tls


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


@site_check(
    "GL810",
    title="the certificate chain does not validate",
    severity=Severity.HIGH,
    reference="https://www.rfc-editor.org/rfc/rfc5280#section-6",
    remediation="""
    Serve the full chain from a public CA (Let's Encrypt: `ssl_certificate
    /etc/letsencrypt/live/HOST/fullchain.pem;`, not cert.pem). For a private CA, pass
    --cacert to golive and install the CA on every client.
    """,
)
def chain_invalid(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Browsers refuse a certificate whose chain does not lead to a trusted root (RFC
    5280 §6, "Certification Path Validation"): a self-signed certificate, a missing
    intermediate, an unknown CA. Expiry and a wrong name are reported by GL812 and GL811.
    """
    tls = handshake(site)
    if not tls.verified and tls.verify_code not in (10, 62):
        yield spec.fail(
            subjects=["ssl_certificate"],
            location=Location(path=site.https_origin or site.url),
            evidence=_cert_lines(site),
        )


@site_check(
    "GL811",
    title="the certificate does not match the host name",
    severity=Severity.HIGH,
    reference="https://www.rfc-editor.org/rfc/rfc6125#section-6",
    remediation="""
    Issue the certificate for every name the site answers to (subjectAltName), e.g.
    `certbot certonly -d shop.example.com -d www.shop.example.com`, and point
    ssl_certificate at it in the server block with that server_name.
    """,
)
def name_mismatch(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6125 §6 (https://www.rfc-editor.org/rfc/rfc6125#section-6): the client checks the host name it
    asked for against the
    certificate's subjectAltName entries; a mismatch is a hard error in every browser.
    """
    tls = handshake(site)
    mismatch = tls.verify_code == 62 or (
        not tls.verified and tls.cert is not None and not _name_matches(site.host, tls.cert.san)
    )
    if mismatch:
        yield spec.fail(
            subjects=["ssl_certificate", "server_name"],
            location=Location(path=site.https_origin or site.url),
            evidence=[*_cert_lines(site), f"  asked for {site.host}"],
        )


@site_check(
    "GL812",
    title="the certificate has expired",
    severity=Severity.HIGH,
    reference="https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5",
    remediation="""
    Renew it now (`certbot renew`), reload nginx (`systemctl reload nginx`), and make
    renewal automatic (the certbot timer) with monitoring of the expiry date.
    """,
)
def cert_expired(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 5280 §4.1.2.5: "The validity period for a certificate is the period of time
    from notBefore through notAfter, inclusive"; past notAfter every browser shows a
    full-page warning.
    """
    cert = handshake(site).cert
    if cert is not None and cert.days_left < 0:
        yield spec.fail(
            subjects=["ssl_certificate"],
            location=Location(path=site.https_origin or site.url),
            evidence=[*_cert_lines(site), f"  expired {-cert.days_left:.0f} days ago"],
        )


@site_check(
    "GL813",
    title=f"the certificate expires within {EXPIRY_WARN_DAYS} days",
    severity=Severity.MEDIUM,
    reference="https://letsencrypt.org/docs/faq/#what-is-the-lifetime-for-let-s-encrypt-certificates-for-how-long-are-they-valid",
    remediation="""
    Renew it (`certbot renew`) and check that automatic renewal works
    (`certbot renew --dry-run`, `systemctl list-timers certbot.timer`).
    """,
)
def cert_expiring(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Let's Encrypt renews certificates 30 days before expiry; one with fewer than 21
    days left means renewal has failed at least once ("We recommend that you
    automatically renew your certificates every 60 days").
    """
    cert = handshake(site).cert
    if cert is not None and 0 <= cert.days_left < EXPIRY_WARN_DAYS:
        yield spec.fail(
            subjects=["ssl_certificate"],
            location=Location(path=site.https_origin or site.url),
            evidence=[*_cert_lines(site), f"  {cert.days_left:.1f} days left"],
        )


@site_check(
    "GL814",
    title="the server accepts TLSv1 or TLSv1.1",
    severity=Severity.MEDIUM,
    reference="https://www.rfc-editor.org/rfc/rfc8996",
    remediation="ssl_protocols TLSv1.2 TLSv1.3;  # nginx, in the http or server block",
)
def legacy_tls(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 8996 "formally deprecates Transport Layer Security (TLS) versions 1.0 (RFC
    2246) and 1.1 (RFC 4346)": they lack modern cipher suites and are refused by current
    browsers, so accepting them only serves downgraded or outdated clients. Mozilla's
    server-side TLS guidelines allow them in the "old" profile only: with ``tls_profile =
    "old"`` in ``[tool.golive]`` (a site that must serve very old clients) they pass.
    """
    prof = profile(facts)
    tls = handshake(site)
    accepted = [v for v, r in tls.legacy.items() if r.startswith("accepted")]
    untested = [f"{v}: {r}" for v, r in tls.legacy.items() if r.startswith("untested")]
    where = Location(path=site.https_origin or site.url)
    lines = [f"TLS handshake with {tls.target} pinned to {v}: {tls.legacy[v]}" for v in accepted]
    if accepted and all(v in prof.protocols for v in accepted):
        yield spec.passed(
            subjects=["ssl_protocols"],
            location=where,
            evidence=[*lines, f"{prof.label}: {', '.join(prof.protocols)} allowed"],
        )
    elif accepted:
        yield spec.fail(
            subjects=["ssl_protocols"],
            location=where,
            evidence=[*lines, f"{prof.label}: only {' and '.join(prof.protocols)}"],
        )
    elif untested and len(untested) == len(tls.legacy):
        yield spec.skipped("; ".join(untested), location=where)


@site_check(
    "GL815",
    title="the certificate's key is too small",
    severity=Severity.MEDIUM,
    reference="https://wiki.mozilla.org/Security/Server_Side_TLS#Recommended_configurations",
    remediation="Issue a new certificate with an RSA 2048+ or ECDSA P-256 key (`certbot --key-type ecdsa`).",
)
def weak_key(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Mozilla's server-side TLS guidelines ("Certificate type: ECDSA (P-256)" or "RSA
    (2048 bits)") and the CA/Browser Forum baseline requirements reject smaller keys.
    """
    cert = handshake(site).cert
    if cert is None:
        return
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


MOZILLA_INTERMEDIATE = INTERMEDIATE_CIPHERS


@site_check(
    "GL816",
    title="the server accepts RSA key exchange (no forward secrecy)",
    severity=Severity.MEDIUM,
    reference="https://www.rfc-editor.org/rfc/rfc9325#section-4.1",
    remediation=f"""
    Offer only forward-secret suites (Mozilla's "intermediate" configuration); nginx's
    default (HIGH:!aNULL:!MD5) still includes RSA key exchange:

        ssl_ciphers {MOZILLA_INTERMEDIATE};
        ssl_prefer_server_ciphers off;

    Reported medium when a modern client gets no forward secrecy, low when RSA key exchange
    is only a fallback for clients that offer nothing better (pass with tls_profile = "old").
    """,
)
def rsa_key_exchange(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 9325 (BCP 195) §4.1: implementations "SHOULD NOT negotiate cipher suites based
    on RSA key transport, a.k.a. 'static RSA'": whoever obtains the certificate's private
    key later can decrypt every recorded session. Judged by Mozilla's server-side TLS
    guidelines (https://wiki.mozilla.org/Security/Server_Side_TLS), "intermediate" profile
    unless ``tls_profile`` says otherwise:

    - **medium**: a modern client gets no forward secrecy: offered what a browser offers
      over TLS 1.2 (forward-secret suites first), the server chose RSA key transport. SSL
      Labs caps the grade for this; no Mozilla profile allows it.
    - **low**: RSA key exchange is accepted only from a client that offers nothing better
      (tested with a TLS 1.2 handshake offering only such suites), while modern clients get
      forward secrecy: a fallback for very old clients, outside the intermediate and modern
      profiles; the "old" profile allows it (pass).
    """
    prof = profile(facts)
    tls = handshake(site)
    where = Location(path=site.https_origin or site.url)
    browser = tls.browser_tls12
    chosen = browser.split(": ", 1)[1] if browser.startswith("accepted: ") else ""
    if chosen and not _forward_secret(chosen):
        yield spec.fail(
            subjects=["ssl_ciphers", "ssl_prefer_server_ciphers"],
            location=where,
            evidence=[
                f"TLS 1.2 handshake with {tls.target} offering a browser's suites, forward-secret"
                f" ones first: the server chose {chosen}",
                f"{prof.label}: a modern client got no forward secrecy (the server prefers RSA key"
                " exchange over the forward-secret suites it was offered)",
            ],
        )
        return
    if tls.static_rsa.startswith("accepted"):
        line = (
            f"TLS 1.2 handshake with {tls.target} offering only RSA key exchange suites (kRSA):"
            f" {tls.static_rsa}"
        )
        if prof.rsa_kex:
            yield spec.passed(
                subjects=["ssl_ciphers"],
                location=where,
                evidence=[
                    line,
                    f"{prof.label}: RSA key exchange is allowed for very old clients; a modern"
                    " client negotiated forward secrecy",
                ],
            )
            return
        yield spec.fail(
            subjects=["ssl_ciphers"],
            location=where,
            severity=Severity.LOW,
            evidence=[
                line,
                f"{prof.label}: RSA key exchange is not in the profile; a modern client negotiated"
                " forward secrecy, so only clients that offer nothing better fall back to it",
            ],
        )
    elif tls.static_rsa.startswith("untested") or not tls.static_rsa:
        yield spec.skipped(tls.static_rsa or "the RSA key exchange handshake was not made", location=where)
    else:
        yield spec.passed(
            subjects=["ssl_ciphers"],
            location=where,
            evidence=[f"TLS 1.2 handshake with {tls.target} offering only kRSA suites: refused"],
        )


def _forward_secret(cipher: str) -> bool:
    """True for an (EC)DHE suite or a TLS 1.3 one (every TLS 1.3 suite is forward-secret)."""
    return cipher.startswith(("ECDHE-", "DHE-", "EDH-", "TLS_"))


@site_check(
    "GL817",
    title="the server does not offer TLS 1.3",
    severity=Severity.LOW,
    reference="https://www.rfc-editor.org/rfc/rfc9325#section-3.1.1",
    remediation="""
    ssl_protocols TLSv1.2 TLSv1.3;  # nginx with OpenSSL 1.1.1 or later
    in the http block, or in the default_server of each https address as well: the
    protocol is agreed before the Host is known, with that server's list (nginx before
    1.23.4 leaves TLSv1.3 out of its default list).
    """,
)
def no_tls13(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 9325 (BCP 195) §3.1.1: implementations "SHOULD support TLS 1.3 and, if
    implemented, MUST prefer to negotiate TLS 1.3 over earlier versions". TLS 1.3 is
    faster (one round trip) and has only forward-secret, AEAD suites. golive's client
    offers TLS 1.3, so a server that supports it negotiates it. A common cause with
    nginx: ``ssl_protocols`` set in the site's server block only, while the address's
    default server (whose list is the one used for the handshake) keeps nginx's default,
    which before 1.23.4 is "TLSv1 TLSv1.1 TLSv1.2" (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols).
    """
    tls = handshake(site)
    where = Location(path=site.https_origin or site.url)
    line = f"TLS handshake with {tls.target}: negotiated {tls.protocol or '?'} ({tls.cipher or '?'})"
    if tls.protocol is None:
        yield spec.skipped(f"{tls.target}: no protocol version was negotiated", location=where)
    elif tls.protocol != "TLSv1.3" and not ssl_has_tls13():
        yield spec.skipped("this Python's OpenSSL cannot offer TLS 1.3", location=where)
    elif tls.protocol != "TLSv1.3":
        prof = profile(facts)
        yield spec.fail(
            subjects=["ssl_protocols"],
            location=where,
            evidence=[line, f"{prof.label}: {', '.join(prof.protocols)}"],
        )
    else:
        yield spec.passed(subjects=["ssl_protocols"], location=where, evidence=[line])


def ssl_has_tls13() -> bool:
    """True when this Python's OpenSSL can offer TLS 1.3 (else GL817 cannot judge)."""
    import ssl  # here: an audit without --url never asks, and ssl costs every command its import

    return bool(getattr(ssl, "HAS_TLSv1_3", False))
