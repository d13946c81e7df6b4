"""The checklist: Django's deployment checklist and golive's further sections, in order.

Each row (:class:`Item`) names the check ids it covers (prefixes, as ``--select``
matches), or the section and subjects whose findings it takes; :func:`checklist` maps an
audit's findings to the rows. Every renderer (Markdown, HTML, terminal) ticks these rows;
``tests/test_checklist.py`` holds them against the registry: every check belongs to a row
and every id a row names is a check. The rows follow
https://docs.djangoproject.com/en/stable/howto/deployment/checklist/.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from msgspec import Struct

from golive.model import Finding, Section, Status

#: Statuses that leave a checklist item unticked.
OPEN = (Status.FAIL, Status.ERROR, Status.MANUAL)


class Item(Struct, frozen=True, kw_only=True):
    """One checklist item and the findings it covers.

    A finding belongs to the item when its id starts with one of ``ids`` (prefixes, as
    ``--select`` matches); or, when no item claims its id, when it is filed under
    ``section`` and one of its ``subjects`` is in ``subjects``; ``django`` items take
    every Django check id; a ``rest`` item takes its section's findings no other item
    took. ``optional`` items are left out of the checklist when nothing maps to them.
    ``audited_by`` (id prefixes) names the checks that read the item's own input (the
    application server's configuration, not the requirements file): the item is ticked
    only when one of them ran, and is "not audited" when they were all skipped.
    """

    label: str
    text: str
    section: Section
    ids: tuple[str, ...] = ()
    subjects: frozenset[str] = frozenset()
    django: bool = False
    rest: bool = False
    optional: bool = False
    audited_by: tuple[str, ...] = ()


def _item(
    label: str,
    text: str,
    section: Section,
    ids: str = "",
    subjects: str = "",
    audited_by: str = "",
    **kw: bool,
) -> Item:
    return Item(
        label=label,
        text=text,
        section=section,
        ids=tuple(ids.split()),
        subjects=frozenset(subjects.split()),
        audited_by=tuple(audited_by.split()),
        **kw,
    )


S = Section
#: Django's deployment checklist and golive's further sections, in the checklist's order.
CHECKLIST: tuple[Item, ...] = (
    _item("`manage.py check --deploy`", "run against the production settings", S.CHECK_DEPLOY, django=True),
    _item(
        "Production settings",
        "the audited settings are the ones production runs, not development settings",
        S.CRITICAL_SETTINGS,
        "GL114",
        "DJANGO_SETTINGS_MODULE",
        optional=True,
    ),
    _item(
        "`SECRET_KEY`",
        "large, random, kept out of source control and used nowhere else (other secrets too)",
        S.CRITICAL_SETTINGS,
        "GL10 GL112",
        "SECRET_KEY SECRET_KEY_FALLBACKS",
    ),
    _item("`DEBUG`", "never enabled in production", S.CRITICAL_SETTINGS, "GL110 GL111", "DEBUG"),
    _item("Other critical settings", "", S.CRITICAL_SETTINGS, rest=True, optional=True),
    _item(
        "`ALLOWED_HOSTS`",
        "names the site's hosts, no wildcard",
        S.ENVIRONMENT_SETTINGS,
        "GL20",
        "ALLOWED_HOSTS",
    ),
    _item(
        "`CACHES`",
        "a shared cache server that only the application servers can reach",
        S.ENVIRONMENT_SETTINGS,
        "GL21",
        "CACHES",
    ),
    _item(
        "`DATABASES`",
        "a production database, its password protected like SECRET_KEY",
        S.ENVIRONMENT_SETTINGS,
        "GL220 GL221 GL223",
        "DATABASES",
    ),
    _item(
        "`EMAIL_BACKEND`",
        "and related settings: e-mail really leaves the machine",
        S.ENVIRONMENT_SETTINGS,
        "GL23",
        "EMAIL_BACKEND EMAIL_HOST EMAIL_USE_TLS EMAIL_USE_SSL DEFAULT_FROM_EMAIL SERVER_EMAIL MAILERS",
    ),
    _item(
        "`STATIC_ROOT` and `STATIC_URL`",
        "collectstatic has somewhere to copy to",
        S.ENVIRONMENT_SETTINGS,
        "GL24",
        "STATIC_ROOT STATIC_URL STORAGES",
    ),
    _item(
        "`MEDIA_ROOT` and `MEDIA_URL`",
        "uploads are untrusted and kept out of the code",
        S.ENVIRONMENT_SETTINGS,
        "GL250 GL251",
        "MEDIA_ROOT MEDIA_URL",
    ),
    _item("Other environment-specific settings", "", S.ENVIRONMENT_SETTINGS, rest=True, optional=True),
    _item(
        "`CSRF_COOKIE_SECURE`",
        "the CSRF cookie is never sent over plain HTTP",
        S.HTTPS,
        subjects="CSRF_COOKIE_SECURE",
    ),
    _item(
        "`SESSION_COOKIE_SECURE`",
        "the session cookie is never sent over plain HTTP",
        S.HTTPS,
        subjects="SESSION_COOKIE_SECURE",
    ),
    _item(
        "HTTPS everywhere",
        "redirect to HTTPS, HSTS, trusted origins",
        S.HTTPS,
        "GL30",
        "SECURE_SSL_REDIRECT SECURE_PROXY_SSL_HEADER SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS"
        " SECURE_HSTS_PRELOAD CSRF_TRUSTED_ORIGINS",
    ),
    _item("Other HTTPS and security-header settings", "", S.HTTPS, rest=True, optional=True),
    _item(
        "Sessions",
        "cached sessions on a shared cache, or database sessions cleared regularly",
        S.PERFORMANCE,
        "GL401 GL402",
        "SESSION_ENGINE",
    ),
    _item(
        "`CONN_MAX_AGE`",
        "persistent database connections, with health checks",
        S.PERFORMANCE,
        "GL403 GL404",
        "CONN_MAX_AGE CONN_HEALTH_CHECKS",
    ),
    _item("`TEMPLATES`", "the cached template loader", S.PERFORMANCE, "GL405", "TEMPLATES"),
    _item("Other performance settings", "", S.PERFORMANCE, rest=True, optional=True),
    _item(
        "`LOGGING`",
        "reviewed, and checked once the site received traffic",
        S.ERROR_REPORTING,
        "GL505",
        "LOGGING",
    ),
    _item(
        "`ADMINS` and `MANAGERS`",
        "someone is told about server errors",
        S.ERROR_REPORTING,
        "GL501 GL502 GL503",
        "ADMINS MANAGERS IGNORABLE_404_URLS",
    ),
    _item(
        "Error views",
        "404.html, 500.html, 403.html and 400.html",
        S.ERROR_REPORTING,
        "GL504",
        "404.html 500.html 403.html 400.html",
    ),
    _item("Other error-reporting settings", "", S.ERROR_REPORTING, rest=True, optional=True),
    _item(
        "Application server",
        "a production WSGI/ASGI server, not runserver",
        S.APPLICATION_SERVER,
        audited_by="GL61 GL620 GL621 GL63 GL64 GL65",
        rest=True,
    ),
    _item(
        "Front proxy",
        "Traefik, Caddy or Fly.io in front: plain http redirected to https, HSTS, no open dashboard",
        S.WEB_SERVER,
        "GL790 GL791 GL792",
        optional=True,
    ),
    _item(
        "Web server", "TLS, host validation, static and media files served safely", S.WEB_SERVER, rest=True
    ),
    _item("Live site", "what the deployed site really answers", S.LIVE_SITE, rest=True),
    _item(
        "Backups",
        "database and media backups exist, are off-site, and a restore was tested",
        S.OPERATIONS,
        "GL222 GL252",
        "backups",
    ),
    _item("Security alerts and the host", "dependencies, the server, the admin", S.OPERATIONS, rest=True),
)


class ItemState(Struct, frozen=True, kw_only=True):
    """An item with its findings: ``done`` when nothing is open and at least one passed."""

    item: Item
    findings: tuple[Finding, ...]

    @property
    def open_ids(self) -> list[str]:
        """Ids of the failing, erroring and unattested manual findings (each id once)."""
        return _unique(f.id for f in self.findings if f.status in OPEN and f.accepted is None)

    @property
    def audited(self) -> tuple[Finding, ...]:
        """The findings of the checks that read the item's input (:attr:`Item.audited_by`; all
        of them when the item names none)."""
        prefixes = self.item.audited_by
        if not prefixes:
            return self.findings
        return tuple(f for f in self.findings if f.id.startswith(prefixes))

    @property
    def done(self) -> bool:
        """True when no finding is open and at least one of :attr:`audited` passed (manual
        attested counts): a row whose input was not audited is never ticked."""
        return not self.open_ids and any(f.status is Status.PASS for f in self.audited)

    @property
    def not_audited(self) -> str | None:
        """Why the item's input was not audited: the reasons of its skipped checks, when
        every one of :attr:`audited` was skipped (or none ran); None when it was audited or
        nothing at all maps to the item (that is "not checked in this audit")."""
        if not self.findings or self.open_ids:
            return None
        mine = self.audited
        if any(f.status is not Status.SKIPPED for f in mine):
            return None
        reasons = _unique(f.reason for f in mine if f.reason)
        if not reasons:
            return "its checks were not run (--select/--ignore)" if not mine else "its checks were skipped"
        more = f" (and {len(reasons) - 2} more reasons)" if len(reasons) > 2 else ""
        return "; ".join(reasons[:2]) + more


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _claims(item: Item, f: Finding) -> bool:
    return any(f.id.startswith(p) for p in item.ids) or (item.django and not f.id.startswith("GL"))


def checklist(findings: Sequence[Finding], items: Sequence[Item] = CHECKLIST) -> list[ItemState]:
    """Each item of ``items`` with the findings that map to it (rules: :class:`Item`)."""
    by_id = [any(any(f.id.startswith(p) for p in it.ids) for it in items) for f in findings]
    mapped: list[list[Finding]] = []
    taken = [False] * len(findings)
    for item in items:
        mine = []
        if not item.rest:
            for i, f in enumerate(findings):
                by_subject = (
                    not by_id[i] and f.section is item.section and bool(item.subjects & set(f.subjects))
                )
                if _claims(item, f) or by_subject:
                    mine.append(f)
                    if not item.django:
                        taken[i] = True
        mapped.append(mine)
    for k, item in enumerate(items):
        if item.rest:
            mapped[k] = [f for i, f in enumerate(findings) if f.section is item.section and not taken[i]]
    return [
        ItemState(item=item, findings=tuple(mine))
        for item, mine in zip(items, mapped, strict=True)
        if mine or not item.optional
    ]
