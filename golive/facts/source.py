"""The source facts: every settings assignment the source collector read with Python's ``ast``
(literal, environment lookup, where), the settings modules, Sentry's init calls and the entry
points' chains, as :mod:`golive.collectors.source` gathered them (secret values never kept).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from msgspec import Struct, field

from golive.discovery import EntryDefault
from golive.facts.secrets import SecretInfo
from golive.model import Confidence, Location
from golive.registry import FactsBase


class Assignment(Struct, frozen=True, kw_only=True):
    """One assignment to a setting (or to a key inside one).

    ``target`` is dotted: ``SECRET_KEY``, ``DATABASES.default.PASSWORD``,
    ``TEMPLATES.0.OPTIONS.debug``. ``kind`` is ``literal``, ``env`` (an environment
    lookup; ``env_var``, ``has_default``, ``default``), ``file`` (read from a file) or
    ``expression``. Secret-named targets and credentials inside URLs never keep their
    value: ``value``/``default`` are None and ``secret`` describes it. ``conditional`` is
    True when the statement sits in an ``if``/``try`` block (or in a module star-imported
    from one): it may not run. ``every_branch`` is True when the ``if``/``try`` it sits in
    assigns the same setting on every branch (``if``/``else`` both assign; the ``try`` body
    and every handler assign or raise): then the construct replaces an earlier value for
    sure, though this one statement may not run. ``fallback`` names the setting an environment lookup falls
    back to when its variable is unset (``os.environ.get("X", SECRET_KEY)``,
    ``os.getenv("X") or SECRET_KEY``), ``""`` otherwise.
    """

    target: str
    module: str
    location: Location
    kind: str
    value: Any = None
    secret: SecretInfo | None = None
    env_var: str | None = None
    has_default: bool = False
    default: Any = None
    default_truthy: bool | None = None
    call: str = ""
    conditional: bool = False
    every_branch: bool = False
    fallback: str = ""
    #: What the secret's value says (:func:`golive.facts.secrets.evidence.judge`): ``confidence``
    #: None when it cannot be a secret (``"stats"``, ``"pkg.Strategy"``); ``placeholder`` why
    #: it is a placeholder or public by design (``""``: neither); ``why`` one line of evidence.
    confidence: Confidence | None = None
    placeholder: str = ""
    why: str = ""
    #: The random generator the value (or the environment lookup's default) calls at import
    #: (``get_random_secret_key``, ``secrets.token_urlsafe``, ``uuid4``...; ``""``: none):
    #: each process that runs it gets another value (:data:`RANDOM_GENERATORS`).
    generated: str = ""
    #: When ``generated``: how the settings persist the value to a file
    #: (:mod:`golive.collectors.key_files`): ``written`` (the module writes it to
    #: ``key_file``, through the project function ``key_writer`` when not ``""``),
    #: ``read-first`` (read from ``key_file`` first; generated only when that fails; then
    #: ``key_writer`` is the project file, relative to the project, whose code writes a
    #: generated value to a file of that name once, ``""`` when none does), ``""``.
    persisted: str = ""
    key_file: str = ""
    key_writer: str = ""
    #: When ``generated``: the expression the generator backs up, as written, when it is
    #: neither an environment lookup nor a literal (``CONFIG.SECRET_KEY`` in
    #: ``CONFIG.SECRET_KEY or get_random_string(50)``): the generator runs only when that
    #: value is empty, which golive does not follow; ``""`` otherwise.
    generated_unless: str = ""

    @property
    def setting(self) -> str:
        """The top-level setting name (``DATABASES`` for ``DATABASES.default.PASSWORD``)."""
        return self.target.split(".", 1)[0]


class ModuleSource(Struct, frozen=True, kw_only=True):
    """A module of the settings chain: dotted name and path relative to the project."""

    module: str
    path: str
    error: str = ""


class SentryInit(Struct, frozen=True, kw_only=True):
    """A ``sentry_sdk.init(...)`` call; ``dsn`` is ``env``, ``literal``, ``missing`` or ``expression``;
    ``guard`` the test of the ``if`` it runs under (``SENTRY_ENABLED``; ``""``: none)."""

    location: Location
    dsn: str
    guard: str = ""


class EntryChain(Struct, frozen=True, kw_only=True):
    """An entry point's DJANGO_SETTINGS_MODULE default and the SECRET_KEY assignments of the
    chain that module runs (in execution order; ``found`` False when the module has no
    readable file under the Django root). ``entry.path`` is relative to the project."""

    entry: EntryDefault
    keys: tuple[Assignment, ...]
    found: bool = True


class HostCheck(Struct, frozen=True, kw_only=True):
    """A ``raise DisallowedHost`` in the project's code: the dotted ``module`` it is in, the
    top-level class (``owner``, ``""``: none) and where (:mod:`golive.collectors.host_checks`)."""

    module: str
    location: Location
    owner: str = ""

    def serves(self, middleware: str) -> bool:
        """True when the MIDDLEWARE entry ``middleware`` (``pkg.mod.Class``) is this code: the
        class of this module, or of a submodule of the package the entry names (a package
        that re-exports its middleware classes)."""
        module, _, name = middleware.rpartition(".")
        if module == self.module:
            return True
        return bool(self.owner) and name == self.owner and self.module.startswith(module + ".")


class DeployedModule(Struct, frozen=True, kw_only=True):
    """A production (or unknown) deployment file that sets DJANGO_SETTINGS_MODULE to
    ``module`` at ``location`` (relative to the repository): uWSGI's ``env =``, a Dockerfile
    ``ENV``, a compose ``environment:``, a systemd ``Environment=``, a Procfile or start
    script (:mod:`golive.deployed_settings`)."""

    module: str
    location: Location


class SourceFacts(FactsBase, frozen=True, kw_only=True, dict=True):
    """The settings source of the audited module and of the project's other settings modules."""

    collector: ClassVar[str] = "source"
    settings_module: str
    modules: tuple[ModuleSource, ...]
    assignments: tuple[Assignment, ...]
    other_modules: dict[str, tuple[Assignment, ...]] = field(default_factory=dict)
    sentry_inits: tuple[SentryInit, ...] = ()
    entry_defaults: tuple[EntryChain, ...] = ()
    #: Where the project's code uses Django's cache (``"path:line what"``,
    #: :func:`golive.collectors.cache_use.cache_uses`); ``()``: nowhere; None: not scanned.
    cache_uses: tuple[str, ...] | None = None
    #: Why the audited module looks like development settings, with no production module
    #: beside it (:mod:`golive.settings_role`); ``""``: it does not.
    settings_development: str = ""
    #: The deployment files that set DJANGO_SETTINGS_MODULE for the server, best first: the
    #: entry points' defaults are then used only by a server started some other way.
    deployed_modules: tuple[DeployedModule, ...] = ()
    #: Where the project's code raises DisallowedHost itself (its own Host validation, GL201);
    #: None: not scanned.
    host_checks: tuple[HostCheck, ...] | None = None

    def history(self, target: str) -> list[Assignment]:
        """Every assignment to ``target`` in the chain, in execution order."""
        return [a for a in self.assignments if a.target == target]

    @cached_property
    def effective(self) -> tuple[Assignment, ...]:
        """The assignments still in force once the chain has run, in execution order.

        A later assignment to the same target or to a parent of it shadows an earlier
        one: ``DATABASES = {...}`` in production.py drops ``DATABASES.default.PASSWORD``
        from base.py, unless the new dict literal assigns that key again.
        """
        later: set[str] = set()
        kept: list[Assignment] = []
        for a in reversed(self.assignments):
            parts = a.target.split(".")
            if not any(".".join(parts[:n]) in later for n in range(1, len(parts) + 1)):
                kept.append(a)
            later.add(a.target)
        return tuple(reversed(kept))

    def last(self, target: str) -> Assignment | None:
        """The assignment to ``target`` that wins (the last one executed), or None.

        None as well when a later assignment to a parent replaced it (see :attr:`effective`).
        """
        found = [a for a in self.effective if a.target == target]
        return found[-1] if found else None

    def location_of(self, setting: str) -> Location | None:
        """Where ``setting`` (or its nearest dotted parent) is last assigned, if anywhere."""
        parts = setting.split(".")
        while parts:
            hit = self.last(".".join(parts))
            if hit:
                return hit.location
            parts.pop()
        return None

    def under(self, prefix: str) -> list[Assignment]:
        """Assignments to ``prefix`` and every key inside it (``DATABASES`` → all of them)."""
        return [a for a in self.assignments if a.target == prefix or a.target.startswith(prefix + ".")]
