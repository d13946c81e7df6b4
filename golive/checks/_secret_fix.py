"""What to do about one committed secret, and how much it weighs (for :mod:`golive.checks.secrets`
and :mod:`golive.checks.committed_files`).

A finding's remediation names the setting or key it is about and links the doc section
of that setting (Django's settings reference) or of the vendor whose token it is, instead
of a generic text about SECRET_KEY. A credential still in HEAD is moved out of the file and
rotated; a credential only in the history is rotated, and rewriting the history is a
decision of its own, with its cost (:data:`REWRITE_COST`). Severity follows the value's
confidence (:meth:`golive.model.Confidence.cap`) and where it lives (test code, docs,
examples, CI and development files weigh ``low`` at most).

Sources: Django's settings reference (https://docs.djangoproject.com/en/stable/ref/settings/),
GitHub's "Removing sensitive data from a repository" (rewriting history, its side effects:
https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository),
git-filter-repo's ``--sensitive-data-removal`` (https://github.com/newren/git-filter-repo).
"""

from __future__ import annotations

import re
import shlex

from golive.facts.controls import visible
from golive.facts.git import HistorySecret
from golive.facts.secrets.rules import PRIVATE_KEY_RULE, TOKENS_BY_RULE
from golive.model import Severity

SETTINGS_REF = "https://docs.djangoproject.com/en/stable/ref/settings/"
REMOVING = (
    "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
    "removing-sensitive-data-from-a-repository"
)
#: Django settings (and DATABASES keys) that hold secrets: name → anchor in the settings reference.
DJANGO_SECRET_SETTINGS = {
    "EMAIL_HOST_PASSWORD": "email-host-password",
    "PASSWORD": "password",
    "SECRET_KEY": "secret-key",
    "SECRET_KEY_FALLBACKS": "secret-key-fallbacks",
    "DATABASES": "databases",
    "CACHES": "caches",
}
REWRITE_COST = """\
Rewriting the history is a separate decision. It keeps the revoked value out of new clones,
but every existing clone, fork and CI cache keeps it; it needs a force-push, changes every
later commit id (open pull requests, links to commits and signed tags break) and everyone must
re-clone. Once the value is revoked it protects nothing, so many teams stop here. If you do it:

    git filter-repo --sensitive-data-removal --replace-text ../replacements.txt   # `<old value>==>REMOVED`
    git push --force --mirror origin"""
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")


def shown(text: str) -> str:
    """A name or path from the repository, safe inside a remediation: its control characters
    written as escapes (a file named ``x\n::error::`` must not start a line of the report)."""
    return visible(text)


def shell_path(path: str) -> str:
    """``path`` for a shell command in a remediation: quoted when needed, escapes visible."""
    return visible(shlex.quote(path))


def weigh(base: Severity, secret: HistorySecret) -> Severity:
    """``base`` capped by the value's confidence, and at ``low`` outside production code."""
    severity = secret.confidence.cap(base)
    return min(severity, Severity.LOW) if secret.place else severity


def evidence_lines(secret: HistorySecret) -> list[str]:
    """The confidence line (``"confidence likely: random-looking token: 32 chars, ..."``) and,
    outside production code, where the value lives."""
    lines = [f"confidence {secret.confidence.value}: {secret.why}" if secret.why else ""]
    if secret.place:
        lines.append(f"lives in {secret.where_it_lives}: weighs low")
    return [line for line in lines if line]


def reference(secret: HistorySecret) -> str:
    """The doc section for this secret: its vendor's page, its Django setting, else GitHub's."""
    fmt = TOKENS_BY_RULE.get(secret.rule)
    if fmt is not None:
        return fmt.reference
    anchor = DJANGO_SECRET_SETTINGS.get(secret.name)
    return SETTINGS_REF + "#" + anchor if anchor else REMOVING


def _what(secret: HistorySecret) -> str:
    if secret.rule == PRIVATE_KEY_RULE:
        return "the private key"
    fmt = TOKENS_BY_RULE.get(secret.rule)
    if fmt is not None:
        return f"the {fmt.label}"  # its vendor's page is the finding's reference
    return shown(secret.name) if secret.name else secret.label


def _only_there(secret: HistorySecret) -> str:
    """For a value outside production code: rotating matters only if something else accepts it."""
    if not secret.place:
        return ""
    return (
        f"It lives in {shown(secret.where_it_lives)}. If only that place ever uses it (a test key, a local"
        " database), nothing leaks and there is nothing to rotate; if a shared or production system"
        " accepts it, treat it as leaked:\n\n"
    )


def _read_from_env(secret: HistorySecret) -> str:
    name = secret.name if _SETTING.match(secret.name or "") else ""
    if secret.rule == PRIVATE_KEY_RULE:
        return "Keep the new key out of the repository (a secret manager, or a file outside it)."
    if secret.name == "PASSWORD":
        return 'Read the new one from the environment:\n\n    "PASSWORD": os.environ["DATABASE_PASSWORD"],'
    if name:
        return f'Read the new one from the environment:\n\n    {name} = os.environ["{name}"]'
    if secret.rule == "url-password":
        return (
            "Read the whole URL from the environment (DATABASE_URL, REDIS_URL, ...) instead of"
            " writing its password in the file."
        )
    return "Read the new one from the environment or a secret manager, not from a file in the repository."


def in_head_fix(secret: HistorySecret) -> str:
    """Remediation of a credential HEAD still holds: rotate, move it out, then the history decision."""
    where = shown(", ".join(str(loc) for loc in secret.head_locations) or str(secret.location))
    return _only_there(secret) + (
        f"Rotate {_what(secret)}: revoke it where it was issued and issue a new one; the committed"
        f" value is in every clone. {_read_from_env(secret)}\n\nThen remove it from {where}.\n\n"
        + REWRITE_COST
    )


def history_fix(secret: HistorySecret) -> str:
    """Remediation of a credential only the history holds: rotate, then the history decision."""
    return _only_there(secret) + (
        f"Rotate {_what(secret)}: the files no longer hold it, but commit {secret.commit[:10]} still"
        " does in every clone, fork and CI cache. Revoke it where it was issued and issue a new"
        f" one. {_read_from_env(secret)}\n\n" + REWRITE_COST
    )


#: Placeholder reasons that are about the value itself (not where it sits): production could
#: fall back to such a value, which GL102 reports.
_VALUE_PLACEHOLDERS = (
    "placeholder text",
    "well-known default",
    "template marker",
    "one repeated",
    "shorter than",
    "documented example",
)


def nothing_to_do(secret: HistorySecret) -> str:
    """Remediation of a placeholder, a public-by-design or an allowed value."""
    if secret.placeholder.startswith("public by design"):
        return f"Nothing to do: {secret.placeholder}; publishing it is how it is meant to be used."
    if secret.placeholder.startswith(_VALUE_PLACEHOLDERS):
        return (
            f"Nothing to do: {secret.placeholder}. If production reads this setting with the"
            " placeholder as a default, that is GL102's finding, not this one."
        )
    return f"Nothing to do: {secret.placeholder}."
