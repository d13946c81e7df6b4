"""What the live probes saw: HTTP exchanges, cookies, the TLS handshake, per site; the live facts.

Every value is immutable and redacted when it is made: a ``Set-Cookie`` value is kept as
its length only (:func:`redact_set_cookie`), so evidence built from these facts never
carries a cookie's value. Bodies are kept (capped, see :mod:`golive.collectors.live.client`) for the
page recognisers; they never go into a report.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from msgspec import Struct, field

from golive.model import Screenshot
from golive.registry import FactsBase

#: The Origin sent with the CORS probe (an .invalid name, RFC 6761: it never resolves).
PROBE_ORIGIN = "https://golive-probe.invalid"
#: Files that must never be served, requested at the site's root.
FILES = (
    "/.git/HEAD",
    "/.env",
    "/settings.py",
    "/local_settings.py",
    "/db.sqlite3",
    "/dump.sql",
    "/backup.sql",
    "/db.sql",
    "/database.sql",
)
#: Where RFC 9116 puts a site's security contact (requested as the ``security.txt`` probe).
SECURITY_TXT = "/.well-known/security.txt"
#: Name prefixes of the requests made per path: ``admin:/admin/`` (an admin login path),
#: ``file:/.env`` (a file that must not be served), ``listing:/static/`` (a directory).
ADMIN = "admin:"
FILE = "file:"
LISTING = "listing:"


class Probe(str, enum.Enum):
    """The names of the live requests (the keys of :attr:`SiteFacts.chains`), shared by the
    live engine that makes them and the checks that read them. A member is its name as a
    string (``Probe.NOT_FOUND == "404"``, ``f"{Probe.HOME}"`` is ``home``); the requests
    made per path are named by :data:`ADMIN`, :data:`FILE` and :data:`LISTING` + the path."""

    HOME = "home"  # the site's home page, over https when the site has it
    HTTP_HOME = "http-home"  # the home page over plain http (the redirect to https)
    NOT_FOUND = "404"  # a path that does not exist
    BOGUS_HOST = "bogus-host"  # the home page with a Host that is no one's
    BOGUS_HOST_HTTP = "bogus-host-http"  # the same over plain http
    PREFLIGHT = "preflight"  # a CORS preflight (OPTIONS) from PROBE_ORIGIN
    FORM = "form"  # the first page with a form the home page links to
    ASSET = "asset"  # the first stylesheet or script of the home page
    SECURITY_TXT = "security.txt"  # /.well-known/security.txt
    ADMIN_HTTP = "admin-http"  # the admin login found over https, asked over plain http

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @staticmethod
    def admin(path: str) -> str:
        """The name of the request for admin login path ``path``: ``admin:/admin/``."""
        return ADMIN + path

    @staticmethod
    def file(path: str) -> str:
        """The name of the request for file ``path`` at the site's root: ``file:/.env``."""
        return FILE + path

    @staticmethod
    def listing(prefix: str) -> str:
        """The name of the request for the directory ``prefix`` (``/static``): ``listing:/static/``."""
        return f"{LISTING}{prefix}/"


class CookieInfo(Struct, frozen=True, kw_only=True):
    """One cookie from one ``Set-Cookie`` header (RFC 6265 §4.1), parsed case-insensitively.

    ``samesite`` is the attribute as sent (``"Lax"``), or None when absent; ``header`` is
    the whole header with the value replaced by its length.
    """

    name: str
    value_length: int
    secure: bool
    httponly: bool
    samesite: str | None
    path: str = ""
    domain: str = ""
    url: str = ""
    header: str = ""


def redact_set_cookie(value: str) -> str:
    """``"sessionid=abc123; Path=/"`` → ``"sessionid=<6 chars redacted>; Path=/"``."""
    first, _, rest = value.partition(";")
    name, eq, val = first.partition("=")
    shown = f"{name.strip()}=<{len(val.strip())} chars redacted>" if eq else first.strip()
    return shown + (";" + rest if rest else "")


def parse_set_cookie(value: str, url: str) -> CookieInfo | None:
    """Parse one ``Set-Cookie`` header with :class:`http.cookies.SimpleCookie`.

    Attribute names are matched case-insensitively (``httponly``, ``SECURE``). Returns
    None for a header the standard library cannot parse. ``http.cookies`` is imported
    here, by the live collector: an audit without a live site does not load it (issue 15).
    """
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(value)
    except CookieError:
        return None
    if not jar:
        return None
    morsel = next(iter(jar.values()))
    samesite = str(morsel["samesite"]) or None
    return CookieInfo(
        name=morsel.key,
        value_length=len(morsel.value),
        secure=bool(morsel["secure"]),
        httponly=bool(morsel["httponly"]),
        samesite=samesite,
        path=str(morsel["path"]),
        domain=str(morsel["domain"]),
        url=url,
        header=redact_set_cookie(value),
    )


class Exchange(Struct, frozen=True, kw_only=True):
    """One request and what came back.

    ``status`` is None when no response arrived: ``error`` then says why (refused,
    timed out, TLS failure), or ``closed`` is True when the server closed the connection
    without answering (nginx's ``return 444``). ``headers`` are (name, value) pairs as
    received, ``Set-Cookie`` values redacted. ``body`` holds at most the probe's byte
    cap; ``truncated`` says the server sent more. ``host_header`` is set when the
    request carried a Host other than the URL's.
    """

    method: str
    url: str
    status: int | None = None
    reason: str = ""
    http_version: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    truncated: bool = False
    error: str | None = None
    closed: bool = False
    host_header: str | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[CookieInfo, ...] = ()

    @property
    def answered(self) -> bool:
        """True when an HTTP response (any status) arrived."""
        return self.status is not None

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return urlsplit(self.url).scheme

    @property
    def path(self) -> str:
        """The URL's path (with its query, if any)."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        """The header's values joined by ``, `` (case-insensitive name), or None."""
        values = self.headers_named(name)
        return ", ".join(values) if values else None

    def headers_named(self, name: str) -> list[str]:
        """Every value of the header ``name`` (case-insensitive), in order."""
        low = name.lower()
        return [v for k, v in self.headers if k.lower() == low]

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (errors replaced)."""
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case (``text/html``), or ``""``."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def request_line(self) -> str:
        """``GET https://shop.example.com/ (Host: bogus.invalid)``."""
        extra = [f"{k}: {v}" for k, v in self.request_headers]
        if self.host_header:
            extra.insert(0, f"Host: {self.host_header}")
        return f"{self.method} {self.url}" + (f" ({'; '.join(extra)})" if extra else "")

    def status_line(self) -> str:
        """``→ HTTP/1.1 200 OK``, or what happened instead of a response."""
        if self.error:
            return f"→ {self.error}"
        if self.status is None:
            return "→ connection closed without a response"
        cut = " (body cut at the probe's byte cap)" if self.truncated else ""
        return f"→ {self.http_version} {self.status} {self.reason}".rstrip() + cut

    def evidence(self, *headers: str, notes: Iterable[str] = ()) -> list[str]:
        """The request line, the status line, the named response headers, then ``notes``.

        A header that is absent shows as ``Name: (absent)`` so the evidence says what
        was looked for.
        """
        lines = [self.request_line(), self.status_line()]
        if self.answered:
            for name in headers:
                values = self.headers_named(name)
                if not values:
                    lines.append(f"  {name}: (absent)")
                lines.extend(f"  {name}: {v}" for v in values)
        lines.extend(notes)
        return lines


class CertInfo(Struct, frozen=True, kw_only=True):
    """The leaf certificate the server sent (RFC 5280 fields).

    ``not_before``/``not_after`` are ISO 8601 UTC; ``days_left`` may be negative
    (expired); ``key_type`` is ``RSA``, ``EC``, ``Ed25519``...; ``key_bits`` the key size.
    """

    subject: str
    issuer: str
    not_before: str
    not_after: str
    days_left: float
    san: tuple[str, ...]
    key_type: str
    key_bits: int
    self_signed: bool
    sha256: str


class TlsFacts(Struct, frozen=True, kw_only=True):
    """The TLS handshakes with one ``host:port`` (made with the standard library ``ssl``).

    ``verified`` is True when the chain validated against the system trust store (or the
    ``--cacert`` file) and the certificate matched the host; otherwise ``verify_error`` is
    OpenSSL's reason and ``verify_code`` its X509_V_ERR number (62: host name mismatch,
    10: expired, 18/19: self-signed). ``legacy`` maps ``TLSv1``/``TLSv1.1`` to
    ``accepted``, ``refused`` or ``untested: <why>``; ``static_rsa`` is the same for a
    handshake offering only RSA key transport suites (``accepted: AES128-GCM-SHA256``),
    empty when not tried; ``browser_tls12`` the same for a TLS 1.2 handshake offering what a
    browser offers (forward-secret suites first: ``accepted: AES128-GCM-SHA256`` means the
    server chose RSA key transport over them). ``protocol`` and ``cipher`` are what the first handshake
    negotiated. ``error`` is set when no handshake at all succeeded.
    """

    host: str
    port: int
    address: str
    verified: bool = False
    verify_error: str | None = None
    verify_code: int | None = None
    protocol: str | None = None
    cipher: str | None = None
    cert: CertInfo | None = None
    legacy: Mapping[str, str] = field(default_factory=dict)
    static_rsa: str = ""
    browser_tls12: str = ""
    error: str | None = None

    @property
    def target(self) -> str:
        """``host:port`` (``via address`` when it was resolved with ``--resolve``)."""
        via = f" via {self.address}" if self.address and self.address != self.host else ""
        return f"{self.host}:{self.port}{via}"


class SiteFacts(Struct, frozen=True, kw_only=True):
    """Everything probed on one site (one host name).

    ``chains`` maps a probe name (see :mod:`golive.collectors.live.engine`) to the exchanges
    of that probe, redirect hops first, the final answer last. ``skipped`` maps a probe
    name to why it was not made (e.g. the certificate is not trusted and ``--insecure``
    was not given). ``error`` is set when the site answered nothing at all.
    """

    url: str
    host: str
    http_origin: str | None = None
    https_origin: str | None = None
    tls: TlsFacts | None = None
    chains: Mapping[str, tuple[Exchange, ...]] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)
    admin_login: str | None = None
    requests: int = 0
    error: str | None = None
    notes: tuple[str, ...] = ()

    def chain(self, name: str) -> tuple[Exchange, ...]:
        """The exchanges of probe ``name`` (empty when it was not made)."""
        return self.chains.get(name, ())

    def final(self, name: str) -> Exchange | None:
        """The last exchange of probe ``name``, or None."""
        chain = self.chains.get(name)
        return chain[-1] if chain else None

    def why_missing(self, name: str) -> str:
        """Why probe ``name`` has no answer: its skip reason, transport error, or ``not probed``."""
        if name in self.skipped:
            return self.skipped[name]
        last = self.final(name)
        if last is not None and last.error:
            return f"{last.method} {last.url}: {last.error}"
        return f"{name}: not probed"

    def exchanges(self) -> list[Exchange]:
        """Every exchange made, in the order the probes were planned (stable across runs)."""
        return [ex for chain in self.chains.values() for ex in chain]


class LiveFacts(FactsBase, frozen=True, kw_only=True):
    """The probed sites, and the screenshots taken of them.

    ``screenshots_note`` says why screenshots were not taken (no browser, disabled),
    empty when they were. The runner collects ``screenshots`` into the audit.
    """

    collector: ClassVar[str] = "live"
    sites: tuple[SiteFacts, ...]
    screenshots: tuple[Screenshot, ...] = ()
    screenshots_note: str = ""
    insecure: bool = False
