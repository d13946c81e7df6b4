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

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from golive.facts.live_html import PageParser

#: The recognisers' regular expressions by name, as ``(text, flags)``: a name ending in
#: ``_MARKERS`` holds a tuple of them. Each is compiled on first use (:func:`compiled`), not
#: at import (issue 15: 39 expressions that no audit without ``--url`` uses); the module
#: attributes of these names (``pages.DOTENV_LINE``) give them compiled.
_SOURCES: dict[str, Any] = {
    "TECH_404_MARKERS": (
        (r"<title>Page not found at /", 0),
        (r"Django tried these URL patterns", 0),
        (r"Using the URLconf defined in", 0),
        (r"DEBUG = True</code>", 0),
        (r'<header id="summary">\s*<h1>Page not found', 0),
        (r'<main id="info">', 0),
    ),
    "TECH_500_MARKERS": (
        (r'<div id="traceback">', 0),
        (r'<div id="requestinfo">', 0),
        (r'id="settings-info"', 0),
        (r"DEBUG = True</code>", 0),
        (r'<header id="summary">|<div id="summary">', 0),
        (r"Exception Value:", 0),
        (r"Django Version:", 0),
        (r"Python Executable:", 0),
    ),
    "TECH_500_TEXT_MARKERS": (
        (r"^Environment:\s*$", re.M),
        (r"^Request Method: ", re.M),
        (r"^Django Version: ", re.M),
        (r"^Installed Applications:", re.M),
        (r"^Traceback \(most recent call last\):", re.M),
        (r"You're seeing this error because you have DEBUG = True|DEBUG = True in your Django", 0),
    ),
    "SETTINGS_MARKERS": (
        (r"\bSECRET_KEY\b", 0),
        (r"\bINSTALLED_APPS\b", 0),
        (r"\bDATABASES\b", 0),
        (r"\bALLOWED_HOSTS\b", 0),
        (r"\bROOT_URLCONF\b", 0),
        (r"\bMIDDLEWARE\b", 0),
    ),
    "TRACEBACK": (r"Traceback \(most recent call last\):\s*\n?\s*File ", 0),
    "NGINX_ERROR": (r"<center><h1>(\d{3}) [^<]*</h1></center>\s*<hr><center>nginx(/[\d.]+)?</center>", re.I),
    "DJANGO_DEFAULT": (
        r"<title>(Not Found|Bad Request \(400\)|Server Error \(500\)|403 Forbidden)</title>"
        r"\s*</head>\s*<body>\s*<h1>\1</h1>",
        re.I,
    ),
    "ADMIN_MARKERS": (
        (r'id="login-form"', 0),
        (r'<body class="[^"]*\blogin\b', 0),
        (r'id="site-name"', 0),
        (r"Django (site )?admin", re.I),
        (r'href="[^"]*/admin/css/', 0),
        (r'name="next"', 0),
    ),
    "FORM_HINT": (
        r"(login|log-in|signin|sign-in|signup|sign-up|register|contact|review|account|search|subscribe)",
        re.I,
    ),
    "DOTENV_LINE": (r"^\s*(export\s+)?[A-Z][A-Z0-9_]*\s*=", re.M),
    "SQL_DUMP": (
        r"(-- (PostgreSQL|MySQL|MariaDB) (database )?dump"
        r"|^CREATE TABLE |^INSERT INTO |^BEGIN TRANSACTION;|^PRAGMA )",
        re.M | re.I,
    ),
    "LISTING": (
        r"<title>\s*(Index of /|Directory listing for /)[^<]*</title>"  # nginx/Apache, Python http.server
        r"|<h1>\s*(Index of /|Directory listing for /)",
        re.I,
    ),
}


@functools.cache
def compiled(name: str) -> Any:
    """The expression named ``name`` in :data:`_SOURCES` compiled (a tuple of them for the
    ``_MARKERS`` names), once: functools.cache keeps the first result (two threads asking
    first at once compile the same expressions twice, either result is the same)."""
    source = _SOURCES[name]
    if name.endswith("_MARKERS"):
        return tuple(re.compile(text, flags) for text, flags in source)
    return re.compile(*source)


def __getattr__(name: str) -> Any:
    """The module attributes ``TRACEBACK``, ``DOTENV_LINE``, ``ADMIN_MARKERS``... compiled on
    first use (PEP 562)."""
    if name in _SOURCES:
        return compiled(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _search(name: str, text: str) -> re.Match[str] | None:
    pattern: re.Pattern[str] = compiled(name)
    return pattern.search(text)


def _count(name: str, text: str) -> int:
    return sum(1 for p in compiled(name) if p.search(text))


def debug_page(text: str) -> str | None:
    """Which of Django's DEBUG pages ``text`` is: ``technical 404``, ``technical 500``
    (HTML or text), or None. Needs three markers of the same template.
    """
    if _count("TECH_404_MARKERS", text) >= 3:
        return "technical 404"
    if _count("TECH_500_MARKERS", text) >= 3:
        return "technical 500"
    if _count("TECH_500_TEXT_MARKERS", text) >= 3:
        return "technical 500 (text)"
    return None


def leaks(text: str) -> list[str]:
    """What a page that is not Django's debug page shows: ``traceback``, ``settings``."""
    found = []
    if _search("TRACEBACK", text):
        found.append("a Python traceback")
    if _count("SETTINGS_MARKERS", text) >= 4:
        found.append("Django settings names")
    return found


def default_error_page(text: str) -> str | None:
    """``nginx`` or ``Django`` when ``text`` is that server's built-in error page, else None."""
    if _search("NGINX_ERROR", text):
        return "nginx"
    if _search("DJANGO_DEFAULT", text):
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


def parse_html(text: str) -> PageParser:
    """Parse ``text`` with the standard library's HTML parser (never raises on bad HTML):
    :func:`golive.facts.live_html.parse`, imported on the first page, so an audit without a
    live site does not load ``html.parser`` (issue 15)."""
    from golive.facts.live_html import parse

    return parse(text)


def admin_login(text: str) -> bool:
    """True for the Django admin's login page: a form with ``csrfmiddlewaretoken``,
    ``username`` and ``password`` fields, plus two of the admin template's own markers.
    """
    page = parse_html(text)
    has_form = any({"csrfmiddlewaretoken", "username", "password"} <= names for names in page.inputs)
    return has_form and _count("ADMIN_MARKERS", text) >= 2


def has_form(text: str) -> bool:
    """True when the page has a form (a page that sets the CSRF cookie, typically)."""
    return bool(parse_html(text).forms)


def form_link(text: str) -> str | None:
    """The first link of the page whose path suggests a form page (login, contact...)."""
    for href in parse_html(text).links:
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        if _search("FORM_HINT", href) and "/admin" not in href:
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
        _count("SETTINGS_MARKERS", text) >= 2
        and re.search(r"^\s*[A-Z_]+\s*=", text, re.M)
        and "<html" not in text.lower()
    ):
        return "settings"
    if re.match(r"ref: refs/|[0-9a-f]{40}\s*$", text.strip()):
        return "git HEAD"
    return None


def dotenv(text: str) -> int:
    """Number of ``NAME=value`` lines when ``text`` looks like a dotenv file (0 otherwise)."""
    if "<html" in text[:2000].lower() or "<!doctype" in text[:2000].lower():
        return 0
    return len(compiled("DOTENV_LINE").findall(text))


def database_dump(body: bytes) -> str | None:
    """``SQLite database`` or ``SQL dump`` when ``body`` starts like one, else None."""
    if body.startswith(b"SQLite format 3\x00"):
        return "SQLite database"
    head = body[:65536].decode("utf-8", "replace")
    if "<html" not in head[:2000].lower() and _search("SQL_DUMP", head):
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


def directory_listing(text: str) -> bool:
    """True for a web server's generated directory index (nginx ``autoindex``, Apache
    ``mod_autoindex``, Python's ``http.server``): "Index of /static/"."""
    return bool(_search("LISTING", text))
