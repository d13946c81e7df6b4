"""Secret-named settings other than SECRET_KEY written as literals (checklist section 1, GL112).

Source: Django's deployment checklist, "Database passwords are very sensitive. You should
protect them exactly like SECRET_KEY"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#databases).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.facts.controls import visible
from golive.facts.secrets import is_secret_name
from golive.facts.source import Assignment, SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL112",
    title="a secret-named setting is a literal in the settings source",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Read it from the environment (or a secret manager) and rotate the committed value:

        STRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]
        EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
    """,
)
def literal_secrets(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Passwords, API keys and tokens deserve the care of SECRET_KEY ("Database passwords
    are very sensitive. You should protect them exactly like SECRET_KEY"). Covers any
    setting named like *SECRET*, *PASSWORD*, *TOKEN*, *API_KEY* and credentials inside
    URLs (cache and broker locations). SECRET_KEY itself is GL101; DATABASES is GL221.
    The name is not enough: the value must be one that can be a secret (not ``"stats"``,
    ``"pkg.Strategy"``, ``"100/min"``: :func:`golive.facts.secrets.evidence.judge`), and severity
    follows how sure it is. Placeholders and public-by-design values are not leaks.
    """
    for a in facts[SourceFacts].effective:
        if a.kind != "literal" or a.secret is None or a.secret.empty:
            continue
        if a.target.startswith(("SECRET_KEY", "DATABASES")) or a.confidence is None or a.placeholder:
            continue
        leaf = a.target.rsplit(".", 1)[-1]
        kind = "URL credentials" if not is_secret_name(leaf) else "literal"
        setting = a.target.split(".")[0]
        yield spec.fail(
            subjects=[setting],
            location=a.location,
            evidence=[
                f"{a.target} at {a.location}: {kind}, {a.secret.describe()}",
                f"confidence {a.confidence.value}: {a.why}",
            ],
            confidence=a.confidence,
            remediation=setting_fix(a),
            reference=setting_reference(setting) or spec.reference,
        )


#: Django's own settings that hold secrets: name → anchor in the settings reference.
DJANGO_SECRET_SETTINGS = {
    "EMAIL_HOST_PASSWORD": "email-host-password",
    "CACHES": "caches",
    "DATABASES": "databases",
}


def setting_reference(setting: str) -> str:
    """The settings reference's section of a Django setting that holds a secret, or ``""``."""
    anchor = DJANGO_SECRET_SETTINGS.get(setting)
    return f"https://docs.djangoproject.com/en/stable/ref/settings/#{anchor}" if anchor else ""


def setting_fix(a: Assignment) -> str:
    """Read *this* setting from the environment, and rotate the committed value."""
    setting, target = a.setting, visible(a.target)  # dict keys come from the source: escapes shown
    if a.target != setting:
        key = target.rsplit(".", 1)[-1]
        var = "_".join(p.upper() for p in target.split(".") if not p.isdigit() and p != "default")
        snippet = f'"{key}": os.environ["{var}"],   # in {setting}'
    else:
        snippet = f'{setting} = os.environ["{setting}"]'
    return (
        f"Read {target} from the environment (or a secret manager) and rotate the committed value"
        f" (it is in every clone of the repository):\n\n    {snippet}"
    )
