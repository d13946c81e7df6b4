"""What golive knows of Django's deployment checks (``django/core/checks/security/``): for each
id the checklist section it is filed under, its severity, the settings it is about, a title
and the fix (:data:`CATALOGUE`). :mod:`golive.checks.django_checks` turns Django's messages
into findings with it. Source: https://docs.djangoproject.com/en/stable/ref/checks/
"""

from __future__ import annotations

from msgspec import Struct

from golive.model import Section, Severity

CHECKS_DOC = "https://docs.djangoproject.com/en/stable/ref/checks/"


class DjangoCheck(Struct, frozen=True):
    """golive's knowledge about one Django check id: where it belongs and how to fix it."""

    id: str
    section: Section
    severity: Severity
    subjects: tuple[str, ...]
    title: str
    remediation: str


def _d(
    id: str, section: Section, sev: Severity, subjects: tuple[str, ...], title: str, fix: str
) -> DjangoCheck:
    return DjangoCheck(id, section, sev, subjects, title, fix)


S, H, C, E = Section, Section.HTTPS, Section.CRITICAL_SETTINGS, Section.ENVIRONMENT_SETTINGS
#: Django's deployment checks (``django/core/checks/security/``), with golive's filing.
CATALOGUE: dict[str, DjangoCheck] = {
    c.id: c
    for c in (
        _d(
            "security.W001",
            H,
            Severity.MEDIUM,
            ("MIDDLEWARE",),
            "SecurityMiddleware is not in MIDDLEWARE",
            'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", ...]',
        ),
        _d(
            "security.W002",
            H,
            Severity.MEDIUM,
            ("MIDDLEWARE", "X-Frame-Options"),
            "XFrameOptionsMiddleware is not in MIDDLEWARE (clickjacking)",
            'Add "django.middleware.clickjacking.XFrameOptionsMiddleware" to MIDDLEWARE.',
        ),
        _d(
            "security.W003",
            H,
            Severity.HIGH,
            ("MIDDLEWARE",),
            "CsrfViewMiddleware is not in MIDDLEWARE",
            'Add "django.middleware.csrf.CsrfViewMiddleware" to MIDDLEWARE.',
        ),
        _d(
            "security.W004",
            H,
            Severity.MEDIUM,
            ("SECURE_HSTS_SECONDS",),
            "SECURE_HSTS_SECONDS is not set",
            "SECURE_HSTS_SECONDS = 31536000  # start with 3600 and raise it once HTTPS works everywhere",
        ),
        _d(
            "security.W005",
            H,
            Severity.LOW,
            ("SECURE_HSTS_INCLUDE_SUBDOMAINS",),
            "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # once every subdomain serves HTTPS",
        ),
        _d(
            "security.W006",
            H,
            Severity.LOW,
            ("SECURE_CONTENT_TYPE_NOSNIFF",),
            "SECURE_CONTENT_TYPE_NOSNIFF is not True",
            "SECURE_CONTENT_TYPE_NOSNIFF = True",
        ),
        _d(
            "security.W008",
            H,
            Severity.HIGH,
            ("SECURE_SSL_REDIRECT",),
            "SECURE_SSL_REDIRECT is not True",
            "SECURE_SSL_REDIRECT = True  # or redirect every http:// request to https:// in the web server",
        ),
        _d(
            "security.W009",
            C,
            Severity.CRITICAL,
            ("SECRET_KEY",),
            "SECRET_KEY is weak or Django's insecure default",
            'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # generate with get_random_secret_key()',
        ),
        _d(
            "security.W010",
            H,
            Severity.HIGH,
            ("SESSION_COOKIE_SECURE",),
            "SESSION_COOKIE_SECURE is not True",
            "SESSION_COOKIE_SECURE = True",
        ),
        _d(
            "security.W011",
            H,
            Severity.HIGH,
            ("SESSION_COOKIE_SECURE",),
            "SESSION_COOKIE_SECURE is not True",
            "SESSION_COOKIE_SECURE = True",
        ),
        _d(
            "security.W012",
            H,
            Severity.HIGH,
            ("SESSION_COOKIE_SECURE",),
            "SESSION_COOKIE_SECURE is not True",
            "SESSION_COOKIE_SECURE = True",
        ),
        _d(
            "security.W013",
            H,
            Severity.MEDIUM,
            ("SESSION_COOKIE_HTTPONLY",),
            "SESSION_COOKIE_HTTPONLY is not True",
            "SESSION_COOKIE_HTTPONLY = True  # Django's default",
        ),
        _d(
            "security.W014",
            H,
            Severity.MEDIUM,
            ("SESSION_COOKIE_HTTPONLY",),
            "SESSION_COOKIE_HTTPONLY is not True",
            "SESSION_COOKIE_HTTPONLY = True  # Django's default",
        ),
        _d(
            "security.W015",
            H,
            Severity.MEDIUM,
            ("SESSION_COOKIE_HTTPONLY",),
            "SESSION_COOKIE_HTTPONLY is not True",
            "SESSION_COOKIE_HTTPONLY = True  # Django's default",
        ),
        _d(
            "security.W016",
            H,
            Severity.HIGH,
            ("CSRF_COOKIE_SECURE",),
            "CSRF_COOKIE_SECURE is not True",
            "CSRF_COOKIE_SECURE = True",
        ),
        _d(
            "security.W018",
            C,
            Severity.CRITICAL,
            ("DEBUG",),
            "DEBUG is True in deployment",
            'DEBUG = False  # or DEBUG = os.environ.get("DJANGO_DEBUG") == "1"',
        ),
        _d(
            "security.W019",
            H,
            Severity.LOW,
            ("X_FRAME_OPTIONS",),
            "X_FRAME_OPTIONS is not DENY",
            'X_FRAME_OPTIONS = "DENY"  # unless the site frames its own pages',
        ),
        _d(
            "security.W020",
            E,
            Severity.HIGH,
            ("ALLOWED_HOSTS",),
            "ALLOWED_HOSTS is empty",
            'ALLOWED_HOSTS = ["www.example.com"]',
        ),
        _d(
            "security.W021",
            H,
            Severity.LOW,
            ("SECURE_HSTS_PRELOAD",),
            "SECURE_HSTS_PRELOAD is not True",
            "SECURE_HSTS_PRELOAD = True  # then submit the domain to hstspreload.org",
        ),
        _d(
            "security.W022",
            H,
            Severity.LOW,
            ("SECURE_REFERRER_POLICY",),
            "SECURE_REFERRER_POLICY is not set",
            'SECURE_REFERRER_POLICY = "same-origin"',
        ),
        _d(
            "security.E023",
            H,
            Severity.MEDIUM,
            ("SECURE_REFERRER_POLICY",),
            "SECURE_REFERRER_POLICY is invalid",
            'SECURE_REFERRER_POLICY = "same-origin"',
        ),
        _d(
            "security.E024",
            H,
            Severity.MEDIUM,
            ("SECURE_CROSS_ORIGIN_OPENER_POLICY",),
            "SECURE_CROSS_ORIGIN_OPENER_POLICY is invalid",
            'SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"',
        ),
        _d(
            "security.W025",
            C,
            Severity.HIGH,
            ("SECRET_KEY_FALLBACKS",),
            "a SECRET_KEY_FALLBACKS entry is weak",
            "Remove old keys from SECRET_KEY_FALLBACKS once sessions signed with them expired.",
        ),
        _d(
            "mail.E001",
            E,
            Severity.MEDIUM,
            ("MAILERS",),
            "MAILERS['default'] uses a development-only e-mail backend (Django 6.1+)",
            'MAILERS = {"default": {"OPTIONS": {"host": os.environ["EMAIL_HOST"], "use_tls": True}}}',
        ),
        _d(
            "mail.W001",
            E,
            Severity.MEDIUM,
            ("MAILERS",),
            "MAILERS has no 'default' entry (Django 6.1+)",
            'MAILERS = {"default": {"OPTIONS": {"host": os.environ["EMAIL_HOST"], "use_tls": True}}}',
        ),
        _d(
            "security.E100",
            S.CHECK_DEPLOY,
            Severity.HIGH,
            ("DEFAULT_HASHING_ALGORITHM",),
            "DEFAULT_HASHING_ALGORITHM is invalid",
            "Remove DEFAULT_HASHING_ALGORITHM.",
        ),
        _d(
            "security.E101",
            S.CHECK_DEPLOY,
            Severity.MEDIUM,
            ("CSRF_FAILURE_VIEW",),
            "CSRF_FAILURE_VIEW does not take the right arguments",
            "def csrf_failure(request, reason=''): ...",
        ),
        _d(
            "security.E102",
            S.CHECK_DEPLOY,
            Severity.MEDIUM,
            ("CSRF_FAILURE_VIEW",),
            "CSRF_FAILURE_VIEW cannot be imported",
            "Point CSRF_FAILURE_VIEW at an importable view.",
        ),
    )
}
