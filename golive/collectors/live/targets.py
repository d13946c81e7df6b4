"""What golive probes: the sites (URLs grouped by host name) and the paths asked of each.

A *site* is one host name; the URLs given for it (``http://`` and/or ``https://``, any
port) are grouped by :func:`group_targets`, which adds the plain-http URL on port 80 for
an https URL on 443 and guesses https on 443 for a plain-http URL on 80. The paths of
the content probes (:mod:`golive.collectors.live.engine` asks them): the files of
:data:`golive.facts.live.FILES` and the project's ``extra_files``, and for each known
static prefix (at most four: /static, /media, STATIC_URL, MEDIA_URL, those the home page
uses) the alias-traversal paths ``PREFIX../manage.py`` and ``PREFIX../.env``
(:func:`file_paths`); the listings of STATIC_URL and MEDIA_URL themselves, else /static
and /media (:func:`prefixes`, at most :data:`LISTED_PREFIXES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from msgspec import Struct, field

from golive.collectors.live.client import BULKY, ClientConfig, url_port
from golive.facts import live_pages as pages
from golive.facts.live import FILE, FILES, Probe

TRAVERSAL_FILES = ("manage.py", ".env")
DEFAULT_STATIC_PREFIXES = ("/static", "/media")
#: Bytes read of a file, listing, asset or security.txt answer.
FILE_CAP = 64 * 1024
LISTED_PREFIXES = 3


class TargetError(ValueError):
    """A URL golive cannot probe (no host, not http/https)."""


class SiteTarget(Struct, frozen=True, kw_only=True):
    """One site to probe: its host and the URLs known for it."""

    host: str
    url: str
    http_url: str | None = None
    https_url: str | None = None
    https_derived: bool = False


#: Requests in flight over all sites by default: one site's independent probes (six HTTP/1.1
#: requests before the protocol is known, then up to HTTP2_STREAMS streams, about 23 in
#: all) go out in one round; a site without HTTP/2 still gets at most ``per_host``.
DEFAULT_CONCURRENCY = 24


class ProbeOptions(Struct, frozen=True, kw_only=True):
    """The options of a probe run.

    ``concurrency`` bounds requests in flight over all sites, ``per_host`` per site (six,
    as many connections as a browser opens to one host; a site speaking HTTP/2 gets
    :data:`~golive.collectors.live.client.HTTP2_STREAMS` streams on one connection instead);
    ``admin_paths`` are extra places to look for the admin; ``extra_files`` are paths
    to try as ``file:`` probes (e.g. the project's settings file path).
    """

    client: ClientConfig = field(default_factory=ClientConfig)
    concurrency: int = DEFAULT_CONCURRENCY
    per_host: int = 6
    admin_paths: tuple[str, ...] = ()
    extra_files: tuple[str, ...] = ()
    static_prefixes: tuple[str, ...] = ()


def _normalise(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise TargetError(f"{url}: only http:// and https:// URLs can be probed")
    if not parts.hostname:
        raise TargetError(f"{url}: no host name in the URL")
    if parts.username or parts.password:
        shown = parts._replace(
            netloc="***@" + parts.netloc.rpartition("@")[2], query="", fragment=""
        ).geturl()
        raise TargetError(f"{shown}: leave credentials out of the URL")
    return parts._replace(path=parts.path or "/", fragment="").geturl()


def group_targets(urls: Sequence[str]) -> list[SiteTarget]:
    """Group URLs by host name, in the order given. Raises :class:`TargetError`."""
    by_host: dict[str, dict[str, str]] = {}
    for raw in urls:
        url = _normalise(raw)
        host = (urlsplit(url).hostname or "").lower()
        slot = by_host.setdefault(host, {"url": url})
        slot.setdefault(urlsplit(url).scheme, url)
    out = []
    for host, slot in by_host.items():
        http_url, https_url = slot.get("http"), slot.get("https")
        derived = False
        netloc = f"[{host}]" if ":" in host else host
        if https_url and not http_url and url_port(https_url) == 443:
            http_url = f"http://{netloc}{urlsplit(https_url).path}"
        if http_url and not https_url and url_port(http_url) == 80:
            https_url, derived = f"https://{netloc}{urlsplit(http_url).path}", True
        out.append(
            SiteTarget(
                host=host, url=slot["url"], http_url=http_url, https_url=https_url, https_derived=derived
            )
        )
    return out


def join(origin: str, path: str) -> str:
    """``https://shop.test`` + ``admin/`` → ``https://shop.test/admin/``."""
    return origin + (path if path.startswith("/") else "/" + path)


def prefixes(opts: ProbeOptions) -> list[str]:
    """STATIC_URL and MEDIA_URL as known from the project, else /static and /media."""
    given = [p.rstrip("/") for p in opts.static_prefixes if p.strip("/")]
    return list(dict.fromkeys(given or DEFAULT_STATIC_PREFIXES))


def file_paths(opts: ProbeOptions, home_text: str) -> list[str]:
    """The ``file:`` probes' paths (see the module docstring); ``home_text`` is the home
    page, empty before it is known."""
    paths = list(dict.fromkeys((*FILES, *opts.extra_files)))
    known = list(DEFAULT_STATIC_PREFIXES) + list(opts.static_prefixes)
    known += pages.asset_prefixes(home_text) if home_text else []
    for prefix in list(dict.fromkeys(p.rstrip("/") for p in known if p.strip("/")))[:4]:
        paths.extend(f"{prefix}../{name}" for name in TRAVERSAL_FILES)
    return paths


def early_order(names: Sequence[str]) -> list[int]:
    """Indexes of ``names`` (probes in their planned order) in the order they start before the
    site's protocol is known, when only some can (each on an HTTP/1.1 connection of its own).

    First the probes that ride HTTP/1.1 whatever the site speaks (a Host header of their own,
    :data:`~golive.collectors.live.client.BULKY` files), those with a next hop (the admin's
    redirect to its login page, then a stream of the site's HTTP/2 connection) and the 404
    probe (as before, so that the protocol its evidence names is unchanged); then the rest.
    On a site speaking HTTP/2 the rest go as streams as soon as that is known, instead of
    the bulky files waiting for one of the first connections to be free (issue 15).
    """
    own = (Probe.NOT_FOUND, Probe.BOGUS_HOST, Probe.BOGUS_HOST_HTTP)

    def first(name: str) -> bool:
        bulky = name.startswith(FILE) and BULKY.search(name) is not None
        return name in own or name.startswith(Probe.admin("")) or bulky

    return sorted(range(len(names)), key=lambda i: not first(names[i]))


def same_site(base_url: str, link: str, host: str) -> str | None:
    """The absolute URL of ``link`` (found on the page at ``base_url``) when it is http(s)
    on ``host``, either scheme; None for another host."""
    url = urljoin(base_url, link)
    if (urlsplit(url).hostname or "").lower() == host and url.startswith(("http://", "https://")):
        return url
    return None


def settings_file_paths(project_dir: Path, settings_module: str) -> tuple[str, ...]:
    """URL paths under which a web server rooted at the project would serve its settings file."""
    rel = settings_module.replace(".", "/")
    candidates = [f"{rel}.py", f"{rel}/__init__.py"]
    return tuple("/" + c for c in candidates if (project_dir / c).is_file())
