"""Files that should never be committed, recognised by name.

Sources: Django's deployment checklist ("Critical settings": keep the secret key out of
source control, https://docs.djangoproject.com/en/stable/howto/deployment/checklist/),
the 12-factor app's "Config" (https://12factor.net/config), GitHub's Python .gitignore
template (``local_settings.py``, ``db.sqlite3``, ``.env``:
https://github.com/github/gitignore/blob/main/Python.gitignore).
"""

from __future__ import annotations

from golive.collectors.git.syntax import is_example_file
from golive.facts.secrets.rules import is_test_path
from golive.own_files import is_own

#: Kinds that are reported only when their content says so (checked in HEAD by the collector).
NEEDS_CONTENT = {"pem": "private-key", "sql": "database-dump"}

SSH_KEYS = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")
DUMP_SUFFIXES = (".dump", ".pgdump", ".sql.gz", ".sql.bz2", ".sql.xz", ".sql.zst", ".sql.zip")


def classify(path: str) -> str | None:
    """The kind of a committed file that should not be (a key of :data:`golive.facts.git.KINDS`), or None.

    Returns ``"pem"`` or ``"sql"`` for files whose content decides (a ``.pem`` holding a
    private key, a ``.sql`` file holding data); files in test code, documented templates
    (``.env.example``) and golive's own files (under ``.golive/``: its history database,
    :mod:`golive.own_files`) are not reported.
    """
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if is_test_path(path) or is_own(path):
        return None
    if lower == ".env" or lower.startswith(".env.") or (lower.endswith(".env") and lower != ".env"):
        return None if is_example_file(path) else "env"
    if lower.endswith(".key") or lower in SSH_KEYS:
        return "private-key"
    if lower.endswith((".p12", ".pfx", ".jks", ".keystore")):
        return "key-store"
    if lower.endswith(".pem"):
        return "pem"
    if lower in ("local_settings.py", "settings_local.py"):
        return "local-settings"
    if lower in (".pgpass", ".netrc", ".htpasswd", ".my.cnf"):
        return "credentials"
    if lower.endswith(DUMP_SUFFIXES):
        return "database-dump"
    if lower.endswith(".sql"):
        return "sql"
    if lower.endswith((".sqlite3", ".sqlite")):
        return "sqlite"
    return None
