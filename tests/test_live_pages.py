"""The recognisers and parsers of golive.collectors.live on real inputs: Django's own templates
rendered by Django, nginx's error pages as nginx sends them, and their false positives
(a blog post that quotes DEBUG = True is not a debug page).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from golive.collectors.live.client import ClientConfig, ProbeClient, ResolveError, Resolver, origin_of
from golive.collectors.live.targets import TargetError, group_targets
from golive.facts import live_pages as pages
from golive.facts.live import parse_set_cookie, redact_set_cookie

RENDER = """
import json, sys
from django.conf import settings
settings.configure(DEBUG=True, ROOT_URLCONF="__main__", ALLOWED_HOSTS=["testserver"], SECRET_KEY="x" * 50,
                   TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
import django
django.setup()
urlpatterns = []
from django.http import Http404
from django.test import RequestFactory
from django.views import debug, defaults
request = RequestFactory().get("/nowhere/")
out = {
    "tech404": debug.technical_404_response(request, Http404("nope")).content.decode(),
    "default404": defaults.page_not_found(request, Http404("x")).content.decode(),
    "default400": defaults.bad_request(request, Exception("x")).content.decode(),
}
try:
    raise ValueError("boom")
except ValueError:
    out["tech500"] = debug.technical_500_response(request, *sys.exc_info()).content.decode()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def django_pages() -> dict[str, str]:
    """Django's technical 404/500 pages and default 404/400 pages, rendered by Django
    itself (in a subprocess, so this test process's Django stays unconfigured)."""
    proc = subprocess.run(
        [sys.executable, "-c", RENDER], capture_output=True, text=True, timeout=60, check=True
    )
    pages_: dict[str, str] = json.loads(proc.stdout)
    return pages_


def test_django_pages_are_recognised_by_several_markers(django_pages: dict[str, str]) -> None:
    assert pages.debug_page(django_pages["tech404"]) == "technical 404"
    assert pages.debug_page(django_pages["tech500"]) == "technical 500"
    assert pages.default_error_page(django_pages["default404"]) == "Django"
    assert pages.default_error_page(django_pages["default400"]) == "Django"
    assert pages.debug_page(django_pages["default404"]) is None


def test_a_page_quoting_debug_true_is_not_a_debug_page() -> None:
    blog = (
        "<html><title>Never ship DEBUG = True</title><body><p>You’re seeing this error because you have"
        " <code>DEBUG = True</code> in your Django settings file, as the page says.</p>"
        "<p>Django tried these URL patterns, it tells you.</p></body></html>"
    )
    assert pages.debug_page(blog) is None
    assert pages.leaks(blog) == []


def test_nginx_error_pages_with_and_without_version() -> None:
    for server in ("nginx", "nginx/1.22.1"):
        body = (
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
            f"<center><h1>404 Not Found</h1></center>\r\n<hr><center>{server}</center>\r\n</body>\r\n</html>"
        )
        assert pages.default_error_page(body) == "nginx"
    assert pages.default_error_page("<h1>404 Not Found</h1><p>our own page</p>") is None


def test_admin_login_needs_the_form_and_the_admin_markers() -> None:
    form = (
        '<form method="post" id="login-form"><input name="csrfmiddlewaretoken">'
        '<input name="username"><input name="password"><input type="hidden" name="next"></form>'
    )
    assert pages.admin_login(
        f'<body class=" login"><div id="site-name">Django administration</div>{form}</body>'
    )
    shop_login = (
        '<form method="post"><input name="csrfmiddlewaretoken">'
        '<input name="username"><input name="password"></form>'
    )
    assert not pages.admin_login(shop_login)


def test_files_are_recognised_by_their_content() -> None:
    manage = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x')\nexecute_from_command_line([])"
    assert pages.project_file(manage) == "manage.py"
    assert pages.project_file("ref: refs/heads/main\n") == "git HEAD"
    assert pages.project_file('SECRET_KEY = "x"\nINSTALLED_APPS = []\n') == "settings"
    assert pages.project_file("<html><body>INSTALLED_APPS and SECRET_KEY explained</body></html>") is None
    assert pages.database_dump(b"SQLite format 3\x00rest") == "SQLite database"
    assert pages.database_dump(b"--\n-- PostgreSQL database dump\n--\nCREATE TABLE x ();") == "SQL dump"
    assert pages.database_dump(b"<html><body>CREATE TABLE in SQL</body></html>") is None


def test_set_cookie_is_parsed_case_insensitively_and_redacted() -> None:
    c = parse_set_cookie("sessionid=abc123; HTTPONLY; secure; samesite=Strict; path=/", "https://x/")
    assert c is not None
    assert (c.name, c.value_length, c.secure, c.httponly, c.samesite) == (
        "sessionid",
        6,
        True,
        True,
        "Strict",
    )
    assert c.header == "sessionid=<6 chars redacted>; HTTPONLY; secure; samesite=Strict; path=/"
    assert redact_set_cookie("csrftoken=zzzz") == "csrftoken=<4 chars redacted>"


def test_resolve_entries_and_targets() -> None:
    r = Resolver.parse(["Shop.Example.com:443:127.0.0.1", "shop.example.com:80:[::1]"])
    assert r.lookup("shop.example.com", 443) == "127.0.0.1" and r.lookup("shop.example.com", 80) == "::1"
    with pytest.raises(ResolveError, match="expected HOST:PORT:ADDR"):
        Resolver.parse(["shop.example.com:127.0.0.1"])
    (site,) = group_targets(["https://shop.example.com/", "http://shop.example.com:8080/"])
    assert (site.https_url, site.http_url) == ("https://shop.example.com/", "http://shop.example.com:8080/")
    (only_https,) = group_targets(["https://shop.example.com/app/"])
    assert only_https.http_url == "http://shop.example.com/app/"
    assert origin_of("HTTPS://Shop.Example.com:443/x") == "https://shop.example.com"
    with pytest.raises(TargetError, match="only http:// and https://"):
        group_targets(["ftp://shop.example.com/"])


def test_the_client_sends_get_head_options_only() -> None:
    async def post() -> None:
        sem = asyncio.Semaphore(1)
        async with ProbeClient(ClientConfig(), per_host=sem, global_=sem) as client:
            await client.request("POST", "http://127.0.0.1:9/")

    with pytest.raises(ValueError, match="GET, HEAD and OPTIONS only"):
        asyncio.run(post())


def test_mixed_content_lists_blockable_loads_and_form_targets() -> None:
    html = (
        '<link rel="stylesheet" href="http://cdn.example/a.css"><link rel="icon" href="http://x/f.ico">'
        '<script src="https://ok.example/a.js"></script><iframe src="http://ads.example/"></iframe>'
        '<img src="http://img.example/x.png"><form action="http://shop.example/pay/"></form>'
    )
    assert pages.mixed_content(html) == [
        ("stylesheet", "http://cdn.example/a.css"),
        ("iframe", "http://ads.example/"),
        ("img", "http://img.example/x.png"),
        ("form action", "http://shop.example/pay/"),
    ]
    assert pages.static_asset(html) == "http://cdn.example/a.css"
    assert pages.static_asset("<p>no assets</p>") is None


def test_directory_listing_is_recognised_by_the_index_page() -> None:
    nginx = "<html><head><title>Index of /media/</title></head><body><h1>Index of /media/</h1>"
    python = "<title>Directory listing for /static/</title>"
    assert pages.directory_listing(nginx) and pages.directory_listing(python)
    assert not pages.directory_listing("<title>Media library</title><h1>Our index of books</h1>")


def test_shared_cacheability_of_responses_with_cookies() -> None:
    from golive.checks.live.cookies import shared_cacheable

    assert shared_cacheable("public, max-age=600", None) == "Cache-Control: public"
    assert shared_cacheable("s-maxage=60", None) == "Cache-Control: s-maxage=60"
    assert shared_cacheable("max-age=0", None) is None
    assert shared_cacheable("private, max-age=600", None) is None
    assert shared_cacheable("max-age=600, no-cache", None) is None
    assert shared_cacheable(None, "Wed, 21 Oct 2099 07:28:00 GMT") == "Expires: Wed, 21 Oct 2099 07:28:00 GMT"
    assert shared_cacheable(None, None) is None


def test_static_cache_lifetime() -> None:
    from golive.checks.live.assets import cache_lifetime

    assert cache_lifetime("public, max-age=31536000, immutable", None) == "max-age=31536000"
    assert cache_lifetime("max-age=0", "Thu, 01 Jan 2099 00:00:00 GMT") is None
    assert cache_lifetime("no-cache", None) is None
    assert cache_lifetime(None, "Thu, 01 Jan 2099 00:00:00 GMT") == "Expires: Thu, 01 Jan 2099 00:00:00 GMT"
    assert cache_lifetime(None, None) is None


def test_security_txt_fields_are_case_insensitive_and_skip_comments() -> None:
    from golive.checks.live.files import security_txt

    text = (
        "# hello\ncontact: mailto:a@example.com\nCONTACT: https://example.com/report\n"
        "Expires: 2030-01-01T00:00:00Z\n"
    )
    assert security_txt(text) == (
        ["mailto:a@example.com", "https://example.com/report"],
        "2030-01-01T00:00:00Z",
    )
    assert security_txt("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n") == ([], None)
