"""The table of the facts each check module needs (:data:`golive.checks.NEEDS`) against the
checks themselves, and :func:`golive.checks.registry_needing`, which imports only the modules
holding checks that need given facts (the nginx stage's benchmark; issue 15).
"""

from __future__ import annotations

import subprocess
import sys

from golive.checks import MODULES, NEEDS, modules_needing, registry, registry_needing
from golive.facts.gunicorn import GunicornFacts
from golive.facts.nginx import NginxFacts


def _owner(module: str) -> str:
    name = module.removeprefix("golive.checks.")
    return "live" if name.startswith("live.") else name


def test_the_table_names_exactly_the_facts_each_module_needs() -> None:
    found: dict[str, set[str]] = {name: set() for name, _ in MODULES}
    for spec in registry():
        found[_owner(spec.func.__module__)] |= {kind.__name__ for kind in spec.needs}
    assert {name: set(NEEDS[name].split()) for name, _ in MODULES} == found


def test_registry_needing_holds_every_check_needing_those_facts_and_no_other() -> None:
    kinds = (NginxFacts, GunicornFacts)
    wanted = {s.id for s in registry() if set(s.needs) & set(kinds)}
    got = {s.id for s in registry_needing(kinds)}
    assert got == wanted
    assert {"GL611", "GL701"} <= got  # gunicorn's and nginx's own checks
    assert not any(s.id.startswith("GL8") for s in registry_needing(kinds))


def test_registry_needing_imports_only_those_modules() -> None:
    code = (
        "import sys; from golive.checks import registry_needing; "
        "from golive.facts.nginx import NginxFacts; from golive.facts.gunicorn import GunicornFacts; "
        "registry_needing((NginxFacts, GunicornFacts)); "
        "print(' '.join(m for m in sys.modules if m.startswith('golive.checks.')))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    names = {m.removeprefix("golive.checks.") for m in loaded}
    assert {"gixy", "appserver_config", "webserver"} <= names
    assert not names & {"live", "secrets", "critical", "environment", "alerts", "host", "backups"}
    assert set(modules_needing(("NginxFacts",))) <= names
