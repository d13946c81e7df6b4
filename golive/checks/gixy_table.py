"""gixy-ng's plugins in golive's terms: one id each, golive's severity with the reason for it,
title, remediation and subjects (:mod:`golive.checks.gixy` makes a check of each).

golive's severity is calibrated against what the rule can cost a Django site, the reason
beside it (:data:`_GIXY_TABLE`, docs/severity.md). Source: gixy-ng's check pages
(https://gixy.getpagespeed.com/checks/).
"""

from __future__ import annotations

import re

from golive.facts.nginx import GixyResult
from golive.model import Severity

# --- gixy-ng: one id per plugin --------------------------------------------------------------

#: gixy-ng's severities → golive's scale (for the record: golive's own severity of each plugin
#: is calibrated in :data:`_GIXY_TABLE`).
GIXY_SEVERITY = {
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
    "UNSPECIFIED": Severity.INFO,
}
_GIXY_RANK = {"UNSPECIFIED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
#: Plugins whose reports go above the plugin's own severity (gixy-ng's highest per-report one).
_GIXY_TOP = {
    "origins": "HIGH",
    "add_header_multiline": "HIGH",
    "add_header_redefinition": "MEDIUM",
    "missing_resolver": "HIGH",
}

#: The gixy-ng plugins, one golive id each: "id gixy-severity golive-severity plugin: title",
#: then the remediation, then (``why:``, over one or more lines) why golive's severity is
#: what it is for a Django site (see
#: docs/severity.md), each indented. golive's severity is the highest the check reports
#: (what ``golive checks`` lists); a report gixy-ng itself ranks below the plugin's top
#: severity is lowered by as many steps (:func:`gixy_severity`). ``nginx_cves`` is not run:
#: it needs the server's nginx version.
_GIXY_TABLE = r"""
GL750 MEDIUM LOW host_spoofing: the proxied Host header may be spoofed
    proxy_set_header Host $host;  # not $http_host
    why: Django checks every Host against ALLOWED_HOSTS (GL201 reports a wildcard), so a spoofed Host
        is refused before an absolute URL is built from it
GL751 HIGH HIGH http_splitting: possible HTTP response splitting
    Keep $uri and unescaped captures out of headers.
    why: a link anyone can send makes the site answer with headers of the attacker's choosing, such
        as a Set-Cookie on the site's domain or a body with script
GL752 HIGH HIGH ssrf: possible server-side request forgery
    Never build proxy_pass targets from request data.
    why: a request picks where nginx connects, reaching services that only trust the server's own
        network (the database, the cloud metadata endpoint)
GL753 HIGH HIGH alias_traversal: path traversal through alias
    location /static/ { alias /srv/static/; }
    why: /static../ reads the parent of the aliased folder, which on a Django server is often the
        project with its settings and env file
GL754 UNSPECIFIED MEDIUM origins: Origin/Referer check matches untrusted domains
    Anchor it: ~ ^https://(www\.)?example\.com$
    why: the gate the regex guards (CORS headers added by nginx, usually) opens to an attacker's
        domain; Django's CSRF check still compares Origin with CSRF_TRUSTED_ORIGINS, so state-
        changing requests stay protected
GL755 HIGH LOW valid_referers: valid_referers accepts requests without a Referer
    Remove `none` from valid_referers.
    why: a Referer check is hotlink protection, not access control: Django's CSRF protection does not
        rely on it, and clients may omit the header anyway
GL756 LOW MEDIUM add_header_redefinition: a nested add_header drops the parent's
    Repeat the parent's add_header lines.
    why: a location that drops the server's HSTS or CSP loses that protection (gixy-ng ranks the
        report medium then); dropping other headers is low
GL757 LOW LOW add_header_multiline: a header value spans several lines
    Write the header value on one line.
    why: the header is sent broken or cut; it spoils the header it carries (a CSP that no longer
        applies) but exposes nothing by itself
GL758 LOW LOW add_header_content_type: Content-Type set with add_header
    default_type text/plain;
    why: responses carry two Content-Type headers and browsers pick one; a correctness problem,
        seldom a security one
GL759 HIGH LOW version_disclosure: server_tokens discloses the nginx version
    server_tokens off;  # in the http block
    why: the version opens nothing by itself; it tells a scanner which nginx CVEs to try, and the
        version's own vulnerabilities are what matters
GL760 HIGH HIGH weak_ssl_tls: weak TLS configuration
    ssl_protocols TLSv1.2 TLSv1.3;
    why: by what fired, judged by Mozilla's TLS profile: NULL, export or anonymous suites (no
        encryption or no authentication) high; RC4, 3DES or TLSv1.0/1.1 medium; a missing directive,
        a selection golive cannot prove strong or ssl_prefer_server_ciphers on low
GL761 MEDIUM MEDIUM hsts_header: missing or weak HSTS in nginx
    add_header Strict-Transport-Security "max-age=31536000" always;
    why: without HSTS an attacker on the path can strip the first plain-http request (the same as
        Django's security.W004); a short max-age is low
GL762 LOW LOW default_server_flag: servers share a socket without default_server
    listen 80 default_server;  # GL701
    why: nginx picks the first server as the default, which may not be the one meant to catch unknown
        hosts (GL701 judges what the default server does)
GL763 HIGH MEDIUM if_is_evil: if inside a location
    In a location, use `if` only with return or rewrite ... last.
    why: directives in such an if apply in surprising ways (proxy headers or access rules silently
        not applied); a correctness risk that can weaken a protection, not an exposure by itself
GL764 HIGH HIGH allow_without_deny: allow without deny
    allow 10.0.0.0/8; deny all;
    why: the location meant to be restricted (an admin, a metrics endpoint) is open to everyone
GL765 MEDIUM LOW return_bypasses_allow_deny: return bypasses allow/deny
    Move `return` out of the guarded location.
    why: what the return sends (usually a redirect or a fixed text) is answered to everyone; the
        guarded content itself stays behind allow/deny
GL766 MEDIUM LOW status_page_exposed: stub_status reachable by anyone
    location = /status { stub_status; allow 127.0.0.1; deny all; }
    why: connection counters only: no user data, no configuration
GL767 MEDIUM HIGH filesystem_root_exposure: the filesystem root is served
    root /srv/app/public;  # never /
    why: any file nginx's user can read is downloadable, the project's settings, env file and keys
        included
GL768 MEDIUM LOW error_log_off: error_log off writes to a file named off
    error_log /dev/null crit;
    why: errors go to a file named off in nginx's prefix, not where anyone looks; nothing is exposed
GL769 MEDIUM LOW hash_without_default: map or geo without a default
    map $x $y { default 0; ... }
    why: an unmatched value gives an empty string; a correctness risk, which matters only where the
        map decides access
GL770 MEDIUM LOW invalid_regex: reference to a capture group that does not exist
    Use only the regex's own groups.
    why: the reference expands to nothing, breaking a rewrite or redirect; nothing is exposed
GL771 HIGH MEDIUM regex_redos: regular expression open to ReDoS
    Rewrite the regex without nested quantifiers.
    why: a crafted URL ties up a worker (availability); no data is exposed
GL772 LOW LOW unanchored_regex: unanchored location regex
    location ~ \.php$ { ... }
    why: the location matches more URLs than meant; slower, and surprising, seldom unsafe
GL773 LOW INFO regex_exact_match: regex location that could be an exact match
    location = /health { ... }
    why: performance only: an exact match is cheaper than a regex
GL774 MEDIUM LOW proxy_pass_normalized: proxy_pass with a path normalises the URI
    proxy_pass http://app;  # no URI part
    why: Django receives the decoded, normalised path and routes it by its own URLconf; the risk is
        an nginx location rule that the decoded path escapes, rare when routing is left to Django
GL775 MEDIUM MEDIUM missing_resolver: proxy target resolved only at start-up
    resolver 127.0.0.53; set $up app; ...
    why: when the target's address changes (a cloud load balancer, gixy-ng ranks those high) nginx
        keeps sending requests to the old address until reloaded: an outage, or traffic to an
        address now someone else's; other hosts are low
GL776 HIGH MEDIUM resolver_external: resolver points at an external DNS server
    resolver 127.0.0.53;
    why: answers from a resolver across the internet can be spoofed, and a spoofed proxy target
        receives the site's requests; a resolver that only serves OCSP stapling is low (the CA signs
        OCSP answers: a spoofed one only makes stapling fail)
GL777 MEDIUM INFO try_files_is_evil_too: try_files without open_file_cache
    open_file_cache max=1000 inactive=20s;
    why: performance only: extra file-system lookups per request
GL778 LOW INFO low_keepalive_requests: keepalive_requests below 1000
    keepalive_requests 1000;
    why: performance only: clients reconnect more often
GL779 MEDIUM LOW worker_rlimit_nofile_vs_connections: worker_rlimit_nofile below 2 x worker_connections
    worker_rlimit_nofile 2048;
    why: under heavy load workers run out of file descriptors and refuse connections (availability at
        peak); nothing is exposed
GL780 LOW LOW http2_misdirected_request: TLS default server without a 421 safeguard
    location / { return 421; }
    why: an HTTP/2 connection reused for another name may reach the wrong server; GL701 covers
        unknown hosts
GL781 MEDIUM LOW ssl_stapling_without_resolver: OCSP stapling without a resolver
    resolver 127.0.0.53;
    why: stapling silently does nothing; clients check revocation themselves (or, as browsers do, not
        at all): slower, not less safe
GL782 LOW INFO ssl_stapling_letsencrypt: OCSP stapling for a Let's Encrypt certificate
    ssl_stapling off;
    why: Let's Encrypt ended its OCSP service in 2025: stapling does nothing and logs an error
GL783 HIGH MEDIUM ssl_ecdh_curve: ssl_ecdh_curve names only post-quantum groups
    ssl_ecdh_curve X25519MLKEM768:X25519;
    why: clients without those groups cannot connect at all: an outage for them, no exposure
GL784 HIGH LOW quic_bpf_reuseport: quic_bpf with reuseport
    Drop `quic_bpf on` or `reuseport`, or upgrade nginx.
    why: QUIC connections may drop after a reload; HTTP/3 clients fall back to HTTP/2
"""
#: gixy-ng plugin → (golive id, gixy-ng's severity for it).
GIXY_PLUGINS: dict[str, tuple[str, str]] = {}
#: gixy-ng plugin → (title, remediation).
GIXY_TEXT: dict[str, tuple[str, str]] = {}
#: gixy-ng plugin → golive's severity (the highest the check reports).
GIXY_GOLIVE: dict[str, Severity] = {}
#: gixy-ng plugin → why golive's severity is what it is for a Django site.
GIXY_REASON: dict[str, str] = {}
for _entry in re.split(r"\n(?=GL\d)", _GIXY_TABLE.strip("\n")):
    _head, _fix, *_why = _entry.splitlines()
    _words, _title = _head.split(": ", 1)
    _id, _severity, _golive, _plugin = _words.split()
    GIXY_PLUGINS[_plugin], GIXY_TEXT[_plugin] = (_id, _severity), (_title, _fix.strip())
    GIXY_GOLIVE[_plugin] = Severity[_golive]
    GIXY_REASON[_plugin] = " ".join(w.strip() for w in _why).removeprefix("why: ")


def gixy_severity(plugin: str, reported: str) -> Severity:
    """golive's severity of one gixy-ng report: the plugin's calibrated severity
    (:data:`GIXY_GOLIVE`), lowered by as many steps as gixy-ng ranks this report below the
    plugin's top severity (``add_header_redefinition`` is medium when a security header is
    dropped, low otherwise). Never above the plugin's golive severity."""
    top = _GIXY_RANK[_GIXY_TOP.get(plugin, GIXY_PLUGINS[plugin][1])]
    drop = max(0, top - _GIXY_RANK.get(reported, top))
    return Severity(max(Severity.INFO, GIXY_GOLIVE[plugin] - drop))


#: gixy-ng plugin → what its findings are about, in nginx's and HTTP's own names: the
#: directives (and HTTP headers) the plugin judges, never the block gixy-ng hangs a report on
#: (``server`` for a missing HSTS header). weak_ssl_tls's subjects follow what it reported
#: (:data:`_TLS_SUBJECTS`).
GIXY_SUBJECTS: dict[str, tuple[str, ...]] = {
    "host_spoofing": ("proxy_set_header", "Host"),
    "http_splitting": ("add_header",),
    "ssrf": ("proxy_pass",),
    "alias_traversal": ("alias", "location"),
    "origins": ("if", "Origin", "Referer"),
    "valid_referers": ("valid_referers", "Referer"),
    "add_header_redefinition": ("add_header",),
    "add_header_multiline": ("add_header",),
    "add_header_content_type": ("add_header", "Content-Type"),
    "version_disclosure": ("server_tokens",),
    "weak_ssl_tls": ("ssl_protocols", "ssl_ciphers"),
    "hsts_header": ("Strict-Transport-Security", "add_header"),
    "default_server_flag": ("listen",),
    "if_is_evil": ("if", "location"),
    "allow_without_deny": ("allow", "deny"),
    "return_bypasses_allow_deny": ("return", "allow", "deny"),
    "status_page_exposed": ("stub_status",),
    "filesystem_root_exposure": ("root",),
    "error_log_off": ("error_log",),
    "hash_without_default": ("map",),
    "invalid_regex": ("rewrite",),
    "regex_redos": ("location",),
    "unanchored_regex": ("location",),
    "regex_exact_match": ("location",),
    "proxy_pass_normalized": ("proxy_pass",),
    "missing_resolver": ("proxy_pass", "resolver"),
    "resolver_external": ("resolver",),
    "try_files_is_evil_too": ("try_files", "open_file_cache"),
    "low_keepalive_requests": ("keepalive_requests",),
    "worker_rlimit_nofile_vs_connections": ("worker_rlimit_nofile", "worker_connections"),
    "http2_misdirected_request": ("default_server", "return"),
    "ssl_stapling_without_resolver": ("ssl_stapling", "resolver"),
    "ssl_stapling_letsencrypt": ("ssl_stapling",),
    "ssl_ecdh_curve": ("ssl_ecdh_curve",),
    "quic_bpf_reuseport": ("quic_bpf", "listen"),
}
#: Plugins that judge whichever directive gixy-ng names (``return``/``rewrite``/``add_header``
#: for http_splitting, ``map``/``geo`` for hash_without_default): that directive is the subject.
_NAMED_DIRECTIVE = frozenset(
    {"http_splitting", "filesystem_root_exposure", "hash_without_default", "invalid_regex", "regex_redos"}
)
#: Blocks gixy-ng may hang a report on: never a subject by themselves.
_BLOCKS = frozenset({"http", "server", "events", "stream", "upstream"})
#: weak_ssl_tls's report (its summary) → the directive it is about.
_TLS_SUBJECTS = {
    "Insecure TLS protocols enabled": ("ssl_protocols",),
    "Missing ssl_protocols directive": ("ssl_protocols",),
    "Weak SSL/TLS ciphers enabled": ("ssl_ciphers",),
    "Possibly weak SSL/TLS cipher selection": ("ssl_ciphers",),
    "Missing ssl_ciphers directive": ("ssl_ciphers",),
    "Server cipher preference enabled unnecessarily": ("ssl_prefer_server_ciphers",),
}


def gixy_subjects(result: GixyResult) -> tuple[str, ...]:
    """A gixy-ng finding's subjects (:data:`GIXY_SUBJECTS`): the directive gixy-ng names
    for the plugins that judge any directive (:data:`_NAMED_DIRECTIVE`), the one weak_ssl_tls
    reported on, else the plugin's own; a plugin missing from the table keeps the directive
    gixy-ng names (or its own name)."""
    if result.plugin == "weak_ssl_tls" and result.summary in _TLS_SUBJECTS:
        return _TLS_SUBJECTS[result.summary]
    named = result.directive if result.directive and result.directive not in _BLOCKS else ""
    if result.plugin in _NAMED_DIRECTIVE and named:
        return (named,)
    return GIXY_SUBJECTS.get(result.plugin) or (named or result.directive or result.plugin,)
