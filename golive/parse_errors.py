"""One line about a file golive could not parse, without the file's text.

Parsers quote what they choke on: PyYAML prints the offending line under its mark,
configparser's ``ParsingError`` lists ``[line 3]: '...'``, a ``SyntaxError`` carries the
line's text. A collector's notes are shown in every report and stored in the history, and
the quoted line may hold a secret (DESIGN.md, "Conventions": golive never prints, logs or
stores a secret). :func:`describe` keeps the exception type, the problem the parser names
and where (line and column), never the raw message, and passes what it keeps through
:func:`golive.redact.redact_text`.
"""

from __future__ import annotations

import json
import sys

from golive.redact import redact_text

#: Longest problem text kept.
MAX_PROBLEM = 160


def _where(line: int | None, column: int | None = None) -> str:
    if line is None:
        return ""
    return f" at line {line}" + (f", column {column}" if column is not None else "")


def _yaml(exc: BaseException) -> str | None:
    """(problem, place) of a PyYAML error, or None when ``exc`` is not one."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return None
    if not isinstance(exc, yaml.YAMLError):
        return None
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        where = _where(mark.line + 1, mark.column + 1) if mark is not None else ""
        return f"{problem}{where}"
    return "invalid YAML"


def _ini(exc: BaseException) -> str | None:
    """(problem, place) of a configparser error, or None when ``exc`` is not one. An error
    of configparser exists only once it is imported: a project without systemd units or
    supervisord files never loads it (issue 15), so it is looked up, not imported."""
    configparser = sys.modules.get("configparser")
    if configparser is None or not isinstance(exc, configparser.Error):
        return None
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return f"no [section] header{_where(exc.lineno)}"
    if isinstance(exc, configparser.ParsingError):
        lines = ", ".join(str(number) for number, _ in exc.errors[:5])
        return f"lines that are not 'key = value' (line {lines})" if lines else "cannot parse"
    if isinstance(exc, (configparser.DuplicateSectionError, configparser.DuplicateOptionError)):
        return f"a repeated section or option{_where(exc.lineno)}"
    return None


def _parts(exc: BaseException) -> str:
    """The problem and place of ``exc``, by kind (see the module docstring)."""
    said = _yaml(exc)
    if said is None:
        said = _ini(exc)
    if said is not None:
        return said
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg}{_where(exc.lineno, exc.colno)}"
    if isinstance(exc, SyntaxError):
        return f"{exc.msg}{_where(exc.lineno, exc.offset)}"
    if isinstance(exc, UnicodeDecodeError):
        return str(exc)  # the encoding, one byte's value, its position and the reason
    if type(exc).__name__ == "TOMLDecodeError":
        msg = getattr(exc, "msg", None)
        line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        if isinstance(msg, str):
            return f"{msg}{_where(line, column)}"
        # Python < 3.14: the message is the problem and "(at line L, column C)", no text
        return str(exc).splitlines()[0] if str(exc) else "invalid TOML"
    if isinstance(exc, OSError):
        return exc.strerror or "cannot read it"
    msg, line = getattr(exc, "msg", None), getattr(exc, "lineno", None)
    if isinstance(msg, str) and isinstance(line, int):  # pyparsing (gixy-ng), crossplane
        column = getattr(exc, "col", None)
        return f"{msg}{_where(line, column if isinstance(column, int) else None)}"
    return ""


def describe(exc: BaseException) -> str:
    """``"ScannerError: found unexpected end of stream at line 3, column 1"``: the exception's
    type, the problem and the place for the parsers golive uses (PyYAML, configparser,
    tomllib, json, ``compile``), a decoding error's reason and position, an ``OSError``'s
    strerror; the type alone for any other exception. Redacted, one line, bounded."""
    problem = " ".join(_parts(exc).split())[:MAX_PROBLEM]
    name = type(exc).__name__
    return f"{name}: {redact_text(problem)}" if problem else name
