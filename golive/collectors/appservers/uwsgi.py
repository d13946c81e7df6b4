"""uWSGI: its configuration read as uWSGI reads it, without running it (its hooks execute).

No maintained library reads uWSGI's formats (:mod:`configparser` refuses or merges the
repeated keys uWSGI allows), so this is a small reader of its own, following uWSGI's
documentation ("Configuring uWSGI", https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html;
"Configuration logic", https://uwsgi-docs.readthedocs.io/en/latest/ConfigLogic.html) and
its ini parser (``core/ini.c``):

* **ini**: the ``[uwsgi]`` section (or ``file.ini:section``); a line whose first character
  is ``;`` or ``#`` is a comment (there are no inline comments); ``key = value`` splits at
  the first ``=`` and strips blanks; a key without ``=`` has the empty value (a flag that is
  on); every occurrence of a key is kept, in order. **YAML** (``uwsgi:`` mapping, a list for a
  repeated key) and **JSON** (``{"uwsgi": {...}}``) alike; XML is reported as not read.
* **command line**: ``--key value``, ``--key=value``, uWSGI's short options (``-s``,
  ``-p``, ``-M``...), flags without a value; a positional ``*.ini``/``*.yaml``/``*.json``
  file is loaded as ``--ini`` etc. would; ``UWSGI_<KEY>`` environment variables are options
  too (upper case, dashes as underscores), applied before the command line and files, which
  override them.
* ``ini = file`` (and ``--ini``, ``yaml``, ``json``, ``include``) loads that file where it
  stands; a file that is not in the repository is reported, not guessed.
* **magic variables** are replaced in a file's text as it is read: ``%n`` (file name without
  extension), ``%s`` (file name), ``%e`` (extension), ``%x`` (section), ``%%``; those that
  depend on the server (``%d``, ``%p``, ``%c``, ``%v``, ``%h``, ``%u``...) are kept and make
  the option's value *unresolved*; ``%d`` still locates included files; ``%k`` (the server's
  cores) is taken as this machine's, with a note saying so.
* after loading, ``$(VAR)`` takes the environment golive knows (the command's declared
  environment and the audit's), ``%(name)`` the first value of option or placeholder
  ``name`` (``set-placeholder``/``set-ph`` too), with uWSGI's ``%(a b + 2)`` arithmetic;
  ``@(...)`` (a file's content, ``exec://`` a program's output) is never read or run.
* ``for``/``endfor`` repeats the lines between with ``%(_)``; ``if-env``/``if-not-env``
  and ``if-opt`` are decided when golive knows the answer; ``if-exists``, ``if-file``,
  ``if-dir`` depend on the server: their options are kept, marked conditional.

Option names are folded to canonical ones
(:data:`golive.collectors.appservers.uwsgi_formats.ALIASES`). ``$(VAR)`` of a secret-named
variable or a secret value of the environment, and ``%(name)`` of a secret-named option or
placeholder, are filled in as ``***`` (:func:`golive.redact.fill_in`); values are redacted
(:func:`golive.redact.redact_text`) once every expansion is done.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from golive.collectors.appservers.uwsgi_formats import (
    FLAGS,
    canonical,
    ini_entries,
    json_entries,
    magic,
    yaml_entries,
)
from golive.facts.appservers import OPTIONAL, UwsgiInstance, UwsgiOption
from golive.facts.secrets import holds_secret
from golive.model import Location
from golive.redact import PLACEHOLDER, fill_in, redact_text, secret_values

LOADERS = {"ini": "ini", "yaml": "yaml", "json": "json", "include": None, "xml": "xml"}
ENV_RE = re.compile(r"\$\(([^)]*)\)")
PH_RE = re.compile(r"%\(([^)]*)\)")
AT_RE = re.compile(r"@\(([^)]*)\)")
MAX_FILES = 20


class _Raw(Struct):
    key: str
    value: str
    written: str
    location: Location | None
    unresolved: list[str] = field(default_factory=list)
    conditional: bool = False
    condition: str = ""
    note: str = ""


class _State(Struct):
    project_dir: Path
    env: Mapping[str, str]
    cmd: Any = None  # the ProcessCommand running uwsgi: its working directory locates files
    options: list[_Raw] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    block: list[tuple[str, str]] = field(default_factory=list)  # (kind, argument) of open for/if


def load_file(
    written: str, kind: str | None, state: _State, near: Path | None, where: Location | None
) -> None:
    """Load a configuration file named ``written`` (``file[:section]``) into ``state``."""
    from golive.collectors.appservers.commands import map_file

    name, _, section = (
        written.partition(":") if not written.startswith(("http://", "https://")) else (written, "", "")
    )
    if "://" in written or written == "-" or written.startswith(("exec", "fd:")):
        state.unread.append(f"{written} ({where}): a remote or generated configuration, not read")
        return
    kind = kind or {".ini": "ini", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xml": "xml"}.get(
        Path(name).suffix, "ini"
    )
    path: Path | None = (
        (near / name) if near is not None and not name.startswith("/") and (near / name).is_file() else None
    )
    if path is None:
        path, _note = map_file(name, state.cmd, state.project_dir)
    if path is None:
        state.unread.append(f"{written} ({where}): not in the repository, not read")
        return
    shown = _shown(path, state.project_dir)
    if len(state.files) >= MAX_FILES or shown in state.files:
        return
    state.files.append(shown)
    if kind == "xml":
        state.unread.append(f"{shown}: uWSGI XML configurations are not read yet")
        return
    try:
        text = path.read_bytes().decode("utf-8")
        section = section or "uwsgi"
        text, magic_left = magic(text, path, section)
        reader = {"ini": ini_entries, "yaml": yaml_entries, "json": json_entries}[kind]
        entries = list(reader(text, section))
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        state.unread.append(f"{shown}: cannot be read ({type(exc).__name__})")
        return
    except Exception as exc:  # yaml's errors
        state.unread.append(f"{shown}: cannot be read ({type(exc).__name__})")
        return
    for key, value, line in entries:
        left = [m for m in magic_left if m in value]
        add(state, key, value, key, Location(path=shown, line=line), left, path.parent)
        if "%k" in value and state.options and state.options[-1].value == value:
            _cores(state.options[-1])


def _cores(option: _Raw) -> None:
    """``%k`` is the number of CPU cores uWSGI detects on the server: taken as this machine's,
    said in a note (gunicorn's ``multiprocessing.cpu_count()`` in a config file is read alike)."""
    cores = os.cpu_count() or 1
    option.value = option.value.replace("%k", str(cores))
    option.unresolved = [u for u in option.unresolved if u != "%k"]
    option.note = f"%k: {cores} cores on this machine, the server's may differ"


def add(
    state: _State,
    key: str,
    value: str,
    written: str,
    where: Location | None,
    left: list[str],
    near: Path | None,
) -> None:
    """Apply one option as uWSGI's ``add_exported_option`` does: configuration logic first,
    then file loaders at once (they are "immediate"), else record it."""
    name = canonical(key)
    if name in ("endfor", "end-for", "endif", "end-if", "end"):
        if state.block:
            state.block.pop()
        return
    if name == "for" or name.startswith(("if-", "for-")):
        state.block.append((name, value))
        return
    undecided = [
        f"{kind} = {arg}"
        for kind, arg in state.block
        if kind.startswith("if-") and _decided(kind, arg, state) is None
    ]
    conditional = bool(undecided)
    if any(kind.startswith("if-") and _decided(kind, arg, state) is False for kind, arg in state.block):
        return
    loops = [arg.split() for kind, arg in state.block if kind == "for"]
    values = [value.replace("%(_)", item) for item in loops[-1]] if loops else [value]
    if not loops and state.block and "%(_)" in value:  # an if-*'s context value (ConfigLogic.html)
        kind, arg = state.block[-1]
        context = state.env.get(arg, "$(" + arg + ")") if kind in ("if-env", "if-not-env") else arg
        values = [value.replace("%(_)", context)]
    for item in values:
        if name in LOADERS:
            target = item.replace("%d", f"{near}/") if near is not None else item
            before = len(state.unread)
            load_file(target, LOADERS[name], state, near, where)
            if conditional and len(state.unread) > before:  # if-file = x / ini = %(_): x may not exist
                state.unread[-1] += f" {OPTIONAL}"
            continue
        state.options.append(
            _Raw(
                key=name,
                value=item,
                written=written,
                location=where,
                unresolved=list(left),
                conditional=conditional,
                condition="; ".join(undecided),
            )
        )


def _decided(kind: str, arg: str, state: _State) -> bool | None:
    """True/False when golive knows the outcome of an ``if-*`` block, None when the server decides."""
    if kind in ("if-env", "if-not-env"):
        known = arg in state.env
        if not known:
            return None
        present = bool(state.env[arg])
        return present if kind == "if-env" else not present
    if kind in ("if-opt", "if-not-opt"):
        name, _, wanted = arg.partition("=")
        found = [o for o in state.options if o.key == canonical(name)]
        hit = bool(found) and (not wanted or found[0].value == wanted)
        return hit if kind == "if-opt" else not hit
    return None


def command_options(argv: Sequence[str], state: _State, where: Location) -> None:
    """Apply a ``uwsgi`` command line's options (``--key value``, ``--key=value``, short
    options, flags, positional configuration files) in order."""
    i = 0
    while i < len(argv):
        token = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if token.startswith("--") and len(token) > 2:
            key, eq, value = token[2:].partition("=")
            if not eq:
                if canonical(key) in FLAGS or nxt is None or nxt.startswith("-"):
                    value = ""
                else:
                    value, i = nxt, i + 1
        elif token.startswith("-") and len(token) >= 2:
            key, value = token[1], token[2:]
            if not value and canonical(key) not in FLAGS and nxt is not None and not nxt.startswith("-"):
                value, i = nxt, i + 1
        else:
            if token.endswith((".ini", ".yaml", ".yml", ".json", ".xml")) or ".ini:" in token:
                load_file(token, None, state, None, where)
            i += 1
            continue
        add(state, key, value, token.split("=", 1)[0], where, [], None)
        i += 1


def env_options(env: Mapping[str, str], state: _State, where: Location | None) -> None:
    """``UWSGI_<KEY>`` variables as options (uWSGI's "Environment variables" section)."""
    for name, value in env.items():
        if name.startswith("UWSGI_") and len(name) > 6 and name != "UWSGI_ORIGINAL_PROC_NAME":
            key = name[6:].lower().replace("_", "-")
            add(state, key, value, name, where, [], None)


#: Longest value ``%(name)`` expansion builds: placeholders naming placeholders many times
#: each (``a1 = %(a0)%(a0)...``) grow geometrically; past this the rest is left as written
#: and the option marked unresolved, which checks read as unknown.
MAX_VALUE = 64 * 1024


def _expand(state: _State) -> None:
    """The passes uWSGI makes once everything is loaded: ``$(VAR)``, then ``%(name)`` (up to
    :data:`MAX_VALUE` characters), then ``@(...)`` (never read: left unresolved)."""
    first: dict[str, str] = {}
    for option in state.options:
        if option.key == "set-placeholder" and "=" in option.value:
            name, _, value = option.value.partition("=")
            first.setdefault(name, value)
        first.setdefault(option.key, option.value)
    known = secret_values(state.env)
    for option in state.options:

        def env(match: re.Match[str], o: _Raw = option) -> str:
            if match.group(1) in state.env:
                return fill_in(match.group(1), state.env[match.group(1)], known)
            o.unresolved.append(match.group(0))
            return match.group(0)

        option.value = ENV_RE.sub(env, option.value)
    for option in state.options:
        produced = 0

        def placeholder(match: re.Match[str], o: _Raw = option) -> str:
            nonlocal produced
            if produced > MAX_VALUE:  # placeholders that multiply: the rest stays as written
                return match.group(0)
            value = _placeholder(match, first, o)
            produced += len(value)
            return value

        for _ in range(5):  # a placeholder may name another
            produced = 0
            new = PH_RE.sub(placeholder, option.value)
            if new == option.value:
                break
            option.value = new
            if produced > MAX_VALUE:
                option.unresolved.append(f"%(...) beyond {MAX_VALUE // 1024} KiB")
                break
        option.unresolved += [m.group(0) for m in AT_RE.finditer(option.value)]


def _placeholder(match: re.Match[str], first: Mapping[str, str], option: _Raw) -> str:
    """``%(name)``, or uWSGI's pipeline ``%(a b + 2)`` (concatenation and integer + - * /)."""
    words = match.group(1).split(" ")
    if len(words) == 1:
        value = _lookup(words[0], first)
        if value is None:
            option.unresolved.append(match.group(0))
            return match.group(0)
        return PLACEHOLDER if value and holds_secret(words[0].replace("-", "_")) else value
    current, op = "", ""
    for word in words:
        if word in ("+", "-", "*", "/"):
            op = word
            continue
        value = word if word.isdigit() else (_lookup(word, first) or "")
        if not op:
            current += value
            continue
        try:
            a, b = int(current or 0), int(value or 0)
        except ValueError:
            option.unresolved.append(match.group(0))
            return match.group(0)
        current = str({"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0}[op])
        op = ""
    return current


def _lookup(name: str, first: Mapping[str, str]) -> str | None:
    """A placeholder's value: the first value of the option or placeholder ``name``."""
    if name in first:
        return first[name]
    return first.get(canonical(name))


def _shown(path: Path, project_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


def _redacted(option: _Raw) -> UwsgiOption:
    value = (
        PLACEHOLDER
        if holds_secret(option.key.replace("-", "_")) and option.value
        else redact_text(option.value)
    )
    return UwsgiOption(
        name=option.key,
        value=value,
        written=option.written,
        location=option.location,
        unresolved=tuple(dict.fromkeys(option.unresolved)),
        conditional=option.conditional,
        condition=redact_text(option.condition),
        note=option.note,
    )


def read(
    *,
    project_dir: Path,
    env: Mapping[str, str],
    argv: Sequence[str] = (),
    file: Path | None = None,
    found: str,
    where: Location | None,
    command: str = "",
    uwsgi_env: bool = True,
    cmd: Any = None,
    container: bool = False,
) -> UwsgiInstance:
    """One uWSGI instance from a command line (``argv`` after ``uwsgi``, with the ``UWSGI_*``
    variables of ``env`` when ``uwsgi_env``) or from a configuration ``file`` alone."""
    state = _State(project_dir=project_dir, env=env, cmd=cmd)
    if uwsgi_env:
        env_options(env, state, where)
    if file is not None:
        load_file(str(file), None, state, None, where)
    command_options(argv, state, where or Location(path="?"))
    _expand(state)
    return UwsgiInstance(
        found=found,
        location=where,
        command=redact_text(command),
        files=tuple(state.files),
        options=tuple(_redacted(o) for o in state.options),
        unread=tuple(state.unread),
        container=container,
    )
