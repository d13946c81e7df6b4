"""Live site, files that must not be served (GL860–GL864): .git, .env, alias traversal, settings,
dumps; and the one that should be (GL868): /.well-known/security.txt.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.checks.live.common import NGINX_CORE, at, missing, site_check
from golive.facts import live_pages as pages
from golive.facts.live import FILE, FILES, Exchange, LiveFacts, Probe, SiteFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts


def _file_hits(site: SiteFacts, names: list[str], recognise: object) -> list[tuple[Exchange, str]]:
    out = []
    for name in names:
        ex = site.final(FILE + name)
        if ex is None or ex.status != 200:
            continue
        what = recognise(ex)  # type: ignore[operator]
        if what:
            out.append((ex, str(what)))
    return out


def _file_check(
    site: SiteFacts, spec: CheckSpec, names: list[str] | None, recognise: object, subjects: list[str]
) -> Iterator[Finding]:
    probed = [n[len(FILE) :] for n in site.chains if n.startswith(FILE)]
    if not probed:
        raise missing(site, FILE + "/.git/HEAD")
    wanted = [n for n in probed if n in names] if names is not None else [n for n in probed if "../" in n]
    hits = _file_hits(site, wanted, recognise)
    if hits:
        ex = hits[0][0]
        yield spec.fail(
            subjects=subjects,
            location=at(ex),
            evidence=[
                line
                for e, what in hits[:3]
                for line in e.evidence("Content-Type", notes=[f"  content: {what}"])
            ],
        )


def _git(ex: Exchange) -> str | None:
    return (
        "the repository's HEAD (the whole .git directory is likely readable)"
        if pages.project_file(ex.text) == "git HEAD"
        else None
    )


@site_check(
    "GL860",
    title="the .git directory is served",
    severity=Severity.CRITICAL,
    reference=NGINX_CORE + "#location",
    remediation="""
    Keep the repository out of every served root, and deny dotfiles in nginx:

        location ~ /\\. { deny all; }
    """,
)
def git_served(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A readable ``/.git/`` gives the whole source history, settings and any secret
    ever committed (tools rebuild the repository from it). Django's static files guide
    serves only STATIC_ROOT: "This should be an initially empty destination directory".
    """
    yield from _file_check(site, spec, ["/.git/HEAD"], _git, ["location", "root", ".git"])


def _env(ex: Exchange) -> str | None:
    if ex.content_type.startswith("text/html"):
        return None
    names = pages.DOTENV_LINE.findall(ex.text)
    count = pages.dotenv(ex.text)
    keys = re.findall(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=", ex.text, re.M)[:5]
    return (
        f"{count} NAME=value lines ({', '.join(keys)}{'…' if count > 5 else ''}; values not shown)"
        if names
        else None
    )


@site_check(
    "GL861",
    title="a .env file is served",
    severity=Severity.CRITICAL,
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Move the file out of every served root, deny dotfiles (`location ~ /\\. { deny all; }`),
    and rotate every secret it held (SECRET_KEY, database and API passwords).
    """,
)
def env_served(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The environment file holds SECRET_KEY and the database password; Django's
    checklist: "The secret key must be a large random value and it must be kept secret."
    """
    yield from _file_check(site, spec, ["/.env"], _env, ["location", "root", ".env"])


def _project(ex: Exchange) -> str | None:
    kind = pages.project_file(ex.text)
    if kind:
        return kind
    return _env(ex)


@site_check(
    "GL862",
    title="a static/media alias lets requests climb out of its directory",
    severity=Severity.HIGH,
    reference=NGINX_CORE + "#alias",
    remediation="""
    End the location and the alias with a slash alike:

        location /static/ { alias /srv/app/static/; }   # not: location /static { alias ...static/; }
    """,
)
def alias_traversal(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``location /static { alias /srv/app/static/; }`` maps ``/static../manage.py`` to
    ``/srv/app/static/../manage.py``: the project's code and settings are one request
    away (the "off-by-slash" misconfiguration gixy reports as ``alias_traversal``).
    """
    yield from _file_check(site, spec, None, _project, ["alias", "location"])


def _settings_file(ex: Exchange) -> str | None:
    return "Django settings source" if pages.project_file(ex.text) == "settings" else None


@site_check(
    "GL863",
    title="a settings file is served",
    severity=Severity.CRITICAL,
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Serve only STATIC_ROOT and MEDIA_ROOT (nginx `root`/`alias` never at the project
    directory), and rotate SECRET_KEY and every password in the file.
    """,
)
def settings_served(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A web server whose root is the project directory serves ``settings.py`` as text:
    SECRET_KEY and the database credentials. Django's checklist: "keep it secret".
    """
    names = [n for n in ("/settings.py", "/local_settings.py")]
    names += [
        n[len(FILE) :]
        for s in facts[LiveFacts].sites
        for n in s.chains
        if n.startswith(FILE + "/") and n.endswith(".py") and n[len(FILE) :] not in names and "../" not in n
    ]
    yield from _file_check(site, spec, names, _settings_file, ["root", "SECRET_KEY"])


def _dump(ex: Exchange) -> str | None:
    return pages.database_dump(ex.body)


@site_check(
    "GL864",
    title="a database file or dump is served",
    severity=Severity.CRITICAL,
    reference=CHECKLIST + "#databases",
    remediation="""
    Keep databases and dumps outside every served root (and off the web server); delete
    any left there, and treat the data (password hashes, sessions) as leaked.
    """,
)
def dump_served(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``/db.sqlite3`` or a ``.sql`` dump at the site root gives away every user's data
    and password hash. Django's checklist on databases: "Database connection parameters
    are probably different for development and production".
    """
    names = [f for f in FILES if f.endswith((".sql", ".sqlite3"))]
    yield from _file_check(site, spec, names, _dump, ["root", "DATABASES"])


def security_txt(text: str) -> tuple[list[str], str | None]:
    """RFC 9116 fields of a security.txt: (``Contact`` values, the ``Expires`` value).

    Field names are case-insensitive; comments (``#``) and a PGP signature's armour are
    skipped.
    """
    contacts, expires = [], None
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if not sep or line.lstrip().startswith(("#", "-")):
            continue
        key = name.strip().lower()
        if key == "contact" and value.strip():
            contacts.append(value.strip())
        elif key == "expires" and expires is None:
            expires = value.strip()
    return contacts, expires


def _expired(value: str, now: dt.datetime) -> bool | None:
    """True/False for an RFC 3339 date-time, None when it cannot be read."""
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when <= now


@site_check(
    "GL868",
    title="no valid /.well-known/security.txt (RFC 9116)",
    severity=Severity.LOW,
    reference="https://www.rfc-editor.org/rfc/rfc9116",
    remediation="""
    Publish /.well-known/security.txt (text/plain) with at least

        Contact: mailto:security@example.com
        Expires: 2027-06-30T00:00:00Z

    (less than a year ahead, renewed before it passes); in nginx: location =
    /.well-known/security.txt { alias /srv/app/deploy/security.txt; }
    """,
)
def security_txt_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 9116 gives researchers one place to find how to report a vulnerability: a
    text/plain file at /.well-known/security.txt with at least one ``Contact`` and exactly
    one ``Expires`` that has not passed ("a security.txt file that has expired ... should
    be considered stale"). Without it, reports go to whoever answers, or nowhere; the
    checklist's security section assumes the team hears about problems.
    """
    now = dt.datetime.now(dt.timezone.utc)
    ex = site.final(Probe.SECURITY_TXT)
    if ex is None or not ex.answered:
        raise missing(site, Probe.SECURITY_TXT)
    problems = []
    if ex.status != 200 or not ex.content_type.startswith("text/plain"):
        problems.append(f"  answered {ex.status} {ex.content_type or ''}".rstrip() + ": no security.txt")
    else:
        contacts, expires = security_txt(ex.text)
        if not contacts:
            problems.append("  no Contact field")
        if expires is None:
            problems.append("  no Expires field")
        elif (gone := _expired(expires, now)) is None:
            problems.append(f"  Expires {expires!r} is not an RFC 3339 date-time")
        elif gone:
            problems.append(f"  Expires {expires} has passed: the file is stale")
    evidence = ex.evidence("Content-Type", notes=problems)
    if problems:
        yield spec.fail(subjects=["security.txt"], location=at(ex), evidence=evidence)
    else:
        yield spec.passed(subjects=["security.txt"], location=at(ex), evidence=evidence)
