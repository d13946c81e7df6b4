"""Secret findings a team can trust (issue 11, items 1, 2, 3 and 7), on a real git repository.

One Django project is committed with every false-alarm shape seen on real projects next to
every true shape. The whole audit runs once (the runtime probe, the settings source, the git
history and HEAD), and each shape has its own test: a false alarm passes when nothing is
reported about its file at medium or above; a true secret passes when it is still reported,
with the expected confidence.

Every token-shaped value is assembled at run time from parts (``"sk_" + "live_" + ...``), so
no file of golive's repository holds one (neither a code host's push protection nor golive's
own history scan trips on it).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing
from django.core.management.utils import get_random_secret_key
from rich.console import Console
from test_git_secrets import commit, git, start_repo

from golive.collectors.git.policy import DEFAULT
from golive.config import ConfigError, load_config
from golive.facts.secrets.evidence import judge
from golive.history.store import History, record
from golive.model import Audit, Confidence, Finding, Severity, Status
from golive.reports import html, json_report, markdown, sarif, terminal

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def rand_mixed(n: int) -> str:
    """Random, with at least one lower, upper and digit (so it never reads as words)."""
    return (
        rand(1, string.ascii_lowercase)
        + rand(1, string.ascii_uppercase)
        + rand(1, string.digits)
        + rand(n - 3)
    )


PRODUCTION = "site_conf/settings/production.py"
DJANGO_KEY = get_random_secret_key()
DB_PASSWORD = rand_mixed(22)
HELPER_DB_PASSWORD = rand_mixed(20)
BROKER_PASSWORD = rand_mixed(18)
STRIPE_LIVE = "sk_" + "live_" + rand(24)
AWS_KEY_ID = "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits)
LOCKFILE_TOKEN = "gh" + "p_" + rand(36)
PUBLISHABLE = "pk_" + "test_" + rand(24)
SENTRY_KEY = rand(32, HEX)
DEV_PASSWORD = rand_mixed(20)
CI_PASSWORD = rand_mixed(20)
KEY_BODY = rand(64, ALNUM + "+/")
BEGIN, END = "-----BEGIN RSA " + "PRIVATE KEY-----", "-----END RSA " + "PRIVATE KEY-----"
LONG_LINE_JS = "var a=" + ",".join(f'x{i}={{token:"{rand_mixed(24)}"}}' for i in range(40)) + ";\n"

SETTINGS = f"""\
SECRET_KEY = "{DJANGO_KEY}"
DATABASES["default"]["PASSWORD"] = "{DB_PASSWORD}"
STATS_CACHE_KEY = "stats"
X_CREDENTIALS = "app.utils.load_credentials"
Y_TOKEN_STRATEGY = "pkg.Strategy"
ALLOW_PRIVATE_TOKEN = False
TOKEN_THROTTLE_RATE = "100/min"
"""

FILES: dict[str, str | bytes | None] = {
    PRODUCTION: "from .base import *  # noqa\n" + SETTINGS,
    # -- false-alarm shapes ------------------------------------------------------------------
    "shop/views.py": (
        "def keys(request):\n"
        '    show_keys = "show_keys" in request.GET\n'
        '    context = {"token": "show_keys" in request.GET, "api_key": "api_key"}\n'
        "    return context\n"
    ),
    "shop/search.py": 'INDEX = Fts5(columns=["body"], tokenize="porter")\n',
    "shop/errors.py": (
        'ERROR_TOKEN = "invalid_token"\n'
        'EXPIRED_TOKEN = "token_expired"\n'
        'def fail(): return {"error": "invalid_token", "token": "missing_token"}\n'
    ),
    "shop/static/pdfjs/web/locale/de/viewer.properties": (
        "password_label=Geben Sie das Passwort ein, um diese PDF-Datei zu öffnen.\n"
        "password_invalid=Ungültiges Passwort. Bitte versuchen Sie es erneut.\n"
        "password_ok=OK\npassword_cancel=Abbrechen\n"
    ),
    "frontend/src/locales/en.json": (
        '{"login": {"password": "Password", "token_hint": "Paste your API token", "secret": "Secret"}}\n'
    ),
    "package-lock.json": json.dumps(
        {
            "packages": {
                "node_modules/js-tokens": {"version": "4.0.0", "integrity": "sha512-" + rand(86) + "=="},
                "node_modules/css-tokenizer": {"version": "1.2.3"},
                "node_modules/@inquirer/password": {"version": "1.1.0"},
            },
            "dependencies": {
                "js-tokens": "^4.0.0",
                "@inquirer/password": "^1.0.0",
                "secret-handshake": rand(40),
            },
        },
        indent=2,
    ),
    "poetry.lock": f'[[package]]\nname = "private-thing"\ntoken = "{LOCKFILE_TOKEN}"\n',
    "yarn.lock": '"@inquirer/password@^1.0.0":\n  version "1.1.0"\n  integrity sha512-' + rand(86) + "==\n",
    "shop/static/js/app.min.js": f'!function(e){{var t={{apiKey:"{rand_mixed(32)}",password:e.p}};}}();\n',
    "shop/static/js/bundle.js": LONG_LINE_JS,
    "README.md": (
        '# Shop\n\nSet the keys:\n\n    API_KEY = "put-your-key-here"\n'
        '    EMAIL_HOST_PASSWORD = "smtp-password"\n'
    ),
    ".env.example": "API_KEY=put-your-key-here\nEMAIL_HOST_PASSWORD=smtp-password\n",
    "tests/keys/test_rsa.pem": f"{BEGIN}\n{KEY_BODY}\n{END}\n",
    ".env": "COMPOSE_PROJECT_NAME=shop\n",
    "deploy/.env.shared": (
        "# Do not put secrets in this file: it is committed. Real values go in .env.local.\n"
        f"DJANGO_SECRET_KEY={rand_mixed(50)}\nSITE_NAME=shop\n"
    ),
    "site_conf/settings/dev.py": (
        f'from .base import *  # noqa\nDATABASES["default"]["PASSWORD"] = "{DEV_PASSWORD}"\n'
    ),
    ".github/workflows/ci.yml": f"services:\n  db:\n    env:\n      POSTGRES_PASSWORD: {CI_PASSWORD}\n",
    "shop/static/js/checkout.js": f'const STRIPE_PUBLISHABLE_KEY = "{PUBLISHABLE}";\n',
    "shop/monitoring.py": f'SENTRY_DSN = "https://{SENTRY_KEY}@o4501.ingest.sentry.io/4502"\n',
    "shop/forms.py": (
        'RECAPTCHA_PUBLIC_KEY = "6LeIxAcTAAAAAJcZVRqyHh4ik4ktpp-lxXVjLqn7"\n'
        'RECAPTCHA_PRIVATE_KEY = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"\n'
    ),
    # -- true shapes ---------------------------------------------------------------------------
    "shop/db.py": f'HELPER_DATABASES = {{"default": {{"PASSWORD": "{HELPER_DB_PASSWORD}"}}}}\n',
    "shop/tasks.py": f'BROKER = "amqp://shop:{BROKER_PASSWORD}@mq.internal:5672//"\n',
    "shop/payments.py": f'STRIPE_SECRET_KEY = "{STRIPE_LIVE}"\nAWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\n',
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = start_repo(tmp_path_factory.mktemp("evidence") / "shop")
    commit(root, "Everything at once", "2024-06-01T10:00:00+00:00", FILES)
    return root


@pytest.fixture(scope="module")
def result(repo: Path) -> Audit:
    audit = audit_project(repo, no_history=True)
    runs = {c.name: (c.status, c.reason) for c in audit.collectors}
    # Every assertion below reads these layers: say so when one did not run (a loaded machine).
    assert [runs[name] for name in ("runtime", "source", "git")] == [("ok", "")] * 3, runs
    return audit


def about(audit: Audit, path: str) -> list[Finding]:
    """Failing findings located in ``path`` or listing it as a subject."""
    return [
        f
        for f in failing(audit)
        if (f.location is not None and f.location.path == path) or path in f.subjects
    ]


def loud(audit: Audit, path: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """What is reported about ``path`` at medium or above: (id, severity, subjects)."""
    return [(f.id, f.severity.label, f.subjects) for f in about(audit, path) if f.severity >= Severity.MEDIUM]


# -- false alarms: nothing at medium or above -------------------------------------------------

FALSE_ALARMS = {
    "view testing 'show_keys' in request.GET": "shop/views.py",
    "tokenize='porter' (a search option)": "shop/search.py",
    "error-code strings ('invalid_token')": "shop/errors.py",
    "pdf.js locale .properties keys": "shop/static/pdfjs/web/locale/de/viewer.properties",
    "frontend locale JSON": "frontend/src/locales/en.json",
    "npm names in package-lock.json": "package-lock.json",
    "npm names in yarn.lock": "yarn.lock",
    "identifiers in minified JavaScript": "shop/static/js/app.min.js",
    "a very long (bundled) line": "shop/static/js/bundle.js",
    "README placeholders ('put-your-key-here', 'smtp-password')": "README.md",
    ".env.example placeholders": ".env.example",
    "a test RSA key under tests/": "tests/keys/test_rsa.pem",
    "a .env holding only COMPOSE_PROJECT_NAME": ".env",
    "an env template whose first line says no secrets": "deploy/.env.shared",
    "a password in the development settings": "site_conf/settings/dev.py",
    "a password in a CI workflow": ".github/workflows/ci.yml",
    "a Stripe publishable key (pk_test_)": "shop/static/js/checkout.js",
    "a Sentry DSN's public key": "shop/monitoring.py",
    "reCAPTCHA's test keys": "shop/forms.py",
}


@pytest.mark.parametrize("path", list(FALSE_ALARMS.values()), ids=list(FALSE_ALARMS))
def test_false_alarm_shape_is_not_reported_at_medium_or_above(result: Audit, path: str) -> None:
    assert loud(result, path) == []


SETTINGS_FALSE_ALARMS = {
    "STATS_CACHE_KEY = 'stats'": "STATS_CACHE_KEY",
    "X_CREDENTIALS = a dotted path": "X_CREDENTIALS",
    "Y_TOKEN_STRATEGY = a class path": "Y_TOKEN_STRATEGY",
    "ALLOW_PRIVATE_TOKEN = False": "ALLOW_PRIVATE_TOKEN",
    "TOKEN_THROTTLE_RATE = '100/min'": "TOKEN_THROTTLE_RATE",
}


@pytest.mark.parametrize("name", list(SETTINGS_FALSE_ALARMS.values()), ids=list(SETTINGS_FALSE_ALARMS))
def test_settings_false_alarm_is_not_reported_at_medium_or_above(result: Audit, name: str) -> None:
    assert [
        (f.id, f.severity.label)
        for f in failing(result)
        if name in f.subjects and f.severity >= Severity.MEDIUM
    ] == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("STRIPE_PUBLISHABLE_KEY", "public by design: a Stripe publishable key"),
        ("SENTRY_DSN", "public by design: a Sentry DSN's public key"),
        ("RECAPTCHA_PRIVATE_KEY", "public by design: Google's reCAPTCHA test secret key"),
    ],
)
def test_public_by_design_values_are_info_with_their_reason(result: Audit, name: str, reason: str) -> None:
    (info,) = [f for f in failing(result, "GL128") if f.subjects == (name,)]
    assert info.severity is Severity.INFO
    assert f"placeholder: {reason}" in info.evidence
    assert info.remediation.startswith("Nothing to do: public by design")


def test_placeholders_in_readme_and_example_file_are_info_only(result: Audit) -> None:
    infos = {(f.location.path, f.subjects[0]) for f in failing(result, "GL128") if f.location}
    assert (".env.example", "API_KEY") in infos and ("README.md", "API_KEY") in infos
    # "smtp-password" reads as words: not a secret at all, not even a placeholder to list.
    assert (".env.example", "EMAIL_HOST_PASSWORD") not in infos
    assert ("README.md", "EMAIL_HOST_PASSWORD") not in infos


def test_env_files_are_reported_for_what_they_hold(result: Audit) -> None:
    assert [f for f in failing(result, "GL125")] == []
    (passed,) = [f for f in result.findings if f.id == "GL125"]
    assert passed.status is Status.PASS
    assert passed.evidence[0].endswith("committed env files holding no secret: .env")
    template = [f for f in failing(result, "GL128") if f.location and f.location.path == "deploy/.env.shared"]
    assert [f.evidence[1] for f in template] == [
        "placeholder: env template: its first line says secrets do not belong there"
    ]


def test_outside_production_code_weighs_low(result: Audit) -> None:
    where = {f.location.path: f for f in failing(result) if f.location and f.id in ("GL121", "GL122")}
    for path in ("site_conf/settings/dev.py", ".github/workflows/ci.yml", "tests/keys/test_rsa.pem"):
        assert where[path].severity is Severity.LOW, path
    assert where["tests/keys/test_rsa.pem"].confidence is Confidence.CONFIRMED
    assert (
        "lives in test code: tests/keys/test_rsa.pem is test code: weighs low"
        in where["tests/keys/test_rsa.pem"].evidence
    )
    assert (
        "lives in development configuration: its name says 'dev': weighs low"
        in where["site_conf/settings/dev.py"].evidence
    )
    # The fix says when there is nothing to rotate: a key only the tests use.
    assert where["tests/keys/test_rsa.pem"].remediation.startswith(
        "It lives in test code: tests/keys/test_rsa.pem is test code. If only that place ever uses it"
    )


# -- true shapes: still reported, with confidence -------------------------------------------


def test_django_key_literal_in_production_settings(result: Audit) -> None:
    (key,) = failing(result, "GL101")
    assert (key.severity, key.confidence) == (Severity.CRITICAL, Confidence.CONFIRMED)


def test_django_key_shape_is_confirmed_by_its_value() -> None:
    assert judge("SECRET_KEY", get_random_secret_key()).confidence is Confidence.CONFIRMED
    assert (
        judge("DJANGO_SECRET_KEY", "django-insecure-" + get_random_secret_key()).confidence
        is Confidence.CONFIRMED
    )


def test_random_password_in_production_databases_dict(result: Audit) -> None:
    (pw,) = failing(result, "GL221")
    assert (pw.severity, pw.confidence) == (Severity.HIGH, Confidence.LIKELY)
    assert pw.evidence[1].startswith("confidence likely: random-looking password: 22 chars")


def test_random_password_in_a_dict_elsewhere_in_head(result: Audit) -> None:
    (pw,) = [f for f in failing(result, "GL121") if f.location and f.location.path == "shop/db.py"]
    assert (pw.subjects, pw.severity, pw.confidence) == (("PASSWORD",), Severity.HIGH, Confidence.LIKELY)
    assert pw.reference == "https://docs.djangoproject.com/en/stable/ref/settings/#password"
    assert '"PASSWORD": os.environ["DATABASE_PASSWORD"],' in pw.remediation


def test_password_in_a_url(result: Audit) -> None:
    (url,) = [f for f in failing(result, "GL121") if f.location and f.location.path == "shop/tasks.py"]
    assert url.evidence[0].startswith("BROKER: password in a amqp:// URL (18 chars")
    assert (url.severity, url.confidence) == (Severity.HIGH, Confidence.LIKELY)


@pytest.mark.parametrize(
    ("subject", "reference"),
    [
        ("STRIPE_SECRET_KEY", "https://docs.stripe.com/keys"),
        (
            "AWS_ACCESS_KEY_ID",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids",
        ),
    ],
)
def test_vendor_tokens_are_confirmed_and_link_their_vendor(
    result: Audit, subject: str, reference: str
) -> None:
    (token,) = [f for f in failing(result, "GL121") if f.subjects == (subject,)]
    assert (token.severity, token.confidence, token.reference) == (
        Severity.HIGH,
        Confidence.CONFIRMED,
        reference,
    )
    assert token.remediation.startswith("Rotate the ")
    assert f'{subject} = os.environ["{subject}"]' in token.remediation
    assert "SECRET_KEY" not in token.remediation.replace(subject, "")


def test_vendor_token_in_a_lockfile_is_still_found(result: Audit) -> None:
    (token,) = [f for f in failing(result, "GL121") if f.location and f.location.path == "poetry.lock"]
    assert token.confidence is Confidence.CONFIRMED
    assert token.evidence[0].startswith("token: GitHub") and " ghp_… (40 chars" in token.evidence[0]


# -- remediation and the collector's notes -----------------------------------------------------


def test_history_only_credential_says_rotate_then_decide_with_the_cost(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    password = rand_mixed(24)
    commit(root, "Mail", "2024-01-01T00:00:00+00:00", {"shop/mail.py": f'SMTP_PASSWORD = "{password}"\n'})
    commit(root, "From the environment", "2024-02-01T00:00:00+00:00", {"shop/mail.py": "import os\n"})
    (gone,) = failing(audit_project(root, no_history=True), "GL122")
    assert gone.subjects == ("SMTP_PASSWORD",) and gone.confidence is Confidence.LIKELY
    assert gone.remediation.startswith("Rotate SMTP_PASSWORD: the files no longer hold it, but commit ")
    assert 'SMTP_PASSWORD = os.environ["SMTP_PASSWORD"]' in gone.remediation
    assert "Rewriting the history is a separate decision" in gone.remediation
    assert "everyone must\nre-clone" in gone.remediation
    assert "SECRET_KEY" not in gone.remediation and "STRIPE" not in gone.remediation


def test_confidence_is_shown_in_every_format(result: Audit, tmp_path: Path) -> None:
    data = json_report.to_dict(result)
    confidences = {f["id"]: f["confidence"] for f in data["findings"] if f["status"] == "fail"}
    assert confidences["GL101"] == "confirmed" and confidences["GL221"] == "likely"
    assert json_report.from_dict(data).findings == result.findings
    md = markdown.render(result)
    assert "GL101 · critical (confirmed) · " in md
    results = json.loads(sarif.render(result))["runs"][0]["results"]
    assert {r["properties"].get("confidence") for r in results if r["ruleId"] == "GL101"} == {"confirmed"}
    assert '<span class="confidence" title="confidence">confirmed</span>' in html.render(result)
    with History(tmp_path / "history.sqlite") as db:  # the history keeps it too
        stored = db.load(record(result, tmp_path / "history.sqlite").history["id"])  # type: ignore[index]
    assert [f.confidence for f in stored.findings] == [f.confidence for f in result.findings]
    console = Console(record=True, width=200)
    terminal.render_console(result, console)
    assert re.search(r"GL101 +critical.*\n\s+sure  confirmed", console.export_text())


# -- configuration: [tool.golive.secrets] --------------------------------------------------------


def test_team_exclude_and_allow(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    legacy, demo = rand_mixed(32), rand_mixed(32)
    commit(
        root,
        "Legacy frontend and a demo env",
        "2024-01-01T00:00:00+00:00",
        {
            "pyproject.toml": (
                "[tool.golive.secrets]\n"
                'exclude = [{ path = "frontend/legacy/", reason = "vendored bundle of the old site" }]\n'
                'allow = [{ path = "deploy/*.env", name = "DEMO_API_KEY",'
                ' reason = "the vendor\'s public demo key" }]\n'
            ),
            "frontend/legacy/app.js": f'var cfg = {{apiKey: "{legacy}"}};\n',
            "deploy/demo.env": f"DEMO_API_KEY={demo}\n",
        },
    )
    audit = audit_project(root, no_history=True)
    assert loud(audit, "frontend/legacy/app.js") == [] and about(audit, "frontend/legacy/app.js") == []
    (allowed,) = [f for f in failing(audit, "GL128") if f.subjects == ("DEMO_API_KEY",)]
    assert (
        allowed.evidence[1] == "placeholder: allowed in [tool.golive.secrets]: the vendor's public demo key"
    )
    assert loud(audit, "deploy/demo.env") == []


@pytest.mark.parametrize(
    "table",
    [
        'exclude = [{ path = "x/**" }]',
        'allow = [{ path = "x.env", reason = "why" }]',
        'exclude = "x/**"',
    ],
)
def test_secret_rules_need_a_reason_and_a_name(tmp_path: Path, table: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.golive.secrets]\n{table}\n")
    with pytest.raises(ConfigError, match=r"\[tool.golive.secrets\]"):
        load_config(tmp_path)


def test_default_exclusions_are_documented_data() -> None:
    assert DEFAULT.excluded("frontend/package-lock.json") == "npm lockfile (package names and hashes)"
    assert DEFAULT.excluded("app/locale/de/LC_MESSAGES/django.po") == "gettext translation catalogue"
    assert DEFAULT.excluded("shop/static/vendor/chart.js") == "vendored code (another project's files)"
    assert DEFAULT.excluded("shop/settings/production.py") == ""


def test_a_public_value_production_loads_is_information_not_a_live_leak(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    publishable = "pk_" + "live_" + rand(24)
    commit(
        root,
        "Checkout",
        "2024-01-01T00:00:00+00:00",
        {
            PRODUCTION: f'from .base import *  # noqa\nSTRIPE_PUBLISHABLE_KEY = "{publishable}"\n',
            "shop/static/js/checkout.js": f'const STRIPE_PUBLISHABLE_KEY = "{publishable}";\n',
        },
    )
    audit = audit_project(root, no_history=True)
    assert [f.subjects for f in failing(audit, "GL100")] == []
    assert [f.subjects for f in failing(audit, "GL112")] == []
    listed = [f for f in failing(audit, "GL128") if f.subjects == ("STRIPE_PUBLISHABLE_KEY",)]
    assert {f.evidence[1] for f in listed} == {"placeholder: public by design: a Stripe publishable key"}
    assert {f.severity for f in listed} == {Severity.INFO}


def test_a_development_compose_file_is_known_by_what_it_starts(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    dev_password, prod_password = rand_mixed(20), rand_mixed(20)
    commit(
        root,
        "Compose for development, Procfile for production",
        "2024-01-01T00:00:00+00:00",
        {
            "Procfile": "web: gunicorn site_conf.wsgi\n",
            "docker-compose.yml": (
                "services:\n  web:\n    command: python manage.py runserver 0.0.0.0:8000\n"
                f"  db:\n    environment:\n      POSTGRES_PASSWORD: {dev_password}\n"
            ),
            "deploy/stack.yml": (
                f"services:\n  web:\n    command: gunicorn site_conf.wsgi\n    environment:\n"
                f"      DB_PASSWORD: {prod_password}\n"
            ),
        },
    )
    audit = audit_project(root, no_history=True)
    found = {f.location.path: f for f in failing(audit, "GL121") if f.location}
    assert found["docker-compose.yml"].severity is Severity.LOW
    assert found["docker-compose.yml"].evidence[-1] == (
        "lives in development configuration: starts runserver (Django's development server),"
        " while Procfile starts a production server: weighs low"
    )
    assert (found["deploy/stack.yml"].severity, found["deploy/stack.yml"].confidence) == (
        Severity.HIGH,
        Confidence.LIKELY,
    )


def test_a_committed_env_file_of_a_development_setup_weighs_low(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    commit(
        root,
        "Local docker setup",
        "2024-01-01T00:00:00+00:00",
        {
            "compose/local/django/.env": f"DJANGO_SECRET_KEY={rand_mixed(50)}\n",
            ".env": f"SENDGRID_PASSWORD={rand_mixed(30)}\n",
        },
    )
    files = {f.location.path: f for f in failing(audit_project(root, no_history=True), "GL125") if f.location}
    assert files["compose/local/django/.env"].severity is Severity.LOW
    assert files["compose/local/django/.env"].evidence[-1] == (
        "lives in development configuration: in the local/ folder ('local'): weighs low"
    )
    assert (files[".env"].severity, files[".env"].confidence) == (Severity.HIGH, Confidence.LIKELY)


def test_fixes_name_their_own_setting_and_file(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    commit(
        root,
        "Mail from the environment, with a default",
        "2024-01-01T00:00:00+00:00",
        {
            PRODUCTION: (
                "from .base import *  # noqa\n"
                f'EMAIL_HOST_PASSWORD = os.environ.get("SMTP_PASSWORD", "{rand_mixed(24)}")\n'
            ),
            "deploy/server.key": f"{BEGIN}\n{rand(64, ALNUM + '+/')}\n{END}\n",
        },
    )
    audit = audit_project(root, no_history=True)
    (default,) = failing(audit, "GL102")
    assert default.remediation.endswith('EMAIL_HOST_PASSWORD = os.environ["SMTP_PASSWORD"]')
    assert "SECRET_KEY" not in default.remediation
    (key,) = failing(audit, "GL125")
    assert "git rm --cached deploy/server.key" in key.remediation and ".env" not in key.remediation
    assert "is a separate\ndecision" in key.remediation


def test_a_project_audited_inside_an_examples_folder_is_not_an_example(tmp_path: Path) -> None:
    repo = tmp_path / "tool"
    project = build_project(repo / "examples" / "shop")
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    git(repo, "add", "-A")
    commit(
        repo,
        "Example shop",
        "2024-01-01T00:00:00+00:00",
        {
            "examples/shop/shop/mail.py": f'SMTP_PASSWORD = "{rand_mixed(24)}"\n',
            "examples/shop/shop/__mocks__/mail.py": f'SMTP_PASSWORD = "{rand_mixed(24)}"\n',
        },
    )
    found = {
        f.location.path: f for f in failing(audit_project(project, no_history=True), "GL121") if f.location
    }
    assert found["shop/mail.py"].severity is Severity.HIGH
    assert found["shop/__mocks__/mail.py"].severity is Severity.LOW


#: A scanner's test fixtures, test modules and a built documentation site: (path, place label, reason).
LOW_PLACES = {
    "unittests/scans/mend/report.json": ("test code", "unittests/scans/mend/report.json is test code"),
    "unit_tests/tools.py": ("test code", "unit_tests/tools.py is test code"),
    "app/test_data/payload.json": ("test code", "app/test_data/payload.json is test code"),
    "web/__tests__/client.js": ("test code", "web/__tests__/client.js is test code"),
    "billing/charge_test.py": ("test code", "billing/charge_test.py is test code"),
    "helm/shop/README.md": ("documentation", "README.md is documentation"),
    "site/get_started/index.html": (
        "documentation",
        "site/get_started/index.html is in the site/ folder of a documentation build",
    ),
    "_build/html/setup.html": (
        "documentation",
        "_build/html/setup.html is in the _build/ folder of a documentation build",
    ),
    "get_started/deploy/index.html": (
        "documentation",
        "get_started/deploy/index.html is a page of a generated documentation site",
    ),
    "js/app.3f9a1c2b.js": (
        "documentation",
        "js/app.3f9a1c2b.js is a hashed asset of a generated documentation site",
    ),
}
#: Pages and bundles of the site itself, and code in a folder named like a build: production.
PRODUCTION_PLACES = (
    "shop/storage.py",
    "shop/templates/shop/home/index.html",
    "static/js/app.3f9a1c2b.js",
    "site/keys.py",
)


def test_test_fixtures_and_documentation_builds_weigh_low(tmp_path: Path) -> None:
    root = start_repo(tmp_path / "shop")
    keys = {path: "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits) for path in LOW_PLACES}
    prod_keys = {
        path: "AK" + "IA" + rand(16, string.ascii_uppercase + string.digits) for path in PRODUCTION_PLACES
    }
    commit(
        root,
        "Scanner fixtures, docs site, and a key in code",
        "2024-01-01T00:00:00+00:00",
        {
            **{path: f'aws_access_key_id = "{key}"\n' for path, key in {**keys, **prod_keys}.items()},
        },
    )
    found = {f.location.path: f for f in failing(audit_project(root, no_history=True), "GL121") if f.location}
    for path, (label, reason) in LOW_PLACES.items():
        assert (path, found[path].severity, found[path].confidence) == (
            path,
            Severity.LOW,
            Confidence.CONFIRMED,
        )
        assert found[path].evidence[-1] == f"lives in {label}: {reason}: weighs low"
    for path in PRODUCTION_PLACES:
        assert (path, found[path].severity, found[path].confidence) == (
            path,
            Severity.HIGH,
            Confidence.CONFIRMED,
        )
        assert not found[path].evidence[-1].endswith("weighs low")


def test_names_of_kubernetes_secrets_are_not_secrets(tmp_path: Path) -> None:
    # A CloudNativePG cluster and a Helm chart name the Kubernetes Secrets that hold the
    # certificates and passwords (pythondotorg's serverTLSSecret, defectdojo's existingSecret);
    # a Secret manifest that holds the password itself is a leak.
    root = start_repo(tmp_path / "shop")
    password = rand_mixed(24)
    commit(
        root,
        "Database cluster and chart",
        "2024-01-01T00:00:00+00:00",
        {
            "infra/k8s/cnpg-cluster.yaml": (
                "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nspec:\n  certificates:\n"
                f"    serverCASecret: operators-ca-crt\n    serverTLSSecret: shop-db-{rand(8).lower()}-tls\n"
            ),
            "helm/shop/values.yaml": (
                "valkey:\n  auth:\n    existingSecret: shop-valkey-specific\n"
                "    existingSecretPasswordKey: valkey-password\n"
            ),
            "infra/k8s/db-secret.yaml": (
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-db\n"
                f"stringData:\n  password: {password}\n"
            ),
        },
    )
    found = failing(audit_project(root, no_history=True), "GL121")
    assert [f.subjects for f in found if f.location and f.location.path != "infra/k8s/db-secret.yaml"] == []
    leak = [f for f in found if f.location and f.location.path == "infra/k8s/db-secret.yaml"]
    assert [(f.subjects, f.severity, f.confidence) for f in leak] == [
        (("password",), Severity.HIGH, Confidence.LIKELY)
    ]
