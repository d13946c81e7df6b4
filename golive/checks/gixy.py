"""The web server as gixy-ng sees it (checklist section 7, ids GL750-GL784).

gixy-ng's plugins run in-process by the nginx collector; each plugin gets one golive id
(:data:`GIXY_PLUGINS`), with golive's own severity for each, calibrated against what the
rule can cost a Django site and the reason beside it (:mod:`golive.checks.gixy_table`,
docs/severity.md). golive's own nginx rules are GL701-GL714 in
:mod:`golive.checks.webserver`. Source: gixy-ng's check pages
(https://gixy.getpagespeed.com/checks/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from msgspec import Struct
from msgspec.structs import replace

from golive.checks._nginx import gixy_unknown
from golive.checks._tls import INTERMEDIATE_CIPHERS, Profile, profile
from golive.checks.gixy_context import BARE_CR, alias_already_served, bare_cr_only
from golive.checks.gixy_table import (
    GIXY_GOLIVE,
    GIXY_PLUGINS,
    GIXY_REASON,
    GIXY_SEVERITY,
    GIXY_SUBJECTS,
    GIXY_TEXT,
    gixy_severity,
    gixy_subjects,
)
from golive.facts.nginx import STOCK_SOURCE, GixyResult, NginxFacts
from golive.facts.nginx_tree import PASS_DIRECTIVES, walk
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity, Status
from golive.registry import CheckSpec, Facts, check


class _Variant(Struct, frozen=True):
    """What one kind of weak_ssl_tls report is about: severity, title, subjects, fix."""

    severity: Severity
    title: str
    remediation: str
    out_of_profile: Callable[[Profile], bool] = lambda p: True


def _weak_tls_variant(result: GixyResult, prof: Profile) -> _Variant | None:
    """GL760's title, severity and fix for what gixy-ng's weak_ssl_tls reported (its summary),
    judged by Mozilla's TLS profile; None when the report is within the profile."""
    summary = result.summary
    label = prof.label
    ciphers = f"ssl_ciphers {INTERMEDIATE_CIPHERS};  # {label}"
    if summary == "Insecure TLS protocols enabled":
        old = [
            p
            for p in ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
            if re.search(rf"\b{re.escape(p)}\b", result.reason)
        ]
        if all(p in prof.protocols for p in old):
            return None
        return _Variant(
            Severity.MEDIUM,
            "TLS protocols older than TLSv1.2 are enabled",
            f"{prof.nginx_protocols}  # {label}",
        )
    if summary == "Weak SSL/TLS ciphers enabled":
        broken = re.search(r"\b(NULL|ADH|AECDH|EXP)", result.reason)
        return _Variant(
            Severity.HIGH if broken else Severity.MEDIUM,
            "ssl_ciphers enables weak cipher suites"
            + (" (no encryption or no authentication)" if broken else ""),
            ciphers,
        )
    if summary == "Possibly weak SSL/TLS cipher selection":
        return _Variant(Severity.LOW, "ssl_ciphers selects suites golive cannot prove strong", ciphers)
    if summary == "Server cipher preference enabled unnecessarily":
        return _Variant(
            Severity.LOW,
            "ssl_prefer_server_ciphers on: the server's cipher order overrides the client's",
            f"ssl_prefer_server_ciphers off;  # {label}: with only strong suites, let the client"
            " pick (ChaCha20 for phones without AES hardware)",
        )
    if summary == "Missing ssl_protocols directive":
        return _Variant(
            Severity.LOW,
            "no ssl_protocols: nginx's default list applies (TLSv1 and TLSv1.1 before nginx 1.23.4)",
            f"{prof.nginx_protocols}  # {label}",
        )
    if summary == "Missing ssl_ciphers directive":
        return _Variant(
            Severity.LOW,
            "no ssl_ciphers: nginx's default HIGH:!aNULL:!MD5 applies, with suites without forward secrecy",
            ciphers,
        )
    return _Variant(Severity.HIGH, "weak TLS configuration", f"{prof.nginx_protocols}\n{ciphers}")


def _resolves_at_run_time(nginx: NginxFacts) -> bool:
    """True when some proxy target is resolved while nginx runs: a variable in a ``*_pass``
    (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass: "the server name
    is searched among the described server groups, and, if not found, is determined using
    a resolver"), or an upstream ``server ... resolve``."""
    for f in nginx.parsed:
        assert f.root is not None
        for chain in walk((f.root,)):
            node = chain[-1]
            if node.name in PASS_DIRECTIVES and any("$" in a for a in node.args):
                return True
            if node.name == "server" and not node.is_block and "resolve" in node.args[1:]:
                return True
    return False


_OCSP_ONLY = (
    "nginx resolves no proxy target at run time here (no variable in a *_pass, no upstream server"
    " with resolve): the resolver serves OCSP stapling, whose answers the CA signs, so a spoofed"
    " answer can only make stapling fail"
)


def _gixy_finding(spec: CheckSpec, result: GixyResult, facts: Facts) -> Finding | None:
    evidence = [result.summary + (f": {result.reason}" if result.reason else "")]
    if result.source.startswith(STOCK_SOURCE):
        evidence.append(f"in {result.source} (the file is not in the repository)")
    elif result.source:
        evidence.append(f"in {result.source} (nginx -T dump)")
    excerpt = [line.replace("\t", "    ").rstrip() for line in result.excerpt.splitlines()]
    evidence += [line for line in excerpt if line.strip()][:12]
    severity = gixy_severity(result.plugin, result.severity)
    title, remediation = None, None
    if result.plugin == "weak_ssl_tls":
        variant = _weak_tls_variant(result, profile(facts))
        if variant is None:
            return None
        severity, title, remediation = (
            min(variant.severity, spec.severity),
            variant.title,
            variant.remediation,
        )
        evidence.append(profile(facts).judged)
    elif result.plugin == "resolver_external" and not _resolves_at_run_time(facts[NginxFacts]):
        severity = min(severity, Severity.LOW)
        evidence.append(_OCSP_ONLY)
    elif bare_cr_only(result):
        severity = min(severity, Severity.LOW)
        evidence.insert(1, BARE_CR)
    elif served := alias_already_served(facts[NginxFacts], result):
        severity = min(severity, Severity.LOW)
        evidence.insert(1, served)
    return spec.fail(
        subjects=gixy_subjects(result),
        location=result.location,
        evidence=evidence,
        severity=severity,
        title=title,
        remediation=remediation,
    )


def _suppressed(facts: Facts, result: GixyResult) -> bool:
    """Django-aware filter: gixy's "missing HSTS" is moot when Django sends HSTS itself."""
    runtime = facts.get(RuntimeFacts)
    if result.plugin == "hsts_header" and runtime is not None and "missing" in result.summary.lower():
        return bool(runtime.setting("SECURE_HSTS_SECONDS"))
    return False


def _gixy_check(plugin: str) -> CheckSpec:
    check_id, gixy = GIXY_PLUGINS[plugin]
    title, remediation = GIXY_TEXT[plugin]
    golive = GIXY_GOLIVE[plugin]
    url = f"https://gixy.getpagespeed.com/checks/{plugin.replace('_', '-')}/"

    def run(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        nginx = facts[NginxFacts]
        for result in nginx.gixy:
            if result.plugin == plugin and not _suppressed(facts, result):
                finding = _gixy_finding(spec, result, facts)
                if finding is None:
                    continue
                unknown = gixy_unknown(nginx, plugin, result.location, result.directive)
                yield replace(finding, status=Status.SKIPPED, reason=unknown) if unknown else finding

    run.__doc__ = (
        f"gixy-ng's ``{plugin}`` plugin, run in-process on the parsed configuration; its page "
        f"{url} explains the risk and the fix. gixy-ng ranks it {gixy}; golive reports it at most"
        f" {golive.label}: {GIXY_REASON[plugin]}. A report gixy-ng ranks lower is lowered as"
        " many steps (docs/severity.md)."
    )
    return check(
        check_id,
        title=f"gixy-ng {plugin}: {title}",
        severity=golive,
        needs=(NginxFacts,),
        reference=url,
        remediation=remediation,
    )(run)


gixy_host_spoofing = _gixy_check("host_spoofing")
gixy_http_splitting = _gixy_check("http_splitting")
gixy_ssrf = _gixy_check("ssrf")
gixy_alias_traversal = _gixy_check("alias_traversal")
gixy_origins = _gixy_check("origins")
gixy_valid_referers = _gixy_check("valid_referers")
gixy_add_header_redefinition = _gixy_check("add_header_redefinition")
gixy_add_header_multiline = _gixy_check("add_header_multiline")
gixy_add_header_content_type = _gixy_check("add_header_content_type")
gixy_version_disclosure = _gixy_check("version_disclosure")
gixy_weak_ssl_tls = _gixy_check("weak_ssl_tls")
gixy_hsts_header = _gixy_check("hsts_header")
gixy_default_server_flag = _gixy_check("default_server_flag")
gixy_if_is_evil = _gixy_check("if_is_evil")
gixy_allow_without_deny = _gixy_check("allow_without_deny")
gixy_return_bypasses_allow_deny = _gixy_check("return_bypasses_allow_deny")
gixy_status_page_exposed = _gixy_check("status_page_exposed")
gixy_filesystem_root_exposure = _gixy_check("filesystem_root_exposure")
gixy_error_log_off = _gixy_check("error_log_off")
gixy_hash_without_default = _gixy_check("hash_without_default")
gixy_invalid_regex = _gixy_check("invalid_regex")
gixy_regex_redos = _gixy_check("regex_redos")
gixy_unanchored_regex = _gixy_check("unanchored_regex")
gixy_regex_exact_match = _gixy_check("regex_exact_match")
gixy_proxy_pass_normalized = _gixy_check("proxy_pass_normalized")
gixy_missing_resolver = _gixy_check("missing_resolver")
gixy_resolver_external = _gixy_check("resolver_external")
gixy_try_files_is_evil_too = _gixy_check("try_files_is_evil_too")
gixy_low_keepalive_requests = _gixy_check("low_keepalive_requests")
gixy_worker_rlimit = _gixy_check("worker_rlimit_nofile_vs_connections")
gixy_http2_misdirected_request = _gixy_check("http2_misdirected_request")
gixy_ssl_stapling_without_resolver = _gixy_check("ssl_stapling_without_resolver")
gixy_ssl_stapling_letsencrypt = _gixy_check("ssl_stapling_letsencrypt")
gixy_ssl_ecdh_curve = _gixy_check("ssl_ecdh_curve")
gixy_quic_bpf_reuseport = _gixy_check("quic_bpf_reuseport")

__all__ = [
    "GIXY_GOLIVE",
    "GIXY_PLUGINS",
    "GIXY_REASON",
    "GIXY_SEVERITY",
    "GIXY_SUBJECTS",
    "GIXY_TEXT",
    "gixy_severity",
    "gixy_subjects",
]
