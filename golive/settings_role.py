"""Whether the settings module golive chose is production, development or test settings.

DESIGN.md, "Production, development, test": discovered files are classified and only
production (and unknown) ones are judged. The settings module is classified the same way,
with the words of :mod:`golive.collectors.layout` (rules 3 and 4, on the dotted path:
``devproject.settings``, ``mysite.settings.local``, ``mysite.settings.test``). When the
chosen module is development or test settings and no production-looking module exists in
the project, the repository ships no production configuration: the report says so once
(the settings reason, GL114) and the runner lowers every finding judged from those
settings to confidence ``possible`` (:func:`demote_development`, called once by the runner).

A neutral name with ``DEBUG = True`` is not development settings: that is the GL101
finding (as layout's rule 5 keeps a production server with ``DEBUG=True`` production).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from msgspec.structs import replace

from golive.collectors.layout import WORD_ROLES, Role, words
from golive.model import Confidence, Finding, Status

#: Suffixes of a compound module name (``devproject``, ``testsite``) after its role word.
COMPOUND_TAILS = ("project", "site", "settings", "app", "conf", "config")
DEBUG_LITERAL = re.compile(r"^DEBUG\s*=\s*True\s*(?:#.*)?$", re.MULTILINE)


def _module_words(module: str) -> list[str]:
    """The words of dotted ``module``, last part first, a compound word also without its
    tail (``devproject`` → ``devproject``, ``dev``)."""
    out = []
    for part in reversed(module.split(".")):
        for word in words(part):
            out.append(word)
            out += [word[: -len(tail)] for tail in COMPOUND_TAILS if word.endswith(tail) and word != tail]
    return out


def settings_role(module: str, text: str = "") -> tuple[Role, str] | None:
    """The role of settings module ``module`` (dotted) from its name, or None when its name
    says nothing. ``text``, the module's source, adds to a development or test reason when
    it sets ``DEBUG = True`` as a literal."""
    for word in _module_words(module):
        for vocabulary, role in WORD_ROLES:
            if word in vocabulary:
                reason = f"its name says {word!r}"
                if role is not Role.PRODUCTION and DEBUG_LITERAL.search(text):
                    reason += "; DEBUG = True, a literal"
                return role, reason
    return None


def _source(django_root: Path, module: str) -> str:
    from golive.discovery import module_file, read_python

    path = module_file(django_root, module)
    if path is None:
        return ""
    try:
        return read_python(path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ""


def development_reason(django_root: Path, module: str) -> str:
    """The sentence the report shows when ``module`` is development or test settings and
    no production-looking settings module exists under ``django_root``; else ``""``."""
    from golive.discovery import settings_modules

    found = settings_role(module, _source(django_root, module))
    if found is None or found[0] not in (Role.DEVELOPMENT, Role.TEST):
        return ""
    for other in settings_modules(django_root, module):
        role = settings_role(other)
        if role is not None and role[0] is Role.PRODUCTION:
            return ""
    return (
        f"{module} looks like {found[0].value} settings ({found[1]}):"
        " no production settings found in the repository"
    )


#: The inputs whose findings are judged from the settings: the settings source, the
#: settings Django loaded, and Django's own deploy checks run on them.
FROM_SETTINGS = frozenset({"source", "runtime", "django"})
OWN_ID = "GL114"


def demote_development(findings: Iterable[Finding], reason: str) -> list[Finding]:
    """``findings`` with every failing one judged from development settings (``reason``,
    :func:`development_reason`; ``""`` changes nothing) at confidence ``possible`` (so
    at most ``low``: :meth:`Confidence.cap`), the reason added to its evidence."""
    if not reason:
        return list(findings)
    note = f"judged from development settings: {reason}"
    return [
        replace(
            f,
            confidence=Confidence.POSSIBLE,
            severity=Confidence.POSSIBLE.cap(f.severity),
            evidence=(*f.evidence, note),
        )
        if f.status is Status.FAIL and f.collector in FROM_SETTINGS and f.id != OWN_ID
        else f
        for f in findings
    ]
