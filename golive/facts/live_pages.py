"""Recognising pages by what they are made of, never by one string.

Each recogniser counts independent markers of a known template and needs several of
them, so a blog post that quotes "DEBUG = True" is not taken for Django's debug page:

- Django's technical 404 and 500 pages (``django/views/templates/technical_404.html``,
  ``technical_500.html`` and the plain-text ``technical_500.txt``);
- Django's built-in error pages when a project has no ``404.html``/``400.html``
  (``django.views.defaults.ERROR_PAGE_TEMPLATE``);
- nginx's built-in error pages (``ngx_http_special_response.c``);
- the Django admin's login form (``admin/login.html``);
- settings or a Python traceback shown in a page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

TECH_404_MARKERS = (
    re.compile(r"<title>Page not found at /"),
    re.compile(r"Django tried these URL patterns"),
    re.compile(r"Using the URLconf defined in"),
    re.compile(r"DEBUG = True</code>"),
    re.compile(r'<header id="summary">\s*<h1>Page not found'),
    re.compile(r'<main id="info">'),
)
TECH_500_MARKERS = (
    re.compile(r'<div id="traceback">'),
    re.compile(r'<div id="requestinfo">'),
    re.compile(r'id="settings-info"'),
    re.compile(r"DEBUG = True</code>"),
    re.compile(r'<header id="summary">|<div id="summary">'),
    re.compile(r"Exception Value:"),
    re.compile(r"Django Version:"),
    re.compile(r"Python Executable:"),
)
TECH_500_TEXT_MARKERS = (
    re.compile(r"^Environment:\s*$", re.M),
    re.compile(r"^Request Method: ", re.M),
    re.compile(r"^Django Version: ", re.M),
    re.compile(r"^Installed Applications:", re.M),
    re.compile(r"^Traceback \(most recent call last\):", re.M),
    re.compile(r"You're seeing this error because you have DEBUG = True|DEBUG = True in your Django"),
)
SETTINGS_MARKERS = (
    re.compile(r"\bSECRET_KEY\b"),
    re.compile(r"\bINSTALLED_APPS\b"),
    re.compile(r"\bDATABASES\b"),
    re.compile(r"\bALLOWED_HOSTS\b"),
    re.compile(r"\bROOT_URLCONF\b"),
    re.compile(r"\bMIDDLEWARE\b"),
)
TRACEBACK = re.compile(r"Traceback \(most recent call last\):\s*\n?\s*File ")
NGINX_ERROR = re.compile(
    r"<center><h1>(\d{3}) [^<]*</h1></center>\s*<hr><center>nginx(/[\d.]+)?</center>", re.I
)
DJANGO_DEFAULT = re.compile(
    r"<title>(Not Found|Bad Request \(400\)|Server Error \(500\)|403 Forbidden)</title>\s*</head>\s*<body>\s*"
    r"<h1>\1</h1>",
    re.I,
)
ADMIN_MARKERS = (
    re.compile(r'id="login-form"'),
    re.compile(r'<body class="[^"]*\blogin\b'),
    re.compile(r'id="site-name"'),
    re.compile(r"Django (site )?admin", re.I),
    re.compile(r'href="[^"]*/admin/css/'),
    re.compile(r'name="next"'),
)


def _count(patterns: tuple[re.Pattern[str], ...], text: str) -> int:
    return sum(1 for p in patterns if p.search(text))


def debug_page(text: str) -> str | None:
    """Which of Django's DEBUG pages ``text`` is: ``technical 404``, ``technical 500``
    (HTML or text), or None. Needs three markers of the same template.
    """
    if _count(TECH_404_MARKERS, text) >= 3:
        return "technical 404"
    if _count(TECH_500_MARKERS, text) >= 3:
        return "technical 500"
    if _count(TECH_500_TEXT_MARKERS, text) >= 3:
        return "technical 500 (text)"
    return None


def leaks(text: str) -> list[str]:
    """What a page that is not Django's debug page shows: ``traceback``, ``settings``."""
    found = []
    if TRACEBACK.search(text):
        found.append("a Python traceback")
    if _count(SETTINGS_MARKERS, text) >= 4:
        found.append("Django settings names")
    return found


def default_error_page(text: str) -> str | None:
    """``nginx`` or ``Django`` when ``text`` is that server's built-in error page, else None."""
    if NGINX_ERROR.search(text):
        return "nginx"
    if DJANGO_DEFAULT.search(text):
        return "Django"
    return None


#: Elements that load a resource, and the attribute naming it.
LOADING_TAGS = {
    "script": "src",
    "iframe": "src",
    "frame": "src",
    "object": "data",
    "embed": "src",
    "img": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
}
#: What the W3C Mixed Content spec lets a browser upgrade to https (§4.1 "upgradeable"
#: content); everything else loaded over http from an https page is blocked.
UPGRADEABLE = frozenset({"img", "audio", "video", "source"})


class _Forms(HTMLParser):
    """Collects input names per form, and links and asset URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self.inputs: list[set[str]] = []
        self.links: list[str] = []
        self.assets: list[str] = []
        self.meta_csp: list[str] = []
        #: (what, URL) of what the page makes the browser load or submit: ``script``,
        #: ``stylesheet``, ``iframe``... (blocked when mixed) and ``img``... (upgraded).
        self.loads: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(a)
            self.inputs.append(set())
        elif tag in ("input", "select", "textarea", "button") and self.inputs:
            if a.get("name"):
                self.inputs[-1].add(a["name"])
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.assets.append(a.get("href") or a.get("src") or "")
        elif tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy":
            self.meta_csp.append(a.get("content", ""))
        if tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.loads.append(("stylesheet", a["href"]))
        elif tag == "form" and a.get("action"):
            self.loads.append(("form action", a["action"]))
        elif tag in LOADING_TAGS and a.get(LOADING_TAGS[tag]):
            self.loads.append((tag, a[LOADING_TAGS[tag]]))


def parse_html(text: str) -> _Forms:
    """Parse ``text`` with the standard library's HTML parser (never raises on bad HTML)."""
    parser = _Forms()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # pragma: no cover - html.parser is lenient; be safe on odd input
        pass
    return parser


def admin_login(text: str) -> bool:
    """True for the Django admin's login page: a form with ``csrfmiddlewaretoken``,
    ``username`` and ``password`` fields, plus two of the admin template's own markers.
    """
    page = parse_html(text)
    has_form = any({"csrfmiddlewaretoken", "username", "password"} <= names for names in page.inputs)
    return has_form and _count(ADMIN_MARKERS, text) >= 2


def has_form(text: str) -> bool:
    """True when the page has a form (a page that sets the CSRF cookie, typically)."""
    return bool(parse_html(text).forms)


FORM_HINT = re.compile(
    r"(login|log-in|signin|sign-in|signup|sign-up|register|contact|review|account|search|subscribe)", re.I
)


def form_link(text: str) -> str | None:
    """The first link of the page whose path suggests a form page (login, contact...)."""
    for href in parse_html(text).links:
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        if FORM_HINT.search(href) and "/admin" not in href:
            return href
    return None


def asset_prefixes(text: str, limit: int = 3) -> list[str]:
    """First path segments of same-site asset URLs (``/static``, ``/assets``), at most ``limit``."""
    out: list[str] = []
    for url in parse_html(text).assets:
        if not url.startswith("/") or url.startswith("//"):
            continue
        segment = "/" + url.lstrip("/").split("/", 1)[0]
        if segment not in out and "/" in url.lstrip("/"):
            out.append(segment)
        if len(out) >= limit:
            break
    return out


def meta_csp(text: str) -> list[str]:
    """Content-Security-Policy values given in ``<meta http-equiv>`` elements."""
    return parse_html(text).meta_csp


def project_file(text: str) -> str | None:
    """What kind of project file ``text`` is, when it is one: ``manage.py``, ``settings``,
    ``git HEAD``, ``dotenv``, or None.
    """
    if "execute_from_command_line" in text and "DJANGO_SETTINGS_MODULE" in text:
        return "manage.py"
    if (
        _count(SETTINGS_MARKERS, text) >= 2
        and re.search(r"^\s*[A-Z_]+\s*=", text, re.M)
        and "<html" not in text.lower()
    ):
        return "settings"
    if re.match(r"ref: refs/|[0-9a-f]{40}\s*$", text.strip()):
        return "git HEAD"
    return None


DOTENV_LINE = re.compile(r"^\s*(export\s+)?[A-Z][A-Z0-9_]*\s*=", re.M)


def dotenv(text: str) -> int:
    """Number of ``NAME=value`` lines when ``text`` looks like a dotenv file (0 otherwise)."""
    if "<html" in text[:2000].lower() or "<!doctype" in text[:2000].lower():
        return 0
    return len(DOTENV_LINE.findall(text))


SQL_DUMP = re.compile(
    r"(-- (PostgreSQL|MySQL|MariaDB) (database )?dump"
    r"|^CREATE TABLE |^INSERT INTO |^BEGIN TRANSACTION;|^PRAGMA )",
    re.M | re.I,
)


def database_dump(body: bytes) -> str | None:
    """``SQLite database`` or ``SQL dump`` when ``body`` starts like one, else None."""
    if body.startswith(b"SQLite format 3\x00"):
        return "SQLite database"
    head = body[:65536].decode("utf-8", "replace")
    if "<html" not in head[:2000].lower() and SQL_DUMP.search(head):
        return "SQL dump"
    return None


def mixed_content(text: str) -> list[tuple[str, str]]:
    """``(what, url)`` for every ``http://`` resource or form target of an https page
    (W3C Mixed Content, https://www.w3.org/TR/mixed-content/); ``what`` is the element
    (``script``, ``stylesheet``, ``form action``...)."""
    return [(what, url) for what, url in parse_html(text).loads if url.lower().startswith("http://")]


def static_asset(text: str) -> str | None:
    """The first stylesheet or script the page loads (its URL as written), or None."""
    for what, url in parse_html(text).loads:
        if what in ("stylesheet", "script"):
            return url
    return None


LISTING = re.compile(
    r"<title>\s*(Index of /|Directory listing for /)[^<]*</title>"  # nginx/Apache, Python http.server
    r"|<h1>\s*(Index of /|Directory listing for /)",
    re.I,
)


def directory_listing(text: str) -> bool:
    """True for a web server's generated directory index (nginx ``autoindex``, Apache
    ``mod_autoindex``, Python's ``http.server``): "Index of /static/"."""
    return bool(LISTING.search(text))
