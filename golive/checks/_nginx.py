"""Helpers the nginx checks share (:mod:`golive.checks.webserver`,
:mod:`golive.checks.webserver_exposure`, :mod:`golive.checks.gixy`,
:mod:`golive.checks.webserver_context`): a failing finding that becomes *unknown* when an
include golive could not read may hold what the rule misses (DESIGN.md: "Unknown is not
pass, not fail") or *not applicable* when nginx is reached only through another proxy;
the Compose mounts behind a served directory; the settings and locations the rules read."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from golive.facts.compose import Service, Volume
from golive.facts.nginx import NginxDeployment, NginxFacts, NginxFile, unknown_reason
from golive.facts.nginx_tree import (
    PASS_DIRECTIVES,
    Chain,
    Node,
    effective,
    effective_value,
    find_location,
    listens,
    passes_in,
    server_names,
    walk,
)
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Location
from golive.registry import CheckSpec, Facts


def fail_or_unknown(
    spec: CheckSpec, chain: Chain, what: str, internal: str | None = None, **kw: Any
) -> Finding:
    """``spec.fail(**kw)``, or a skipped finding with the same subjects, location and evidence
    when the rule does not apply (``internal``: the reason, see :func:`internal_reason`) or
    when an unresolved ``include`` at some level of ``chain`` may set ``what`` (its reason:
    ``include snippets/ssl-params.conf at site.conf:9 is not in the repository: TLS
    protocols unknown``)."""
    reason = internal or unknown_reason(chain, what)
    return spec.skipped(reason, **kw) if reason else spec.fail(**kw)


def chain_at(nginx: NginxFacts, location: Location | None, directive: str) -> Chain | None:
    """The chain of the directive named ``directive`` at ``location`` (a gixy-ng report's
    place), or of the innermost block there; None when no parsed node is there."""
    if location is None:
        return None
    found: Chain | None = None
    path, line = location.path, location.line
    for f in nginx.parsed:
        assert f.root is not None
        for chain in walk((f.root,)):
            node = chain[-1]  # node.location == location, without building a Location per node
            if node.path == path and node.line == line and (node.name == directive or found is None):
                found = chain
                if node.name == directive:
                    return found
    return found


#: gixy-ng plugins that report something *missing*, and what an unread include could set instead.
GIXY_ABSENCE = {
    "hsts_header": "Strict-Transport-Security",
    "version_disclosure": "server_tokens",
    "http2_misdirected_request": "the default server's answer",
    "ssl_stapling_without_resolver": "the resolver",
    "allow_without_deny": "the deny rules",
    "try_files_is_evil_too": "open_file_cache",
}


#: gixy-ng plugins about the client-facing TLS and HSTS of nginx (moot behind another proxy).
GIXY_FRONT = frozenset({"hsts_header", "http2_misdirected_request"})


def gixy_unknown(nginx: NginxFacts, plugin: str, location: Location | None, directive: str) -> str | None:
    """Why a gixy-ng report does not stand: it is about the client-facing side of an nginx
    reached only through another proxy (:func:`internal_reason`), or about something missing
    that an unread include in the blocks around it may set; else None."""
    what = GIXY_ABSENCE.get(plugin)
    chain = chain_at(nginx, location, directive) if what or plugin in GIXY_FRONT else None
    if chain is None:
        return None
    internal = internal_reason(nginx, chain) if plugin in GIXY_FRONT else None
    return internal or (unknown_reason(chain, what) if what else None)


def _redirect(node: Node | None) -> bool:
    ret = node.first("return") if node is not None else None
    return ret is not None and ret.args[:1] in (("301",), ("302",), ("303",), ("307",), ("308",))


def only_redirects(server: Chain) -> bool:
    """True for a server that hands nothing to the app and answers every request with a
    redirect: ``return 301 https://...`` at server level (run before any location is chosen:
    https://nginx.org/en/docs/http/ngx_http_rewrite_module.html#return), or in the location
    ``/`` picks, with no ``*_pass`` anywhere in the server (an ACME ``root`` location aside)."""
    if any(chain[-1].name in PASS_DIRECTIVES for chain in walk(server)):
        return False
    if _redirect(server[-1]):
        return True
    loc = find_location(server, "/")
    return loc is not None and _redirect(loc[-1])


def file_of(nginx: NginxFacts, chain: Chain) -> NginxFile | None:
    """The audited file whose tree ``chain`` is in."""
    return next((f for f in nginx.parsed if f.root is chain[0]), None) if chain else None


def internal_reason(nginx: NginxFacts, chain: Chain) -> str | None:
    """Why TLS, redirect and HSTS rules do not apply to the nginx of ``chain``: a Compose
    file shows it reached only through another proxy (:class:`NginxDeployment.internal`)."""
    f = file_of(nginx, chain)
    return f.deployment.internal if f is not None and f.deployment is not None else None


def routed_by_host(nginx: NginxFacts, chain: Chain) -> str | None:
    """Why unknown Host headers never reach the nginx of ``chain``: it is internal and the
    proxy in front routes to it by ``Host(...)`` rules only; else None."""
    f = file_of(nginx, chain)
    dep = f.deployment if f is not None else None
    if dep is None or dep.internal is None or not dep.host_rules:
        return None
    return f"{dep.internal}; it routes only {', '.join(dep.host_rules)} to it"


def _on_host(vol: Volume, rest: str) -> str:
    """Where a mounted path lives: ``volume:NAME/rest`` or the repository path."""
    if vol.named:
        return posixpath.normpath(f"volume:{vol.source}/{rest}")
    return posixpath.normpath(posixpath.join(vol.source, rest))


def _django_side(other: Service, want: str, django_dir: str, repo_dir: str) -> str | None:
    """Where ``want`` (Django's setting) lives, seen through service ``other``'s mounts."""
    inside = bool(django_dir) and (want + "/").startswith(django_dir.rstrip("/") + "/")
    if not inside:
        found = other.source_of(want)
        return _on_host(*found) if found is not None else None
    tail = posixpath.relpath(want, django_dir)
    shared = [v for v in other.volumes if not v.copied]  # an image's copy is shared with no one
    for vol in shared:  # a volume mounted where BASE_DIR/tail is in the container
        target = posixpath.normpath(vol.target)
        if vol.named and (target.endswith("/" + tail) or target.strip("/") == tail):
            return _on_host(vol, "")
    host = posixpath.relpath(want, repo_dir) if repo_dir and (want + "/").startswith(repo_dir + "/") else ""
    for vol in shared:  # the repository (or a folder of it holding BASE_DIR) bind-mounted
        source = posixpath.normpath(vol.source)
        if host and not vol.named and (source == "." or (host + "/").startswith(source + "/")):
            return posixpath.normpath(host)
    return None


def same_files(
    deployment: NginxDeployment | None, served: str, want: str, django_dir: str, repo_dir: str
) -> str | None:
    """How the directory nginx serves (``served``, a container path) and Django's ``want``
    (a setting: a path under ``django_dir`` as computed on this machine, or a container
    path) are one directory seen through Compose mounts, or None when the mounts do not show it.

    nginx's path is followed through its service's volumes to a repository folder or a
    named volume; Django's through the other services' volumes: a BASE_DIR-relative setting
    by its tail (a named volume mounted at ``.../staticfiles``) or through a bind mount of
    the repository folder holding it (``.:/app``), an absolute one by its mount."""
    if deployment is None:
        return None
    mine = deployment.service.source_of(served)
    if mine is None:
        return None
    nginx_side = _on_host(*mine)
    for other in deployment.siblings:
        if _django_side(other, want, django_dir, repo_dir) == nginx_side:
            return (
                f"{served} in {deployment.service.name} and the setting's directory in {other.name}"
                f" are both {nginx_side}"
            )
    return None


def runtime_of(facts: Facts) -> RuntimeFacts | None:
    """The settings as Django loaded them, or None when the runtime collector did not run."""
    return facts.get(RuntimeFacts)


def where_setting(facts: Facts, name: str) -> str:
    """`` (settings/base.py:12)`` where setting ``name`` is assigned, ``""`` when unknown."""
    from golive.checks._util import where

    loc = where(facts, name)
    return f" ({loc})" if loc else ""


def roots(nginx: NginxFacts) -> list[Node]:
    """The parsed trees of the audited files."""
    return [f.root for f in nginx.parsed if f.root is not None]


def url_path(value: Any) -> str | None:
    """``"media/"`` → ``"/media/"``; None for an absolute URL (a CDN) or an unset value."""
    if not isinstance(value, str) or not value or "://" in value or value.startswith("//"):
        return None
    return value if value.startswith("/") else "/" + value


def file_location(facts: Facts, server: Chain, url: str) -> Chain | None:
    """The location serving ``url`` from disk, when it is not the app's catch-all."""
    loc = find_location(server, url + "golive-probe.jpg")
    if loc is None or len(loc) == len(server) or loc[-1].args[-1] == "/":
        return None
    return loc


#: Content types browsers never sniff into HTML (https://mimesniff.spec.whatwg.org/).
INERT_TYPES = ("text/plain", "application/octet-stream")


def inert_types(chain: Chain) -> bool:
    """True when the location types every file alike as an inert type: an empty ``types``
    block in force (https://nginx.org/en/docs/http/ngx_http_core_module.html#types) and
    ``default_type`` ``text/plain`` or ``application/octet-stream``."""
    types = effective(chain, "types")
    default = effective_value(chain, "default_type")
    empty = bool(types) and all(not t.children for t in types)
    return empty and default is not None and default.args[:1] in tuple((t,) for t in INERT_TYPES)


#: Directives that show what a location answers with, when written in it.
CONTENT_DIRECTIVES = ("alias", "root", "return", "try_files", "stub_status", "autoindex")


def hidden_passes(nginx: NginxFacts) -> Iterator[tuple[Chain, Node]]:
    """Each ``location`` that shows no handler (no ``*_pass``, ``alias``, ``root``,
    ``return``...) but holds an unresolved ``include``, with that include: the file may hold
    the ``proxy_pass``/``uwsgi_pass`` (an entrypoint script writing ``/run/app/uwsgi_pass``
    at start-up), so what it sends the app is unknown."""
    for root in roots(nginx):
        for chain in walk((root,)):
            node = chain[-1]
            if node.name != "location" or not node.is_block:
                continue
            handled = any(node.first(name) is not None for name in CONTENT_DIRECTIVES)
            if not handled and not passes_in(chain):
                for include in node.find("include"):
                    if include.args:
                        yield chain, include
                        break


def hidden_pass_reason(chain: Chain, include: Node, what: str) -> str:
    """The reason a rule about what nginx sends the app is unknown for ``chain``."""
    return (
        f"`include {include.args[0]}` at {include.where} is not in the repository: whether"
        f" {chain[-1].text()} passes requests to the app, and {what}, unknown"
    )


OFFICIAL_IMAGE_RE = re.compile(
    r"^(?:docker\.io/)?(?:library/)?(?:nginxinc/nginx-unprivileged|nginx)(?::([\w.-]+))?$"
)
FLOATING_TAG_RE = re.compile(
    r"(latest|stable|mainline|alpine|perl|otel|slim|bookworm|trixie)[\w.]*(-[\w.]+)*"
)


def official_image_tls(f: NginxFile) -> str | None:
    """Why a site file's TLS servers need no ``ssl_protocols`` of their own: a Compose service
    runs it in the official nginx image (https://hub.docker.com/_/nginx), whose nginx.conf
    sets none, at nginx 1.23.4 or later (a floating tag such as ``stable`` or ``alpine`` is
    such a release today), where the default is TLSv1.2 TLSv1.3
    (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_protocols). None otherwise."""
    dep = f.deployment
    match = OFFICIAL_IMAGE_RE.match(dep.service.image) if dep is not None and f.kind == "fragment" else None
    if dep is None or match is None:
        return None
    tag = match.group(1) or "latest"
    version = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", tag)
    if version is not None:
        if tuple(int(x or 0) for x in version.groups()) < (1, 23, 4):
            return None
    elif not FLOATING_TAG_RE.fullmatch(tag):
        return None
    return (
        f"{dep.service.file} service {dep.service.name} runs it in {dep.service.image}, whose nginx.conf"
        " sets no ssl_protocols: nginx's default since 1.23.4 is TLSv1.2 TLSv1.3"
    )


def server_label(server: Chain) -> str:
    """``server NAMES at PATH:LINE``, naming a server block in a finding."""
    names = " ".join(n for n in server_names(server) if n) or "(no server_name)"
    return f"server {names} at {server[-1].where}"


DefaultServer = tuple[Chain, bool, "Node | None"]


def default_servers(nginx: NginxFacts, *, ssl_only: bool = False) -> dict[str, DefaultServer]:
    """Each socket (``*:443``) → its default server, whether it is marked ``default_server``
    (else it is the first server defined for the socket), and the ``listen`` directive.
    nginx: https://nginx.org/en/docs/http/request_processing.html."""
    sockets: dict[str, list[DefaultServer]] = {}
    for _, server in nginx.servers():
        for lst in listens(server):
            if lst.ssl or not ssl_only:
                sockets.setdefault(lst.key, []).append((server, lst.default, lst.node))
    out = {}
    for key, entries in sockets.items():
        marked = [e for e in entries if e[1]]
        out[key] = marked[-1] if marked else entries[0]
    return out
