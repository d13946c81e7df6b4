"""uWSGI's configuration formats as text: its option names, the ini, YAML and JSON entries of
a section, and the magic variables of a file (:mod:`golive.collectors.appservers.uwsgi`
applies them as uWSGI does; its docstring states the rules and their sources).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from golive import yamlread

#: uWSGI's aliases and short options → the canonical option (uWSGI's option table).
ALIASES = {
    "workers": "processes", "p": "processes",
    "s": "socket", "uwsgi-socket": "socket",
    "M": "master", "T": "enable-threads", "t": "harakiri", "R": "max-requests",
    "b": "buffer-size", "C": "chmod-socket", "chmod": "chmod-socket",
    "python-autoreload": "py-autoreload", "py-auto-reload": "py-autoreload",
    "w": "module", "wsgi": "module", "H": "home", "virtualenv": "home", "venv": "home", "pyhome": "home",
    "d": "daemonize", "set-ph": "set-placeholder", "S": "set", "L": "disable-logging",
    "l": "listen", "i": "single-interpreter", "z": "socket-timeout", "x": "xml", "xmlconfig": "xml",
    "j": "json", "y": "yaml", "yml": "yaml", "socket-protocol": "protocol",
}  # fmt: skip
#: Options that take no value on the command line (getopt's no_argument).
FLAGS = frozenset(
    {
        "master", "enable-threads", "vacuum", "die-on-term", "lazy-apps", "lazy", "single-interpreter",
        "thunder-lock", "need-app", "strict", "no-orphans", "harakiri-verbose", "log-master",
        "disable-logging", "memory-report", "auto-procname", "close-on-exec", "cheap",
    }
)  # fmt: skip
MAGIC_RE = re.compile(r"%([A-Za-z0-9%\[])")


def canonical(key: str) -> str:
    """The canonical name of a uWSGI option key (``workers`` → ``processes``)."""
    key = key.strip()
    return ALIASES.get(key, key)


def magic(text: str, path: Path, section: str) -> tuple[str, list[str]]:
    """``text`` with the file's magic variables replaced; the server-dependent ones kept."""
    left: list[str] = []
    table = {"n": path.stem, "s": path.name, "e": path.suffix.lstrip("."), "x": section, "%": "%"}

    def sub(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter in table:
            return table[letter]
        left.append(match.group(0))
        return match.group(0)

    return MAGIC_RE.sub(sub, text), left


def ini_entries(text: str, section: str = "uwsgi") -> Iterator[tuple[str, str, int]]:
    """``(key, value, line)`` of each option of ``section`` in ini ``text`` (see the module
    docstring for the rules, taken from uWSGI's ``core/ini.c``)."""
    current = ""
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        if not line or line[0] in ";#":
            continue
        if line[0] == "[":
            current = line[1:-1]
            continue
        if current != section:
            continue
        key, _, value = line.partition("=")
        yield key.strip(" \t\r"), value.strip(" \t\r"), lineno


def yaml_entries(text: str, section: str) -> Iterator[tuple[str, str, int | None]]:
    """``(key, value, line)`` of each option under the ``section`` mapping of YAML ``text``: a
    list is a repeated key, ``true`` a flag that is on."""
    import yaml

    root = yamlread.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return
    for key, node in root.value:
        if getattr(key, "value", None) != section or not isinstance(node, yaml.MappingNode):
            continue
        for k, v in node.value:
            values = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for item in values:
                if isinstance(item, yaml.ScalarNode):
                    value = (
                        ""
                        if item.value in ("true", "True") and item.tag.endswith("bool")
                        else str(item.value)
                    )
                    yield str(k.value), value, item.start_mark.line + 1


def json_entries(text: str, section: str) -> Iterator[tuple[str, str, int | None]]:
    """``(key, value, None)`` of each option of the ``section`` object of JSON ``text``: a list
    is a repeated key, ``true`` a flag that is on. Raises :class:`ValueError` for invalid JSON."""
    data = json.loads(text).get(section) or {}
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            yield str(key), "" if item is True else str(item), None
