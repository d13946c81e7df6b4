"""Environment-specific settings (checklist section 2, ids GL2xx): ALLOWED_HOSTS, CACHES,
DATABASES, e-mail, static and media files.

Source: Django's deployment checklist, "Environment-specific settings"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#environment-specific-settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive.checks._cache_use import NOTHING as CACHE_UNUSED
from golive.checks._cache_use import cache_reliance
from golive.checks._util import (
    CHECKLIST,
    NON_SENDING_EMAIL,
    PROCESS_LOCAL_CACHES,
    SETTINGS,
    SMTP_BACKEND,
    backend_name,
    is_loopback,
    locations,
    mailers,
    url_host,
    where,
)
from golive.facts.backups import BackupFacts
from golive.facts.git import GitFacts
from golive.facts.project import ProjectFacts
from golive.facts.run import RunFacts
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.redact import is_redacted
from golive.registry import CheckSpec, Facts, check

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", ".localhost", "0.0.0.0"}
CACHE_SERVERS = ("redis", "memcached", "pymemcache", "pylibmc")  # not "memcache": LocMemCache


def _is_wildcard(host: str) -> bool:
    if host == "*" or host == ".":
        return True
    return host.startswith(".") and host.count(".") == 1


@check(
    "GL201",
    title="ALLOWED_HOSTS accepts any host",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#allowed-hosts",
    remediation="""
    List the site's own names, and let the web server drop other Host headers:

        ALLOWED_HOSTS = ["www.example.com", "example.com"]
    """,
)
def allowed_hosts_wildcard(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you use a wildcard, you must perform your own validation of the Host HTTP
    header." ``*`` (or a bare ``.com``-style suffix) turns off Django's Host validation,
    which protects password-reset links and cache keys from Host header poisoning.
    """
    hosts = facts[RuntimeFacts].setting("ALLOWED_HOSTS") or []
    bad = [h for h in hosts if isinstance(h, str) and _is_wildcard(h)]
    if bad:
        yield spec.fail(
            subjects=["ALLOWED_HOSTS"],
            location=where(facts, "ALLOWED_HOSTS"),
            evidence=[f"ALLOWED_HOSTS = {hosts!r}"],
        )


@check(
    "GL202",
    title="ALLOWED_HOSTS names only local addresses",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#allowed-hosts",
    remediation='ALLOWED_HOSTS = ["www.example.com"]  # the names the site is served under',
)
def allowed_hosts_local(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """With only localhost names, every request for the real domain gets a 400: these
    are development settings, not production ones.
    Source: the ALLOWED_HOSTS setting
    (https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts) and the checklist
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#allowed-hosts).
    """
    hosts = facts[RuntimeFacts].setting("ALLOWED_HOSTS") or []
    if hosts and all(isinstance(h, str) and h.lower() in LOCAL_HOSTS for h in hosts):
        yield spec.fail(
            subjects=["ALLOWED_HOSTS"],
            location=where(facts, "ALLOWED_HOSTS"),
            evidence=[f"ALLOWED_HOSTS = {hosts!r}"],
        )


def _caches(runtime: RuntimeFacts) -> dict[str, dict[str, Any]]:
    caches = runtime.setting("CACHES") or {}
    return {k: v for k, v in caches.items() if isinstance(v, dict)}


@check(
    "GL210",
    title="the default cache is local-memory or dummy",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Use a shared cache server in production:

        CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }}
    """,
)
def cache_local(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Django defaults to per-process local-memory caching which may not be desirable."
    Each worker process has its own cache: rate limits, cached pages and anything else
    kept there differ from one request to the next. (Sessions on such a cache are GL402.)
    Medium only when something relies on a shared cache (:func:`cache_reliance`: sessions,
    the cache middleware, throttles, the code's own cache calls, CACHES set so on purpose);
    when the scanned code uses none of it, low with that reason.
    """
    default = _caches(facts[RuntimeFacts]).get("default", {})
    backend = str(default.get("BACKEND", ""))
    if backend in PROCESS_LOCAL_CACHES:
        location = where(facts, "CACHES")
        reasons, known = cache_reliance(facts)
        yield spec.fail(
            subjects=["CACHES"],
            location=location,
            evidence=[
                f"CACHES['default']['BACKEND'] = {backend!r}" + ("" if location else " (Django's default)"),
                *(reasons or ([CACHE_UNUSED] if known else [])),
            ],
            severity=Severity.LOW if known and not reasons else None,
        )


@check(
    "GL211",
    title="a cache server on another host is reached without credentials",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Require a password (Redis ACLs or requirepass) and put it in the URL from the
    environment; firewall the cache server to the application servers:

        "LOCATION": os.environ["REDIS_URL"],  # rediss://:password@cache.internal:6380/0
    """,
)
def cache_credentials(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Cache servers often have weak authentication. Make sure they only accept
    connections from your application servers." A remote Redis or Memcached reached
    without any credential is open to anyone who can reach its port.
    """
    unknown: list[str] = []
    failed = False
    for alias, conf in _caches(facts[RuntimeFacts]).items():
        backend = str(conf.get("BACKEND", "")).lower()
        if not any(name in backend for name in CACHE_SERVERS):
            continue
        options = conf.get("OPTIONS") or {}
        has_option_password = any("PASSWORD" in str(k).upper() for k in options)
        value = conf.get("LOCATION")
        if isinstance(value, dict) and is_redacted(value):
            unknown.append(f"CACHES[{alias!r}]")
            continue
        for loc in locations(value):
            if is_redacted(loc):  # a redacted value is unknown, not a host (issue 9, item 3)
                unknown.append(f"CACHES[{alias!r}]")
                continue
            host, has_credentials = url_host(loc)
            if not is_loopback(host) and not has_credentials and not has_option_password:
                failed = True
                yield spec.fail(
                    subjects=["CACHES"],
                    location=where(facts, f"CACHES.{alias}.LOCATION"),
                    evidence=[
                        f"CACHES[{alias!r}]: {backend_name(conf.get('BACKEND', ''))}"
                        f" at {loc} (host {host}, no credentials)"
                    ],
                )
    if unknown and not failed:
        yield spec.skipped(
            f"{', '.join(dict.fromkeys(unknown))} LOCATION is redacted (it holds a secret): its host is"
            " unknown; check that the cache server asks for a password"
        )


def _cache_servers(runtime: RuntimeFacts) -> list[str]:
    return [
        alias
        for alias, conf in _caches(runtime).items()
        if any(n in str(conf.get("BACKEND", "")).lower() for n in CACHE_SERVERS)
    ]


@check(
    "GL212",
    title="the cache server accepts connections only from the application servers",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Bind the cache server to a private address and firewall it to the application
    servers, then sign it:

        [tool.golive.attest.GL212]
        by = "Jane Ops"
        on = 2026-11-22
        note = "redis bound to 10.0.0.5, security group allows app servers only"
    """,
    manual=True,
    validity_days=365,
)
def cache_firewalled(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Who can reach the cache server's port is decided by the network, which golive
    cannot see from the settings: a person attests it. Not asked when no cache server
    is configured.
    Source: the checklist, "Cache servers often have weak authentication. Make sure they
    only accept connections from your application servers."
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#caches).
    """
    aliases = _cache_servers(facts[RuntimeFacts])
    if not aliases:
        yield spec.passed(evidence=["no cache server configured (nothing to firewall)"])
        return
    yield spec.ask(subjects=["CACHES"], evidence=[f"cache server aliases: {', '.join(aliases)}"])


@check(
    "GL220",
    title="a database is SQLite",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Use a database server for a site with concurrent writers:

        DATABASES = {"default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["DATABASE_NAME"], "USER": os.environ["DATABASE_USER"],
            "PASSWORD": os.environ["DATABASE_PASSWORD"], "HOST": os.environ["DATABASE_HOST"],
        }}
    """,
)
def sqlite(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Database connection parameters are probably different in development and in
    production." SQLite in production often means the development settings leaked in:
    one writer at a time, a file in the code tree, and no server to back up. Django's
    docs do not rule it out, though (the databases notes list its limits, not a ban:
    https://docs.djangoproject.com/en/stable/ref/databases/#sqlite-notes): one
    application server with the file on a persistent volume is low, with the reason.
    Medium when several replicas or application services write the one file
    (:attr:`DeployShape.several`), when the file sits in the code tree of a container
    image with no volume on its folder (the writable layer goes with the container), or
    when the deployment's shape is unknown.
    """
    runtime = facts[RuntimeFacts]
    for alias, vendor in runtime.database_vendors.items():
        if vendor == "sqlite":
            name = ((runtime.setting("DATABASES") or {}).get(alias) or {}).get("NAME")
            why, low = _sqlite_shape(facts, str(name or ""))
            yield spec.fail(
                subjects=["DATABASES"],
                location=where(facts, f"DATABASES.{alias}"),
                evidence=[f"DATABASES[{alias!r}] ENGINE sqlite3, NAME {name!r}", *why],
                severity=Severity.LOW if low else None,
            )


def _sqlite_shape(facts: Facts, name: str) -> tuple[list[str], bool]:
    """(evidence, low) for a SQLite file ``name`` from the deployment's shape."""
    project = facts.get(ProjectFacts)
    shape = project.shape if project is not None else None
    run = facts.get(RunFacts)
    if shape is None or run is None or not name or name == ":memory:":
        return [], False
    several = shape.several
    if several:
        return [f"{'; '.join(several)}: several application servers write one SQLite file"], False
    root = run.django_dir.resolve()
    path = (root / name).resolve()
    server = (
        f"one application server ({shape.services[0].name} at {shape.services[0].location}, 1 replica)"
        if shape.services
        else "one application server"
    )
    if not _inside(path, root):
        return [f"{server} and the file lies outside the code tree: {_SQLITE_LOW}"], True
    rel = path.relative_to(root)
    folder = rel.parent.as_posix() if rel.parent != Path(".") else ""
    mounted = shape.volume_for(rel.as_posix()) or shape.volume_for(folder)
    if mounted:
        return [f"{server} and {rel.as_posix()} is on the volume mounted at {mounted}: {_SQLITE_LOW}"], True
    if shape.containers:
        return [
            f"{rel.as_posix()} is inside the code tree of a container image and no volume is mounted on"
            f" {folder + '/' if folder else 'its folder'}: the database lives in the container's writable"
            " layer and goes with it"
        ], False
    return [
        f"{server}, not in a container, with the file in the code tree ({rel.as_posix()}): {_SQLITE_LOW}"
    ], True


_SQLITE_LOW = "Django's docs do not rule SQLite out on one server; back the file up: low"


@check(
    "GL221",
    title="a database password is a literal in the settings source",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#databases",
    remediation='"PASSWORD": os.environ["DATABASE_PASSWORD"],  # and rotate the committed one',
)
def database_password(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Database passwords are very sensitive. You should protect them exactly like
    SECRET_KEY." Covers ``PASSWORD`` keys and passwords inside ``DATABASE_URL``-style
    literals.
    """
    for a in facts[SourceFacts].effective:
        if a.target.startswith("DATABASES") and a.kind == "literal" and a.secret and not a.secret.empty:
            if a.confidence is None or a.placeholder:
                continue  # not a value that can be a password, or a placeholder (issue 11)
            yield spec.fail(
                subjects=["DATABASES"],
                location=a.location,
                evidence=[
                    f"{a.target} at {a.location}: literal, {a.secret.describe()}",
                    f"confidence {a.confidence.value}: {a.why}",
                ],
                confidence=a.confidence,
            )


def _attest_fix(check_id: str, note: str) -> str:
    return f"""
    Then sign it:

        [tool.golive.attest.{check_id}]
        by = "Jane Ops"
        on = 2026-11-22
        note = "{note}"
    """


@check(
    "GL222",
    title="database backups exist and are kept off-site",
    severity=Severity.HIGH,
    needs=(),
    reference=CHECKLIST + "#databases",
    remediation="Schedule dumps (pg_dump -Fc) and copy them off-site (another provider or region)."
    + _attest_fix("GL222", "nightly pg_dump, copied to the off-site bucket"),
    manual=True,
    validity_days=90,
    uses=(BackupFacts,),
)
def database_backups(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you haven't set up backups for your database, do it right now!" Where the dumps
    land and how fresh they are is machine evidence (GL940-GL942, ``[tool.golive.backups]``),
    and whether one restores is GL945 (``golive verify-backup``); that they also live
    off-site, out of reach of whatever destroys the server, only a person can attest. The
    signature lasts 90 days. The evidence shows what the machine saw, to sign against.
    """
    backups = facts.get(BackupFacts)
    evidence = []
    if backups is not None and backups.database is not None:
        newest = backups.database.scan.newest
        evidence.append(f"database backups: {backups.database.origin}")
        if newest is not None:
            written = newest.modified.isoformat(timespec="minutes")
            evidence.append(f"newest: {newest.path} ({newest.size} bytes, {written})")
    if backups is not None and backups.verification is not None and backups.verification.ok:
        evidence.append(
            f"restore verified by golive verify-backup on {backups.verification.verified_at} (GL945)"
        )
    yield spec.ask(subjects=["DATABASES"], evidence=evidence)


@check(
    "GL223",
    title="the database server accepts connections only from the application servers",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#databases",
    remediation="Restrict pg_hba.conf / bind-address and the firewall to the application servers."
    + _attest_fix("GL223", "pg_hba allows 10.0.0.0/24 only"),
    manual=True,
    validity_days=365,
)
def database_firewalled(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "For maximum security, make sure database servers only accept connections from
    your application servers." Network policy is outside the settings: a person attests
    it. Not asked for SQLite.
    """
    runtime = facts[RuntimeFacts]
    servers = [a for a, v in runtime.database_vendors.items() if v != "sqlite"]
    if not servers:
        yield spec.passed(evidence=["no database server configured"])
        return
    yield spec.ask(subjects=["DATABASES"], evidence=[f"database aliases: {', '.join(servers)}"])


@check(
    "GL230",
    title="e-mail is not sent: a console, file, locmem or dummy backend",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#email-backend-and-related-settings",
    remediation="""
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_USE_TLS = True

    With Django 6.1's MAILERS, give each alias a sending backend (SMTP when BACKEND is omitted):

        MAILERS = {"default": {"OPTIONS": {"host": os.environ["EMAIL_HOST"], "use_tls": True}}}
    """,
)
def email_backend(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If your site sends emails, these values need to be set correctly." Development
    backends swallow password-reset mails and error reports without a trace. On Django
    6.1+ with the ``MAILERS`` setting every alias is looked at; the ``default`` alias is
    left to Django's own ``mail.E001`` when Django reported it (never re-implemented).
    """
    runtime = facts[RuntimeFacts]
    django_judged = any(m.id == "mail.E001" for m in runtime.checks)
    for mailer in mailers(runtime):
        if mailer.backend not in NON_SENDING_EMAIL:
            continue
        if mailer.alias == "default" and django_judged:
            continue
        yield spec.fail(
            subjects=[mailer.subject],
            location=where(facts, mailer.source_target),
            evidence=[
                f"{mailer.label} = {mailer.backend!r} ({NON_SENDING_EMAIL[mailer.backend]}: sends nothing)"
            ],
        )


@check(
    "GL231",
    title="DEFAULT_FROM_EMAIL or SERVER_EMAIL is Django's localhost default, or empty",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#email-backend-and-related-settings",
    remediation="""
    DEFAULT_FROM_EMAIL = "Example <noreply@example.com>"
    SERVER_EMAIL = "errors@example.com"
    """,
)
def email_senders(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "By default, Django sends email from webmaster@localhost and root@localhost.
    However, some mail providers reject email from these addresses." An empty address is
    as bad (issue 13): error mails and password resets go out with no sender, which mail
    servers refuse or cannot route a bounce to.
    """
    runtime = facts[RuntimeFacts]
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        if name not in runtime.settings:
            continue
        value = str(runtime.setting(name, ""))
        if not value.strip():
            evidence = f"{name} = {value!r} (empty: mail from it is refused or unroutable)"
            yield spec.fail(subjects=[name], location=where(facts, name), evidence=[evidence])
        elif value.lower().endswith("@localhost") or value.lower().endswith("@localhost>"):
            yield spec.fail(subjects=[name], location=where(facts, name), evidence=[f"{name} = {value!r}"])


@check(
    "GL232",
    title="SMTP to a remote server without TLS or SSL",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#email-use-tls",
    remediation="""
    EMAIL_USE_TLS = True  # port 587; or EMAIL_USE_SSL = True on port 465

    With Django 6.1's MAILERS, in the alias's OPTIONS:

        MAILERS = {"default": {"OPTIONS": {"host": "smtp.example.com", "use_tls": True}}}
    """,
)
def smtp_tls(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Password-reset links and the SMTP password itself cross the network in clear text
    when the connection to a remote mail server is not encrypted. A local MTA on
    loopback is fine.
    Source: EMAIL_USE_TLS and EMAIL_USE_SSL
    (https://docs.djangoproject.com/en/stable/ref/settings/#email-use-tls); Django 6.1's
    MAILERS ``use_tls``/``use_ssl`` options.
    """
    unknown: list[str] = []
    failed = False
    for mailer in mailers(facts[RuntimeFacts]):
        if mailer.backend == SMTP_BACKEND and not mailer.tls and is_redacted(mailer.host):
            unknown.append(mailer.label)  # a redacted host is unknown (issue 9, item 3)
            continue
        if mailer.backend != SMTP_BACKEND or mailer.tls or not mailer.host or is_loopback(mailer.host):
            continue
        failed = True
        if mailer.alias is None:
            subjects, target = ["EMAIL_USE_TLS", "EMAIL_HOST"], "EMAIL_HOST"
        else:
            subjects, target = ["MAILERS"], mailer.source_target
        yield spec.fail(
            subjects=subjects,
            location=where(facts, target),
            evidence=[f"{mailer.label}: SMTP to {mailer.host!r} with neither TLS nor SSL"],
        )
    if unknown and not failed:
        yield spec.skipped(
            f"{', '.join(unknown)}: the SMTP host is redacted (it holds a secret), so whether it is"
            " remote is unknown; use TLS or SSL to any remote mail server"
        )


@check(
    "GL240",
    title="STATIC_ROOT is not set",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#static-root-and-static-url",
    remediation='STATIC_ROOT = "/srv/example/static"  # then: python manage.py collectstatic',
)
def static_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "In production, you must define a STATIC_ROOT directory where collectstatic will
    copy them." Without it ``collectstatic`` refuses to run and static files 404.
    """
    runtime = facts[RuntimeFacts]
    if not runtime.setting("STATIC_ROOT"):
        yield spec.fail(
            subjects=["STATIC_ROOT"],
            location=where(facts, "STATIC_ROOT") or where(facts, "STATIC_URL"),
            evidence=[f"STATIC_ROOT = {runtime.setting('STATIC_ROOT')!r}"],
        )


@check(
    "GL241",
    title="STATIC_URL and MEDIA_URL are the same",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation='STATIC_URL = "/static/"\nMEDIA_URL = "/media/"',
)
def static_media_url(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Uploaded files served from the static URL are served with the static files'
    trust (long caching, maybe a CDN) and can shadow or be shadowed by them.
    Source: the checklist's MEDIA_ROOT and MEDIA_URL section
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#media-root-and-media-url);
    staticfiles refuses equal values when it serves files.
    """
    runtime = facts[RuntimeFacts]
    static, media = runtime.setting("STATIC_URL"), runtime.setting("MEDIA_URL")
    if static and media and str(static).strip("/") == str(media).strip("/"):
        yield spec.fail(
            subjects=["STATIC_URL", "MEDIA_URL"],
            location=where(facts, "MEDIA_URL"),
            evidence=[f"STATIC_URL = {static!r}, MEDIA_URL = {media!r}"],
        )


@check(
    "GL242",
    title="static files are not stored with hashed names",
    severity=Severity.INFO,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage",
    remediation="""
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    """,
)
def hashed_static(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Hashed file names (ManifestStaticFilesStorage, WhiteNoise's
    CompressedManifestStaticFilesStorage) let the web server cache static files forever
    and never serve a stale stylesheet after a release.
    Source: ManifestStaticFilesStorage
    (https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/#manifeststaticfilesstorage).
    """
    runtime = facts[RuntimeFacts]
    storages = runtime.setting("STORAGES") or {}
    backend = (
        str((storages.get("staticfiles") or {}).get("BACKEND", "")) if isinstance(storages, dict) else ""
    )
    backend = backend or str(runtime.setting("STATICFILES_STORAGE", ""))
    if "manifest" not in backend.lower():
        yield spec.fail(
            subjects=["STORAGES"],
            location=where(facts, "STORAGES"),
            evidence=[f"staticfiles storage: {backend or 'StaticFilesStorage (default)'}"],
        )


@check(
    "GL250",
    title="MEDIA_ROOT is not set but models have file fields",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="""
    MEDIA_ROOT = "/srv/example/media"  # outside the code tree, backed up
    MEDIA_URL = "/media/"
    """,
)
def media_root(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """With MEDIA_ROOT empty, uploads land in the process's working directory: usually
    the code tree, lost at the next deployment and maybe served as code.
    Source: the checklist's MEDIA_ROOT and MEDIA_URL section
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#media-root-and-media-url).
    """
    runtime = facts[RuntimeFacts]
    unknown = runtime.step_error("file_fields")
    if unknown:
        yield spec.skipped(f"the models' file fields could not be listed: {unknown}")
        return
    storage = default_storage(runtime)
    if storage != FILE_SYSTEM_STORAGE:
        yield spec.passed(evidence=[f"uploads go to {backend_name(storage)}, not to MEDIA_ROOT"])
        return
    if runtime.file_fields and not runtime.setting("MEDIA_ROOT"):
        fields = ", ".join(runtime.file_fields[:5])
        yield spec.fail(
            subjects=["MEDIA_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT = '' and file fields: {fields}"],
        )


FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


def default_storage(runtime: RuntimeFacts) -> str:
    """The backend uploads are stored with (``STORAGES["default"]``; FileSystemStorage by default)."""
    storages = runtime.setting("STORAGES")
    conf = storages.get("default") if isinstance(storages, dict) else None
    backend = conf.get("BACKEND") if isinstance(conf, dict) else None
    return str(backend or runtime.setting("DEFAULT_FILE_STORAGE") or FILE_SYSTEM_STORAGE)


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


@check(
    "GL251",
    title="MEDIA_ROOT is inside STATIC_ROOT or the code tree",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    uses=(GitFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation='MEDIA_ROOT = "/srv/example/media"  # its own directory, outside the project',
)
def media_inside(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Media files are uploaded by your users. They're untrusted!" Inside the code tree
    they can be imported, committed or wiped by a deployment; inside STATIC_ROOT they are
    served and cached as if they were the site's own files (collectstatic can publish
    them): medium. Merely under the project folder, in a folder git does not track (the
    usual ``BASE_DIR / "media"`` that a container deployment mounts as a volume), it is a
    risk only if the web server executes files from it or uploads get committed: low. A
    tracked folder, or one whose state is unknown (git not read), stays medium.
    """
    runtime = facts[RuntimeFacts]
    media = runtime.setting("MEDIA_ROOT")
    if not media or default_storage(runtime) != FILE_SYSTEM_STORAGE:
        return
    run = facts.get(RunFacts)
    # A relative path is relative to the server's working directory: the Django root, usually.
    cwd = run.django_dir if run is not None else Path.cwd()
    media_path = (cwd / str(media)).resolve()
    static = runtime.setting("STATIC_ROOT")
    if static and _inside(media_path, (cwd / str(static)).resolve()):
        yield spec.fail(
            subjects=["MEDIA_ROOT", "STATIC_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT {media} is inside STATIC_ROOT {static}"],
        )
        return
    if run is not None and _inside(media_path, run.project_dir):
        shown = media_path.relative_to(run.project_dir.resolve()).as_posix() + "/"
        git = facts.get(GitFacts)
        tracked = git.tracks(media_path) if git is not None else None
        if tracked is None:
            why = f"whether git tracks {shown} is unknown (the git history was not read)"
        elif tracked:
            why = f"git tracks files under {shown}: uploads there end up committed"
        else:
            why = (
                f"{shown} is not tracked by git: uploads there are a risk only if the web server"
                " executes files from it, or if uploads end up committed: low"
            )
        yield spec.fail(
            subjects=["MEDIA_ROOT"],
            location=where(facts, "MEDIA_ROOT"),
            evidence=[f"MEDIA_ROOT {media} is inside the project directory {run.project_dir}", why],
            severity=Severity.LOW if tracked is False else None,
        )


@check(
    "GL252",
    title="media files are backed up",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="Copy MEDIA_ROOT (or the media bucket) off-site on a schedule."
    + _attest_fix("GL252", "media synced nightly to off-site storage"),
    manual=True,
    validity_days=90,
)
def media_backups(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Now is a good time to check your backup strategy for these files." Not asked
    when no model has a file field.
    """
    runtime = facts[RuntimeFacts]
    unknown = runtime.step_error("file_fields")
    if unknown:
        yield spec.skipped(f"the models' file fields could not be listed: {unknown}")
        return
    if not runtime.file_fields:
        yield spec.passed(evidence=["no model has a file field"])
        return
    yield spec.ask(subjects=["MEDIA_ROOT"])
