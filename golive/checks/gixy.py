"""The web server as gixy-ng sees it (checklist section 7, ids GL750-GL784).

gixy-ng's plugins run in-process by the nginx collector; each plugin gets one golive id
(:data:`GIXY_PLUGINS`), with gixy-ng's severities mapped by :data:`GIXY_SEVERITY` (the
one place they are mapped). golive's own nginx rules are GL701-GL714 in
:mod:`golive.checks.webserver`. Source: gixy-ng's check pages
(https://gixy.getpagespeed.com/checks/).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from golive.checks._nginx import gixy_unknown
from golive.collectors.nginx import GixyResult, NginxFacts
from golive.collectors.runtime import RuntimeFacts
from golive.facts.nginx import STOCK_SOURCE
from golive.model import Finding, Severity, Status
from golive.registry import CheckSpec, Facts, check

# --- gixy-ng: one id per plugin --------------------------------------------------------------

#: gixy-ng's severities → golive's (the one place they are mapped).
GIXY_SEVERITY = {
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "UNSPECIFIED": Severity.INFO,
}

#: The gixy-ng plugins, one golive id each: "id gixy-severity plugin: title", then the
#: remediation, indented. ``nginx_cves`` is not run: it needs the server's nginx version.
_GIXY_TABLE = r"""
GL750 MEDIUM host_spoofing: the proxied Host header may be spoofed
    proxy_set_header Host $host;  # not $http_host
GL751 HIGH http_splitting: possible HTTP response splitting
    Keep $uri and unescaped captures out of headers.
GL752 HIGH ssrf: possible server-side request forgery
    Never build proxy_pass targets from request data.
GL753 HIGH alias_traversal: path traversal through alias
    location /static/ { alias /srv/static/; }
GL754 UNSPECIFIED origins: Origin/Referer check matches untrusted domains
    Anchor it: ~ ^https://(www\.)?example\.com$
GL755 HIGH valid_referers: valid_referers accepts requests without a Referer
    Remove `none` from valid_referers.
GL756 LOW add_header_redefinition: a nested add_header drops the parent's
    Repeat the parent's add_header lines.
GL757 LOW add_header_multiline: a header value spans several lines
    Write the header value on one line.
GL758 LOW add_header_content_type: Content-Type set with add_header
    default_type text/plain;
GL759 HIGH version_disclosure: server_tokens discloses the nginx version
    server_tokens off;  # in the http block
GL760 HIGH weak_ssl_tls: weak TLS protocols or ciphers
    ssl_protocols TLSv1.2 TLSv1.3;
GL761 MEDIUM hsts_header: missing or weak HSTS in nginx
    add_header Strict-Transport-Security "max-age=31536000" always;
GL762 LOW default_server_flag: servers share a socket without default_server
    listen 80 default_server;  # GL701
GL763 HIGH if_is_evil: if inside a location
    In a location, use `if` only with return or rewrite ... last.
GL764 HIGH allow_without_deny: allow without deny
    allow 10.0.0.0/8; deny all;
GL765 MEDIUM return_bypasses_allow_deny: return bypasses allow/deny
    Move `return` out of the guarded location.
GL766 MEDIUM status_page_exposed: stub_status reachable by anyone
    location = /status { stub_status; allow 127.0.0.1; deny all; }
GL767 MEDIUM filesystem_root_exposure: the filesystem root is served
    root /srv/app/public;  # never /
GL768 MEDIUM error_log_off: error_log off writes to a file named off
    error_log /dev/null crit;
GL769 MEDIUM hash_without_default: map or geo without a default
    map $x $y { default 0; ... }
GL770 MEDIUM invalid_regex: reference to a capture group that does not exist
    Use only the regex's own groups.
GL771 HIGH regex_redos: regular expression open to ReDoS
    Rewrite the regex without nested quantifiers.
GL772 LOW unanchored_regex: unanchored location regex
    location ~ \.php$ { ... }
GL773 LOW regex_exact_match: regex location that could be an exact match
    location = /health { ... }
GL774 MEDIUM proxy_pass_normalized: proxy_pass with a path normalises the URI
    proxy_pass http://app;  # no URI part
GL775 MEDIUM missing_resolver: proxy target resolved only at start-up
    resolver 127.0.0.53; set $up app; ...
GL776 HIGH resolver_external: resolver points at an external DNS server
    resolver 127.0.0.53;
GL777 MEDIUM try_files_is_evil_too: try_files without open_file_cache
    open_file_cache max=1000 inactive=20s;
GL778 LOW low_keepalive_requests: keepalive_requests below 1000
    keepalive_requests 1000;
GL779 MEDIUM worker_rlimit_nofile_vs_connections: worker_rlimit_nofile below 2 x worker_connections
    worker_rlimit_nofile 2048;
GL780 LOW http2_misdirected_request: TLS default server without a 421 safeguard
    location / { return 421; }
GL781 MEDIUM ssl_stapling_without_resolver: OCSP stapling without a resolver
    resolver 127.0.0.53;
GL782 LOW ssl_stapling_letsencrypt: OCSP stapling for a Let's Encrypt certificate
    ssl_stapling off;
GL783 HIGH ssl_ecdh_curve: ssl_ecdh_curve names only post-quantum groups
    ssl_ecdh_curve X25519MLKEM768:X25519;
GL784 HIGH quic_bpf_reuseport: quic_bpf with reuseport
    Drop `quic_bpf on` or `reuseport`, or upgrade nginx.
"""
#: gixy-ng plugin → (golive id, gixy-ng's severity for it).
GIXY_PLUGINS: dict[str, tuple[str, str]] = {}
#: gixy-ng plugin → (title, remediation).
GIXY_TEXT: dict[str, tuple[str, str]] = {}
_LINES = _GIXY_TABLE.strip("\n").splitlines()
for _head, _fix in zip(_LINES[::2], _LINES[1::2], strict=True):
    _words, _title = _head.split(": ", 1)
    _id, _severity, _plugin = _words.split()
    GIXY_PLUGINS[_plugin], GIXY_TEXT[_plugin] = (_id, _severity), (_title, _fix.strip())


def _gixy_finding(spec: CheckSpec, result: GixyResult) -> Finding:
    evidence = [result.summary + (f": {result.reason}" if result.reason else "")]
    if result.source.startswith(STOCK_SOURCE):
        evidence.append(f"in {result.source} (the file is not in the repository)")
    elif result.source:
        evidence.append(f"in {result.source} (nginx -T dump)")
    excerpt = [line.replace("\t", "    ").rstrip() for line in result.excerpt.splitlines()]
    evidence += [line for line in excerpt if line.strip()][:12]
    finding = spec.fail(
        subjects=[_subject(result)],
        location=result.location,
        evidence=evidence,
    )
    severity = GIXY_SEVERITY.get(result.severity, spec.severity)
    return replace(finding, severity=severity) if severity != spec.severity else finding


def _subject(result: GixyResult) -> str:
    return result.directive or result.plugin


def _suppressed(facts: Facts, result: GixyResult) -> bool:
    """Django-aware filter: gixy's "missing HSTS" is moot when Django sends HSTS itself."""
    runtime = facts.get(RuntimeFacts)
    if result.plugin == "hsts_header" and runtime is not None and "missing" in result.summary.lower():
        return bool(runtime.setting("SECURE_HSTS_SECONDS"))
    return False


def _gixy_check(plugin: str) -> CheckSpec:
    check_id, severity = GIXY_PLUGINS[plugin]
    title, remediation = GIXY_TEXT[plugin]
    url = f"https://gixy.getpagespeed.com/checks/{plugin.replace('_', '-')}/"

    def run(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        nginx = facts[NginxFacts]
        for result in nginx.gixy:
            if result.plugin == plugin and not _suppressed(facts, result):
                finding = _gixy_finding(spec, result)
                unknown = gixy_unknown(nginx, plugin, result.location, result.directive)
                yield replace(finding, status=Status.SKIPPED, reason=unknown) if unknown else finding

    run.__doc__ = (
        f"gixy-ng's ``{plugin}`` plugin, run in-process on the parsed configuration; its page "
        f"{url} explains the risk and the fix. Severity as gixy-ng gives it ({severity}),"
        " through :data:`GIXY_SEVERITY`."
    )
    return check(
        check_id,
        title=f"gixy-ng {plugin}: {title}",
        severity=GIXY_SEVERITY[severity],
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

__all__ = ["GIXY_PLUGINS", "GIXY_SEVERITY", "GIXY_TEXT"]
