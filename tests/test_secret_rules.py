"""The secret rules, line by line: what is a secret, what is a placeholder, what is neither.

Every token-shaped value is assembled at run time (``"sk_" + "live_" + ...``) so that this
file never holds a string that a secret scanner, golive's included, would report.
"""

from __future__ import annotations

import secrets
import string

import pytest
from django.core.management.utils import get_random_secret_key

from golive.collectors.git import files
from golive.collectors.git.scanner import FileScanner, file_kind, scan_text
from golive.facts.secrets.rules import placeholder_reason, plausible_value, secret_name

UPPER = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def found(path: str, text: str) -> list[tuple[int, str, str, str, str]]:
    """(line, rule, name, shown prefix, placeholder reason) of each match; values left out."""
    return [(n, m.rule, m.name, m.shown, m.placeholder) for n, m in scan_text(path, text)]


def values(path: str, text: str) -> list[str]:
    return [m.value for _, m in scan_text(path, text)]


def test_token_formats_are_found_with_their_public_prefix_only() -> None:
    stripe = "sk_" + "live_" + rand(24)
    restricted = "rk_" + "live_" + rand(30)
    aws = "AK" + "IA" + rand(16, UPPER)
    github = "gh" + "p_" + rand(36)
    fine_grained = "github_" + "pat_" + rand(82, ALNUM + "_")
    slack = "xo" + "xb-" + rand(12, string.digits) + "-" + rand(24)
    sendgrid = "S" + "G." + rand(22) + "." + rand(43)
    google = "AI" + "za" + rand(35)
    text = "\n".join(
        [
            f'STRIPE_SECRET_KEY = "{stripe}"',
            f"charge(api_key='{restricted}')",
            f"aws_key: {aws}",
            f"token {github} and {fine_grained}",
            f"SLACK={slack}",
            f"mail = {sendgrid!r}",
            f"<script>maps('{google}')</script>",
        ]
    )
    assert found("notes.txt", text) == [
        (1, "stripe-secret-key", "STRIPE_SECRET_KEY", "sk_live_", ""),
        (2, "stripe-secret-key", "", "rk_live_", ""),
        (3, "aws-access-key-id", "aws_key", "AKIA", ""),
        (4, "github-token", "", "ghp_", ""),
        (4, "github-token", "", "github_pat_", ""),
        (5, "slack-token", "SLACK", "xoxb-", ""),
        (6, "sendgrid-api-key", "mail", "SG.", ""),
        (7, "google-api-key", "", "AIza", ""),
    ]
    assert values("notes.txt", text) == [
        stripe,
        restricted,
        aws,
        github,
        fine_grained,
        slack,
        sendgrid,
        google,
    ]


def test_django_settings_rules() -> None:
    key = "django-insecure-" + get_random_secret_key()
    text = f"""
SECRET_KEY = '{key}'
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "fallback-{rand(20)}")
SECRET_KEY = env("DJANGO_SECRET_KEY", default="envdefault-{rand(20)}")
API_TOKEN = config("API_TOKEN", default="decouple-{rand(12)}")
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "PASSWORD": "db-{rand(12)}"}}}}
EMAIL_HOST_PASSWORD: str = "mail-{rand(12)}"
CACHES = {{"default": {{"LOCATION": "redis://:cache-{rand(16)}@10.0.0.5:6379/0"}}}}
BROKER_URL = "amqp://shop:rabbit-{rand(16)}@mq:5672//"
"""
    assert found("shop/settings/production.py", text) == [
        (2, "assigned-literal", "SECRET_KEY", "", ""),
        (3, "env-default", "SECRET_KEY", "", ""),
        (4, "env-default", "SECRET_KEY", "", ""),
        (5, "env-default", "API_TOKEN", "", ""),
        (6, "assigned-literal", "PASSWORD", "", ""),
        (7, "assigned-literal", "EMAIL_HOST_PASSWORD", "", ""),
        (8, "url-password", "CACHES", "", ""),
        (9, "url-password", "BROKER_URL", "", ""),
    ]
    assert values("shop/settings/production.py", text)[0] == key


def test_literal_with_escapes_is_read_as_python_reads_it() -> None:
    (value,) = values("settings.py", r'SECRET_KEY = "abc\"def\\ghi-123-Xk9#mQ2$vL7"')
    assert value == 'abc"def\\ghi-123-Xk9#mQ2$vL7'


def test_env_yaml_and_ini_lines() -> None:
    env = f"# comment\nDEBUG=0\nDJANGO_SECRET_KEY='{rand(40)}'\nexport API_KEY={rand(20)}\nNAME=shop\n"
    assert found(".env.production", env) == [
        (3, "env-line", "DJANGO_SECRET_KEY", "", ""),
        (4, "env-line", "API_KEY", "", ""),
    ]
    compose = (
        f"services:\n  web:\n    environment:\n      - SECRET_KEY={rand(30)}\n      DB_PASSWORD: {rand(12)}\n"
    )
    assert found("docker-compose.yml", compose) == [
        (4, "env-line", "SECRET_KEY", "", ""),
        (5, "assigned-literal", "DB_PASSWORD", "", ""),
    ]
    ini = f"[client]\nuser = shop\npassword = {rand(14)}\n"
    assert found("deploy/my.cnf.ini", ini) == [(3, "env-line", "password", "", "")]
    docker = f"FROM python:3.12\nENV SECRET_KEY {rand(30)}\n"
    assert found("Dockerfile", docker) == [(2, "env-line", "SECRET_KEY", "", "")]


def test_private_key_block_body_is_fingerprinted_never_the_marker() -> None:
    body = rand(64, string.ascii_letters + string.digits + "+/")
    pem = "-----BEGIN RSA " + f"PRIVATE KEY-----\n{body}\n{rand(64)}\n-----END RSA PRIVATE KEY-----\n"
    assert found("deploy/server.pem", pem) == [(2, "private-key", "", "", "")]
    assert values("deploy/server.pem", pem) == [body]
    inline = '"private_key": "-----BEGIN ' + f'PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n",'
    assert [m.rule for _, m in scan_text("service-account.json", inline)] == ["private-key"]
    scanner = FileScanner("k.pem")
    assert scanner.scan("-----BEGIN OPENSSH " + "PRIVATE KEY-----") == []
    scanner.interrupt()
    assert scanner.scan(body) == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('SECRET_KEY = "change-me"', "placeholder text 'change-me'"),
        ('SECRET_KEY = "django-insecure-changeme-please"', "placeholder text 'changeme'"),
        ('EMAIL_HOST_PASSWORD = "<your-password>"', "template marker"),
        ('API_KEY = "xxxxxxxxxxxxxxxx"', "one repeated character"),
        ('STRIPE_SECRET_KEY = "your-secret-key"', "placeholder text 'your-'"),
        ('PASSWORD = "dummy-pass"', "placeholder text 'dummy'"),
        ('DB_PASSWORD = "password"', "well-known default value"),
        ('AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"', "documented example key"),
        ('DATABASE_URL = "postgres://user:password@localhost/db"', "well-known default value"),
        ('DATABASE_URL = "postgres://shop:s3-9xQ@db.example.com/db"', "example host"),
        ('DATABASE_URL = "postgres://shop:shop@localhost/ci"', "same as the user name"),
        ('DATABASE_URL = "postgres://u:pw@h/db"', "shorter than 4 characters"),
    ],
)
def test_placeholders_are_recognised(line: str, reason: str) -> None:
    assert [m.placeholder for _, m in scan_text("settings.py", line)] == [reason]


def test_stripe_documented_and_test_mode_keys_are_placeholders() -> None:
    doc = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    doc_live = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    test_mode = "sk_" + "test_" + rand(24)
    text = f"K = '{doc}'\nL = '{doc_live}'\nT = '{test_mode}'"
    assert [m.placeholder for _, m in scan_text("a.py", text)] == [
        "documented example key",
        "documented example key",
        "Stripe test-mode key (no access to live data)",
    ]


#: Random values that are never placeholders: without vowels, ``x`` or ``y`` they spell no
#: placeholder word (``fake``, ``test``, ``xxxx``...), and with a lower-case letter and a
#: digit appended they are no upper-case identifier either.
NO_X = "".join(c for c in ALNUM if c.lower() not in "aeiouxy")


def test_test_code_and_example_files_demote_name_rules_but_not_token_formats() -> None:
    stripe = "sk_" + "live_" + rand(24, NO_X)
    text = f'user = User.objects.create_user("ann", password="{rand(9, NO_X)}a7Q")\nKEY = "{stripe}"\n'
    assert found("shop/tests/test_views.py", text) == [
        (1, "assigned-literal", "password", "", "test code"),
        (2, "stripe-secret-key", "KEY", "sk_live_", ""),
    ]
    assert found(".env.example", f"SECRET_KEY={rand(27, NO_X)}a7Q") == [
        (1, "env-line", "SECRET_KEY", "", "example file")
    ]


@pytest.mark.parametrize(
    "line",
    [
        'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]',
        'SECRET_KEY = ""',
        'PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]',
        'AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.X"}]',
        'SECRET_KEY_ENV = "DJANGO_SECRET_KEY"',
        'TOKEN_URL = "https://auth.example.com/token"',
        'SSL_KEY = "/etc/ssl/private/shop.key"',
        'cache_key = "product-list"',
        'key = "sort-order"',
        'PASSWORD_HELP_TEXT = "Use at least 12 characters"',
        'password = f"{prefix}-{suffix}"',
        'DATABASE_URL = "postgres://shop:${DB_PASSWORD}@db/shop"',
        '_TOKEN = r"[-!#$%&\'*+.^_`|~0-9a-zA-Z]+"',
        'POLICY_CREDENTIALS = "arn:aws:iam::aws:policy/IAMUserChangePassword"',
        'urllib.request.HTTPPasswordMgr().add_password(None, uri, "klem", passwd="geheim$parole")',
        'SECRET_HINT = "IAmSensitive"',
        'DB_PASSWORD = "$DB_PASSWORD"',
        'SECRET_PATTERN_KEY = r"(?:key|pwd|password|token)\\s*=\\s*(\\S+)"',
        '{"username": "ann", "password": "pbkdf2_sha256$870000$Qx8aZ1kLm3Nv$3fQ1+abc/def0GhIjK2lMnO4pQrSt="}',
        'SECRET_KEY = env("DJANGO_SECRET_KEY")',
        "if password == confirm:",
    ],
)
def test_not_secrets(line: str) -> None:
    assert scan_text("shop/settings.py", line) == []


def test_secret_names() -> None:
    assert [
        n
        for n in ("SECRET_KEY", "EMAIL_HOST_PASSWORD", "apiKey", "db_password", "STRIPE_KEY")
        if secret_name(n)
    ] == [
        "SECRET_KEY",
        "EMAIL_HOST_PASSWORD",
        "apiKey",
        "db_password",
        "STRIPE_KEY",
    ]
    assert [
        n
        for n in ("KEY", "cache_key", "SECRET_KEY_FALLBACKS", "PASSWORD_RESET_TIMEOUT", "API_KEY_FILE")
        if secret_name(n)
    ] == []
    assert plausible_value("hunter2-x") and not plausible_value("DJANGO_SECRET_KEY")
    assert placeholder_reason(get_random_secret_key()) == ""
    # References are not secrets, but a Django key may start with $ or % (its alphabet has them).
    assert not any(
        plausible_value(v) for v in ("$DJANGO_SECRET_KEY", "${SECRET}", "%(password)s", "{{ key }}")
    )
    for start in "$%#@(":
        key = start + get_random_secret_key()[1:]
        assert plausible_value(key) and placeholder_reason(key) == "", start
        ((line, raw),) = scan_text("site/settings/production.py", f'SECRET_KEY = "{key}"\n')
        assert (line, raw.name) == (1, "SECRET_KEY"), start


def test_file_kinds_and_committed_file_classes() -> None:
    assert [
        file_kind(p) for p in ("a/settings.py", ".env", "prod.env", "compose.yaml", "setup.cfg", "app.js")
    ] == [
        "python",
        "env",
        "env",
        "yaml",
        "ini",
        "code",
    ]
    paths = [
        ".env",
        "deploy/.env.production",
        ".env.example",
        "deploy/server.key",
        "certs/fullchain.pem",
        "shop/local_settings.py",
        "backup/shop.sql.gz",
        "db/schema.sql",
        "db.sqlite3",
        "tests/fixtures/test.key",
        "README.md",
    ]
    assert {p: files.classify(p) for p in paths} == {
        ".env": "env",
        "deploy/.env.production": "env",
        ".env.example": None,
        "deploy/server.key": "private-key",
        "certs/fullchain.pem": "pem",
        "shop/local_settings.py": "local-settings",
        "backup/shop.sql.gz": "database-dump",
        "db/schema.sql": "sql",
        "db.sqlite3": "sqlite",
        "tests/fixtures/test.key": None,
        "README.md": None,
    }


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("STRIPE_PUBLISHABLE_KEY", "pk_" + "live_" + rand(24), "public by design: a Stripe publishable key"),
        (
            "SENTRY_DSN",
            f"https://{rand(32, '0123456789abcdef')}@o1.ingest.sentry.io/2",
            "public by design: a Sentry DSN's public key",
        ),
        ("MAPBOX_TOKEN", "pk" + ".eyJ1IjoiYSJ9." + rand(22), "public by design: a Mapbox public token"),
        (
            "GOOGLE_OAUTH2_KEY",
            "1234567890-" + rand(32, string.ascii_lowercase) + ".apps.googleusercontent.com",
            "public by design: a Google OAuth client id",
        ),
        (
            "SOCIAL_AUTH_GITHUB_KEY",
            rand(20),
            "public by design: SOCIAL_AUTH_GITHUB_KEY is an OAuth client id (python-social-auth)",
        ),
        ("VAPID_PUBLIC_KEY", rand(40), "public by design: its name (VAPID_PUBLIC_KEY) says so"),
    ],
    ids=[
        "stripe-publishable",
        "sentry-dsn",
        "mapbox-public",
        "google-oauth-client",
        "social-auth-key",
        "vapid",
    ],
)
def test_public_by_design_values_are_information(name: str, value: str, reason: str) -> None:
    assert [m.placeholder for _, m in scan_text("shop/conf.py", f'{name} = "{value}"\n')] == [reason]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SOCIAL_AUTH_GITHUB_SECRET", "Xq7" + rand(37)),
        ("STRIPE_SECRET_KEY", "sk_" + "live_" + rand(24)),
    ],
    ids=[
        "social-auth-secret",
        "stripe-secret",
    ],  # random values: stable ids keep pytest-xdist's workers agreeing
)
def test_secrets_next_to_public_values_stay_secrets(name: str, value: str) -> None:
    assert [m.placeholder for _, m in scan_text("shop/conf.py", f'{name} = "{value}"\n')] == [""]
