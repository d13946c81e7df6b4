"""Secrets in source control, on real git repositories built by the tests.

``history`` is a real Django project whose history adds secrets and whose HEAD has
removed them again: a ``startproject`` key, a hard-coded production key, a database and an
e-mail password, a Stripe live key, an AWS access key id, ``.env`` lines with a URL
password and a key, and placeholders that must stay info. ``head`` still holds a
credential, committed sensitive files, and a secret on an unmerged branch. A shallow
clone and a clone with a missing object are scanned as far as they can be.

Every secret is random and assembled at run time, so no file of golive's own repository
holds one; the canary test runs the real CLI with every report format and looks for them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, audit_project, build_project, failing, outcome
from django.core.management.utils import get_random_secret_key

from golive.facts.git import SHALLOW_NOTE
from golive.model import Audit, Finding, Location, Severity, Status
from golive.reports import EXTENSIONS

ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


STARTPROJECT_KEY = "django-insecure-" + get_random_secret_key()
HARD_KEY = get_random_secret_key()
DB_PASSWORD = "db-" + rand(20)
MAIL_PASSWORD = "mail-" + rand(20)
STRIPE_KEY = "sk_" + "live_" + rand(24)
AWS_KEY_ID = "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits)
URL_PASSWORD = "url-" + rand(16)
ENV_KEY = rand(50)
SENDGRID_KEY = "S" + "G." + rand(22) + "." + rand(43)
HEAD_MAIL_PASSWORD = "headmail-" + rand(16)
SLACK_TOKEN = "xo" + "xb-" + rand(12, string.digits) + "-" + rand(24)
DOTENV_KEY = rand(50)
PRIVATE_KEY_BODY = rand(64, ALNUM + "+/")
CANARIES = {
    "startproject key": STARTPROJECT_KEY,
    "hard-coded key": HARD_KEY,
    "database password": DB_PASSWORD,
    "e-mail password": MAIL_PASSWORD,
    "Stripe key": STRIPE_KEY,
    "Stripe key body": STRIPE_KEY[len("sk_live_") :],
    "AWS key id": AWS_KEY_ID,
    "URL password": URL_PASSWORD,
    ".env key": ENV_KEY,
    "SendGrid key": SENDGRID_KEY,
    "HEAD e-mail password": HEAD_MAIL_PASSWORD,
    "Slack token": SLACK_TOKEN,
    "tracked .env key": DOTENV_KEY,
    "private key body": PRIVATE_KEY_BODY,
}
PRODUCTION = "site_conf/settings/production.py"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ann Dev",
    "GIT_AUTHOR_EMAIL": "ann@example.com",
    "GIT_COMMITTER_NAME": "Ann Dev",
    "GIT_COMMITTER_EMAIL": "ann@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str, **env: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, **GIT_ENV, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def commit(
    repo: Path, message: str, date: str, files: dict[str, str | bytes | None], author: str = "Ann Dev"
) -> str:
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            git(repo, "rm", "-q", rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        git(repo, "add", rel)
    git(
        repo,
        "commit",
        "-q",
        "-m",
        message,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_AUTHOR_NAME=author,
    )
    return git(repo, "rev-parse", "HEAD")


def start_repo(root: Path) -> Path:
    build_project(root)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    return root


HARDCODED_PRODUCTION = f"""from .base import *  # noqa
SECRET_KEY = "{HARD_KEY}"
DATABASES["default"]["PASSWORD"] = "{DB_PASSWORD}"
EMAIL_HOST_PASSWORD = "{MAIL_PASSWORD}"
STRIPE_SECRET_KEY = "{STRIPE_KEY}"
AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"
"""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The repository with secrets in history and none at HEAD: {"root": path, c1..c5: shas}."""
    root = start_repo(tmp_path_factory.mktemp("history") / "shop")
    shas = {"root": str(root)}
    shas["c1"] = commit(
        root,
        "Start the project",
        "2023-01-10T09:00:00+01:00",
        {
            "site_conf/settings/dev.py": "from .base import *  # noqa\n"
            f"SECRET_KEY = '{STARTPROJECT_KEY}'\nDEBUG = True\n"
        },
    )
    shas["c2"] = commit(
        root,
        "Configure production",
        "2023-02-01T10:00:00+00:00",
        {PRODUCTION: HARDCODED_PRODUCTION},
        "Bob Ops",
    )
    shas["c3"] = commit(
        root,
        "Add .env for docker",
        "2023-03-01T12:30:00+00:00",
        {
            ".env": f"DATABASE_URL=postgres://shop:{URL_PASSWORD}@db.internal:5432/shop\nDJANGO_SECRET_KEY={ENV_KEY}\n"
        },
    )
    shas["c4"] = commit(
        root,
        "Document the configuration",
        "2023-03-15T08:00:00+00:00",
        {
            ".env.example": "DJANGO_SECRET_KEY=change-me\nEMAIL_HOST_PASSWORD=<your-password>\n",
            "docs/deploy.md": 'Set AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"'
            ' and SECRET_KEY = "your-secret-key".\n',
        },
    )
    shas["c5"] = commit(
        root,
        "Read secrets from the environment",
        "2023-04-01T16:45:00+02:00",
        {PRODUCTION: "from .base import *  # noqa\n", ".env": None, "site_conf/settings/dev.py": None},
    )
    return shas


@pytest.fixture(scope="module")
def history_audit(history: dict[str, str]) -> Audit:
    return audit_project(Path(history["root"]), no_history=True)


def by_subject(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subjects[0]: f for f in findings}


def introduced(sha: str, date: str, author: str, where: str) -> str:
    return f"added in commit {sha[:10]} ({date}, {author}) at {where}"


@pytest.mark.covers("GL122", "fail")
def test_removed_credentials_are_found_once_each_where_they_were_introduced(
    history: dict[str, str], history_audit: Audit
) -> None:
    found = by_subject(failing(history_audit, "GL122"))
    assert sorted(found) == [
        "AWS_ACCESS_KEY_ID",
        "DATABASE_URL",
        "EMAIL_HOST_PASSWORD",
        "PASSWORD",
        "STRIPE_SECRET_KEY",
    ]
    c2 = (history["c2"], "2023-02-01T10:00:00+00:00", "Bob Ops")
    assert found["PASSWORD"].location == Location(path=PRODUCTION, line=3)
    assert found["PASSWORD"].evidence[1] == introduced(*c2, f"{PRODUCTION}:3")
    assert found["EMAIL_HOST_PASSWORD"].location == Location(path=PRODUCTION, line=4)
    assert found["STRIPE_SECRET_KEY"].location == Location(path=PRODUCTION, line=5)
    assert (
        found["STRIPE_SECRET_KEY"]
        .evidence[0]
        .startswith("STRIPE_SECRET_KEY: Stripe secret key sk_live_… (32 chars,")
    )
    assert (
        found["AWS_ACCESS_KEY_ID"]
        .evidence[0]
        .startswith("AWS_ACCESS_KEY_ID: AWS access key id AKIA… (20 chars,")
    )
    assert found["AWS_ACCESS_KEY_ID"].evidence[1] == introduced(*c2, f"{PRODUCTION}:6")
    url = found["DATABASE_URL"]
    assert url.location == Location(path=".env", line=1)
    assert url.evidence[0].startswith("DATABASE_URL: password in a postgres:// URL (20 chars,")
    assert url.evidence[1] == introduced(history["c3"], "2023-03-01T12:30:00+00:00", "Ann Dev", ".env:1")
    for finding in found.values():
        assert finding.severity is Severity.HIGH
        assert finding.evidence[2] == "no longer in HEAD, still in the history every clone carries"
        assert "fingerprint " in finding.evidence[0]
        assert finding.collector == "git"


@pytest.mark.covers("GL123", "fail")
@pytest.mark.covers("GL120", "pass")
@pytest.mark.covers("GL121", "pass")
def test_django_keys_other_than_production_are_low(history: dict[str, str], history_audit: Audit) -> None:
    keys = failing(history_audit, "GL123")
    assert [(f.location, f.severity) for f in keys] == [
        (Location(path="site_conf/settings/dev.py", line=2), Severity.LOW),
        (Location(path=PRODUCTION, line=2), Severity.LOW),
        (Location(path=".env", line=2), Severity.LOW),
    ]
    assert [f.subjects for f in keys] == [("SECRET_KEY",)] * 3
    startproject = keys[0].evidence
    assert startproject[0].startswith("SECRET_KEY: literal assigned to a secret name (66 chars,")
    assert "starts with 'django-insecure-'" in startproject[0]
    assert startproject[1] == introduced(
        history["c1"], "2023-01-10T09:00:00+01:00", "Ann Dev", "site_conf/settings/dev.py:2"
    )
    assert startproject[3] == "differs from the SECRET_KEY Django loads"
    assert keys[2].evidence[0].startswith("DJANGO_SECRET_KEY: KEY=value line (50 chars,")
    assert outcome(history_audit, "GL120") == [Status.PASS]
    assert [f.evidence for f in history_audit.findings if f.id == "GL121"] == [
        ("scanned 5 commit(s) on all refs",)
    ]


@pytest.mark.covers("GL128", "fail")
def test_placeholders_are_info_and_never_failures_elsewhere(history_audit: Audit) -> None:
    placeholders = failing(history_audit, "GL128")
    assert [(f.location, f.subjects[0], f.evidence[1]) for f in placeholders] == [
        (
            Location(path=".env.example", line=1),
            "DJANGO_SECRET_KEY",
            "placeholder: placeholder text 'change-me'",
        ),
        (Location(path=".env.example", line=2), "EMAIL_HOST_PASSWORD", "placeholder: template marker"),
        (Location(path="docs/deploy.md", line=1), "aws-access-key-id", "placeholder: documented example key"),
        (Location(path="docs/deploy.md", line=1), "SECRET_KEY", "placeholder: placeholder text 'your-'"),
    ]
    assert {f.severity for f in placeholders} == {Severity.INFO}
    elsewhere = [f.location for f in failing(history_audit) if f.id != "GL128"]
    assert Location(path=".env.example", line=1) not in elsewhere
    assert all(loc is None or loc.path not in (".env.example", "docs/deploy.md") for loc in elsewhere)


@pytest.mark.covers("GL120", "fail")
def test_production_key_found_in_history_is_critical(history: dict[str, str]) -> None:
    result = audit_project(Path(history["root"]), env={"APP_SECRET_KEY": HARD_KEY}, no_history=True)
    (finding,) = failing(result, "GL120")
    assert finding.severity is Severity.CRITICAL
    assert finding.subjects == ("SECRET_KEY",)
    assert finding.location == Location(path=PRODUCTION, line=2)
    assert finding.evidence[0].startswith("SECRET_KEY as Django loads it has fingerprint ")
    assert finding.evidence[2] == introduced(
        history["c2"], "2023-02-01T10:00:00+00:00", "Bob Ops", f"{PRODUCTION}:2"
    )
    assert [f.location for f in failing(result, "GL123")] == [
        Location(path="site_conf/settings/dev.py", line=2),
        Location(path=".env", line=2),
    ]


@pytest.fixture(scope="module")
def head(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A repository whose HEAD still holds secrets and sensitive files; a branch holds another."""
    root = start_repo(tmp_path_factory.mktemp("head") / "shop")
    shas = {"root": str(root)}
    shas["c1"] = commit(root, "Start", "2024-05-01T10:00:00+00:00", {})
    git(root, "checkout", "-q", "-b", "experiment")
    shas["branch"] = commit(
        root, "Try Slack", "2024-05-02T10:00:00+00:00", {"shop/notify.py": f'SLACK_TOKEN = "{SLACK_TOKEN}"\n'}
    )
    git(root, "checkout", "-q", "main")
    shas["c2"] = commit(
        root,
        "Mail, payments and deployment files",
        "2024-05-03T10:00:00+00:00",
        {
            PRODUCTION: f'from .base import *  # noqa\nEMAIL_HOST_PASSWORD = "{HEAD_MAIL_PASSWORD}"\n',
            "shop/mail.py": "import os\n\n"
            f'SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY", "{SENDGRID_KEY}")\n',
            ".env": f"DJANGO_SECRET_KEY={DOTENV_KEY}\n",
            ".env.example": "DJANGO_SECRET_KEY=change-me\n",
            "deploy/server.key": "-----BEGIN EC "
            + f"PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END EC PRIVATE KEY-----\n",
            "site_conf/local_settings.py": "DEBUG = False\n",
            "db.sqlite3": b"SQLite format 3\x00" + bytes(range(256)) * 4,
            "backup/shop.sql": "-- PostgreSQL database dump\n"
            "COPY public.auth_user (id) FROM stdin;\n1\n\\.\n",
            "db/schema.sql": "CREATE TABLE shop (id integer);\n",
        },
    )
    return shas


@pytest.fixture(scope="module")
def head_audit(head: dict[str, str]) -> Audit:
    return audit_project(Path(head["root"]), no_history=True)


@pytest.mark.covers("GL121", "fail")
@pytest.mark.covers("GL122", "pass")
def test_credential_still_in_head_is_reported_once(head: dict[str, str], head_audit: Audit) -> None:
    (sendgrid,) = failing(head_audit, "GL121")
    assert sendgrid.subjects == ("SENDGRID_API_KEY",)
    assert sendgrid.location == Location(path="shop/mail.py", line=3)
    assert sendgrid.evidence[0].startswith("SENDGRID_API_KEY: SendGrid API key SG.… (69 chars,")
    assert sendgrid.evidence[2] == "still in HEAD at shop/mail.py:3"
    # The literal in the production settings is the settings-source checks' (GL112), not GL121's.
    assert [(f.id, f.location) for f in failing(head_audit) if f.subjects == ("EMAIL_HOST_PASSWORD",)] == [
        ("GL112", Location(path=PRODUCTION, line=2))
    ]
    # The branch was never merged: the token is in the repository, not in HEAD.
    (slack,) = failing(head_audit, "GL122")
    assert slack.subjects == ("SLACK_TOKEN",)
    assert slack.evidence[1] == introduced(
        head["branch"], "2024-05-02T10:00:00+00:00", "Ann Dev", "shop/notify.py:1"
    )


@pytest.mark.covers("GL123", "pass")
def test_no_django_key_outside_the_committed_env_file(head_audit: Audit) -> None:
    # The .env key is listed with the file (GL125); nothing else holds a Django key.
    assert [(f.status, f.evidence) for f in head_audit.findings if f.id == "GL123"] == [
        (Status.PASS, ("scanned 3 commit(s) on all refs",))
    ]


@pytest.mark.covers("GL125", "fail")
@pytest.mark.covers("GL126", "fail")
def test_committed_sensitive_files(head: dict[str, str], head_audit: Audit) -> None:
    files = failing(head_audit, "GL125")
    assert [f.location for f in files] == [
        Location(path=".env"),
        Location(path="deploy/server.key"),
        Location(path="site_conf/local_settings.py"),
    ]
    env = files[0]
    assert env.evidence[0] == f"committed at HEAD {head['c2'][:10]}: .env (environment file, 69 bytes)"
    assert env.evidence[1].startswith("holds DJANGO_SECRET_KEY: KEY=value line (50 chars,")
    assert files[1].evidence[1].startswith("holds private key block (64 chars,")
    assert files[2].evidence == (
        f"committed at HEAD {head['c2'][:10]}: site_conf/local_settings.py (local settings module, 14 bytes)",
    )
    assert [(f.location, f.severity) for f in failing(head_audit, "GL126")] == [
        (Location(path="backup/shop.sql"), Severity.MEDIUM),
        (Location(path="db.sqlite3"), Severity.MEDIUM),
    ]
    # Secrets inside those files are listed with them, not again as GL121/GL123.
    assert [f.location.path for f in failing(head_audit) if f.id in ("GL121", "GL123") and f.location] == [
        "shop/mail.py"
    ]


@pytest.mark.covers("GL125", "pass")
@pytest.mark.covers("GL126", "pass")
@pytest.mark.covers("GL128", "pass")
def test_clean_files_pass(history: dict[str, str], head_audit: Audit, history_audit: Audit) -> None:
    assert [f.evidence for f in history_audit.findings if f.id in ("GL125", "GL126")] == [
        (f"no such file committed at HEAD {history['c5'][:10]}",),
        (f"no database file committed at HEAD {history['c5'][:10]}",),
    ]
    assert outcome(head_audit, "GL128") == [Status.FAIL]  # .env.example's change-me, as info
    root = Path(history["root"]).parent / "clean"
    start_repo(root)
    commit(root, "Start", "2024-01-01T00:00:00+00:00", {})
    clean = audit_project(root, no_history=True)
    assert {cid: outcome(clean, cid) for cid in ("GL120", "GL121", "GL122", "GL123", "GL128")} == {
        cid: [Status.PASS] for cid in ("GL120", "GL121", "GL122", "GL123", "GL128")
    }


def test_shallow_clone_is_scanned_and_says_so(history: dict[str, str], tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{history['root']}", str(clone)],
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    result = audit_project(clone, no_history=True)
    found = by_subject(failing(result, "GL122"))
    assert sorted(found) == [
        "AWS_ACCESS_KEY_ID",
        "DATABASE_URL",
        "EMAIL_HOST_PASSWORD",
        "PASSWORD",
        "STRIPE_SECRET_KEY",
    ]
    # The boundary commit (c4) adds every file it holds: the secrets are dated to it.
    assert found["PASSWORD"].evidence[1] == introduced(
        history["c4"], "2023-03-15T08:00:00+00:00", "Ann Dev", f"{PRODUCTION}:3"
    )
    # What the scan missed is said once, with the collector, not on every finding (issue 11, item 7).
    assert {c.name: c.details.get("notes") for c in result.collectors}["git"] == [SHALLOW_NOTE]
    assert not [line for f in failing(result) for line in f.evidence if "scanned in part" in line]
    # What HEAD holds is complete in a shallow clone; a history check with nothing found is skipped.
    assert outcome(result, "GL121") == [Status.PASS]
    (skipped,) = [f for f in result.findings if f.id == "GL120"]
    assert skipped.status is Status.SKIPPED
    assert skipped.reason == f"nothing found, but the history was scanned in part: {SHALLOW_NOTE}"


def test_missing_object_is_skipped_and_the_rest_scanned(history: dict[str, str], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(history["root"], damaged)
    blob = git(damaged, "rev-parse", f"{history['c3']}:.env")
    (damaged / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    result = audit_project(damaged, no_history=True)
    found = by_subject(failing(result, "GL122"))
    # .env's blob is gone: its URL password cannot be read; everything else is found.
    assert sorted(found) == ["AWS_ACCESS_KEY_ID", "EMAIL_HOST_PASSWORD", "PASSWORD", "STRIPE_SECRET_KEY"]
    gaps = {c.name: c.details.get("notes") for c in result.collectors}["git"]
    # c5 deletes .env (git reads the blob to show its removed lines), c3 adds it; said once.
    assert gaps == [
        f"commit {history[c][:10]} could not be read completely"
        f" (fatal: unable to read {blob}); scanned the rest"
        for c in ("c5", "c3")
    ]
    assert not [line for line in found["PASSWORD"].evidence if "could not be read" in line]
    assert {c.name: c.status for c in result.collectors}["git"] == "ok"


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        pytest.param({"no_git": True}, "git: --no-git: source control not scanned", id="no-git"),
        pytest.param({}, "git: not a git repository (or git is not installed)", id="not-a-repo"),
    ],
)
def test_skipped_with_reason(
    make_project, options: dict[str, object], reason: str, history: dict[str, str]
) -> None:
    project = Path(history["root"]) if options else make_project()
    result = audit_project(project, no_history=True, **options)
    for cid in ("GL120", "GL121", "GL122", "GL123", "GL125", "GL126", "GL128"):
        assert [(f.status, f.reason) for f in result.findings if f.id == cid] == [(Status.SKIPPED, reason)]
    assert {c.name: (c.status, c.reason) for c in result.collectors}["git"] == ("skipped", reason[5:])


@pytest.mark.parametrize("since", ["2023-03-10", "c3"])
def test_since_limits_history(history: dict[str, str], since: str) -> None:
    result = audit_project(Path(history["root"]), no_history=True, since=history.get(since, since))
    assert outcome(result, "GL122") == [Status.PASS]
    label = history.get(since, since)
    assert [f.evidence for f in result.findings if f.id == "GL122"] == [
        (f"scanned 2 commit(s) on all refs since {label}",)
    ]
    assert [f.location.path for f in failing(result, "GL128") if f.location] == [
        ".env.example",
        ".env.example",
        "docs/deploy.md",
        "docs/deploy.md",
    ]


def test_bad_since_is_a_one_line_collector_error(history: dict[str, str]) -> None:
    result = audit_project(Path(history["root"]), no_history=True, since="the day before launch")
    run = {c.name: c for c in result.collectors}["git"]
    assert run.status == "error"
    assert run.reason == (
        "--since 'the day before launch': neither a revision of this repository nor a date"
        " (use YYYY-MM-DD or '30 days ago')"
    )


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "--verbose", "--no-history", *args],
        env={**os.environ, **GOOD_ENV, "APP_SECRET_KEY": HARD_KEY, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_canaries_never_appear_in_any_output(
    history: dict[str, str], head: dict[str, str], tmp_path: Path
) -> None:
    texts: dict[str, str] = {}
    for name, repo in (("history", history), ("head", head)):
        outputs = [tmp_path / f"{name}{ext}" for ext in sorted(EXTENSIONS)]
        proc = run_cli(Path(repo["root"]), *(a for out in outputs for a in ("-o", str(out))))
        assert proc.returncode == 1, proc.stderr
        texts.update({f"{name} stdout": proc.stdout, f"{name} stderr": proc.stderr})
        # The PDF is bytes: its text streams are searched as Latin-1, every byte one character.
        texts.update(
            {
                out.name: out.read_bytes().decode("latin-1" if out.suffix == ".pdf" else "utf-8")
                for out in outputs
            }
        )
    github = tmp_path / "history.github.txt"
    proc = run_cli(Path(history["root"]), "--format", "github", "-o", str(github))
    texts.update(
        {"github stdout": proc.stdout, "github stderr": proc.stderr, github.name: github.read_text()}
    )
    assert sorted(texts) == sorted(
        [*(f"{n} {s}" for n in ("history", "head", "github") for s in ("stdout", "stderr")), github.name]
        + [f"{n}{ext}" for n in ("history", "head") for ext in EXTENSIONS]
    )
    for where, text in texts.items():
        leaked = [what for what, value in CANARIES.items() if value in text]
        assert leaked == [], f"{where} shows {leaked}"
    # The findings are there, with the public prefix only.
    assert "GL120" in texts["history stdout"] and "GL122" in texts["history.json"]
    assert "sk_live_…" in texts["history.json"] and "SG.…" in texts["head.md"]
