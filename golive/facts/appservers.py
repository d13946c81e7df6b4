"""Facts about application servers golive reads with its own readers: uWSGI.

A :class:`UwsgiInstance` is one uWSGI process group as its configuration says it runs: every
option in the order uWSGI applies them (``UWSGI_*`` environment variables, then the command
line and the files it loads, each ``--ini`` where it stands), placeholders and environment
references expanded where golive knows them, each with where it was set. Values are
redacted (:mod:`golive.redact`): ``env = SECRET_KEY=...`` keeps its name only.

Option names are canonical: uWSGI's aliases (``workers``/``p`` → ``processes``, ``s``/
``uwsgi-socket`` → ``socket``, ``chmod`` → ``chmod-socket``, ``python-autoreload`` →
``py-autoreload``...) are folded by the reader, as uWSGI's option table declares them
(https://uwsgi-docs.readthedocs.io/en/latest/Options.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from msgspec import Struct, field

from golive.facts.endpoints import Endpoint, listen_address
from golive.model import Location
from golive.registry import FactsBase

#: Said of a file an ``if-exists``/``if-file`` block loads that is not in the repository: it may
#: not exist on the server either (an optional override), so it leaves nothing unknown.
OPTIONAL = "(loaded only if it exists on the server)"
#: uWSGI's values that switch a flag off (uwsgi_opt_true: "false", "off", "no", "0").
FALSE_WORDS = frozenset({"false", "off", "no", "0"})
#: Options that bind a listener, and the protocol each speaks.
LISTENERS = {
    "http": "http",  # the HTTP router: a separate process in front of the workers
    "https": "https",
    "http-socket": "http-socket",  # the workers speak HTTP themselves
    "http11-socket": "http-socket",
    "https-socket": "http-socket",
    "socket": "uwsgi",
    "suwsgi-socket": "uwsgi",
    "ssl-socket": "uwsgi",
    "fastcgi-socket": "fastcgi",
    "scgi-socket": "scgi",
}


class UwsgiOption(Struct, frozen=True, kw_only=True):
    """One option as uWSGI applies it: canonical ``name``, ``value`` (expanded and redacted),
    ``written`` (the key as written, alias included), ``location`` (file and line, or the
    command), ``unresolved`` (placeholders or ``$(VAR)`` golive could not expand: the value
    is only known on the server), ``conditional`` (inside an ``if-exists``-style block whose
    outcome depends on the server) and ``condition`` (those blocks as written: ``if-env =
    REQUEST_TIMEOUT``), ``note`` (how a value was estimated: ``%k``)."""

    name: str
    value: str
    written: str
    location: Location | None
    unresolved: tuple[str, ...] = ()
    conditional: bool = False
    condition: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        """``"harakiri = 30 (deploy/uwsgi.ini:7)"``: for evidence (with its ``note``, if any)."""
        where = f" ({self.location})" if self.location else ""
        note = f" [{self.note}]" if self.note else ""
        return f"{self.written} = {self.value}{note}{where}"


class Listener(Struct, frozen=True, kw_only=True):
    """A socket uWSGI binds: its ``protocol`` (see :data:`LISTENERS`), the ``endpoint`` and the
    option that set it."""

    protocol: str
    endpoint: Endpoint
    option: UwsgiOption


class UwsgiInstance(Struct, frozen=True, kw_only=True):
    """One uWSGI instance: how golive found it (``found``), where (``location``: the command,
    else the file), the ``command`` text, the configuration ``files`` it reads (relative to
    the project), every option in order, and what could not be read (``unread``: a remote or
    missing ``--ini``, an ``@(exec://...)``); ``container`` is True when a Dockerfile or compose
    file starts it (its addresses are the container's)."""

    found: str
    location: Location | None
    command: str = ""
    files: tuple[str, ...] = ()
    options: tuple[UwsgiOption, ...] = ()
    unread: tuple[str, ...] = ()
    container: bool = False

    def values(self, name: str) -> list[UwsgiOption]:
        """Every occurrence of option ``name`` (canonical), in order."""
        return [o for o in self.options if o.name == name]

    def last(self, name: str) -> UwsgiOption | None:
        """The occurrence that is in force for a single-valued option: the last one."""
        found = self.values(name)
        return found[-1] if found else None

    def flag(self, name: str) -> bool:
        """Whether flag ``name`` (``master``, ``vacuum``...) is on: set, and not to
        false/off/no/0 (uWSGI's ``uwsgi_opt_true``)."""
        option = self.last(name)
        return option is not None and option.value.strip().lower() not in FALSE_WORDS

    def only_with_variables(self, name: str) -> str:
        """The ``if-env`` blocks (``if-env = REQUEST_TIMEOUT``) every setting of ``name`` sits in,
        when only they keep it from applying; ``""`` otherwise (set unconditionally, unset, or
        inside an ``if-exists``-style block the server decides). Without the variable the
        option is simply not set: a risky default, as a setting's insecure fallback is."""
        found = self.values(name)
        if not found or not all(o.conditional for o in found):
            return ""
        blocks = found[-1].condition.split("; ")
        return found[-1].condition if all(b.startswith("if-env = ") for b in blocks) else ""

    def number(self, name: str) -> int | None:
        """The integer value of ``name``, None when unset or not a literal number."""
        option = self.last(name)
        if option is None or option.unresolved:
            return None
        try:
            return int(option.value.strip())
        except ValueError:
            return None

    @property
    def listeners(self) -> list[Listener]:
        """Every socket it binds, with its protocol; ``socket`` speaks HTTP when ``protocol =
        http`` (or ``socket-protocol``) says so."""
        forced = self.last("protocol")
        out = []
        for option in self.options:
            protocol = LISTENERS.get(option.name)
            if protocol is None:
                continue
            if protocol == "uwsgi" and forced is not None and forced.value.strip() in ("http", "http11"):
                protocol = "http-socket"
            endpoint = (
                Endpoint(kind="unknown", text=option.value)
                if option.unresolved
                else listen_address(option.value.strip(), 80)
            )
            out.append(Listener(protocol=protocol, endpoint=endpoint, option=option))
        return out

    @property
    def label(self) -> str:
        """``uWSGI (deploy/uwsgi.ini)``."""
        return f"uWSGI ({self.location})" if self.location else "uWSGI"


class UwsgiFacts(FactsBase, frozen=True, kw_only=True):
    """Every uWSGI instance found (commands that run ``uwsgi``, configuration files), and the
    candidate files that could not be read (``unread``)."""

    collector: ClassVar[str] = "uwsgi"
    instances: tuple[UwsgiInstance, ...]
    unread: tuple[str, ...] = ()
    #: Each ``static-map`` folder (as written) that is the project's own source → why
    #: (``"the repository's ./ holds manage.py"``; :mod:`golive.collectors.appservers.uwsgi_served`).
    source_folders: Mapping[str, str] = field(default_factory=dict)

    @property
    def collector_details(self) -> Mapping[str, Any]:
        """What the report lists under this collector: each instance, its files, what was not read."""
        details: dict[str, Any] = {
            "instances": [
                {"found": i.found, "files": list(i.files), "unread": list(i.unread)} for i in self.instances
            ]
        }
        notes = [*self.unread, *(u for i in self.instances for u in i.unread)]
        if notes:  # every report format shows them with the collector
            details["notes"] = list(dict.fromkeys(notes))
        return details
