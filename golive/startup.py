"""Start-up of a golive command: the garbage collector's switch (see :func:`golive.cli.main`),
the project's interpreter (:func:`interpreter`) and the runtime probe's early start
(:func:`start_probe`, :func:`start_probe_early`).

:func:`golive.cli.main` turns the cyclic garbage collector off while a command imports
what it needs; the command calls :func:`modules_loaded` once it has. It lives here, not
in :mod:`golive.cli`, so that the commands do not import the CLI back.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from golive import processes

if TYPE_CHECKING:
    import subprocess
    import tempfile

#: The script the runtime probe's interpreter runs (it starts ``settings_loader.py``; see
#: :mod:`golive.collectors.runtime`).
PROBE_SCRIPT = Path(__file__).with_name("collectors") / "runtime" / "loader_main.py"


def modules_loaded() -> None:
    """Switch the cyclic garbage collector back on once a command has imported what it
    needs (see :func:`golive.cli.main`); what the imports made is frozen first, since
    module-level objects live until exit. Idempotent."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def interpreter(option: str | None, configured: str | None, project_dir: Path) -> str:
    """The project's interpreter: ``--python`` (``option``), else ``[tool.golive] python``
    (``configured``), else the one running golive (``sys.executable``).

    A relative path is made absolute the way its source means it: ``--python`` against the
    current directory, as every path on a command line is (so the README's ``--python
    .venv/bin/python`` names the ``.venv`` where the command is typed, wherever the
    project lies); the configured one against the project directory, which holds the
    configuration. A bare name with no directory (``python3``) is left for ``PATH`` to
    find. Symbolic links are not resolved: a virtual environment's ``bin/python`` is one,
    and its path is what makes it that environment. Whether the file exists is for the
    runtime collector to report.
    """
    value = option or configured
    if not value:
        return sys.executable
    path = Path(value).expanduser()
    if path.is_absolute() or os.sep not in value:
        return str(path) if path.is_absolute() else value
    base = Path.cwd() if option else project_dir
    return str(base / path)


def project_env(env: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment golive runs the project's code with: ``env`` (the audit's, see
    :class:`golive.context.AuditContext`) plus ``extra``, without ``PYTHONSTARTUP`` (read by
    an interactive interpreter only, never meant for the project's scripts)."""
    full = {**env, **(extra or {})}
    full.pop("PYTHONSTARTUP", None)
    return full


@dataclass(frozen=True)
class EarlyProbe:
    """A runtime probe started before the audit's context was resolved (:func:`start_probe`):
    how it was started (``argv``, ``cwd``, ``env``), the process (stdin and stdout are pipes,
    its prestart line already written), and its stderr file in ``tmp``."""

    argv: tuple[str, ...]
    cwd: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    stderr: Path
    tmp: tempfile.TemporaryDirectory[str]


_lock = threading.Lock()
_early: EarlyProbe | None = None


def start_probe(python: str, django_dir: Path, env: Mapping[str, str], settings_module: str) -> None:
    """Start the runtime probe's interpreter now, as the runtime collector will run it
    (:func:`golive.collectors.runtime.run_in_project`): ``python loader_main.py`` in
    ``django_dir``, with ``env`` plus ``DJANGO_SETTINGS_MODULE`` (:func:`project_env`), in a
    process group of its own (:func:`golive.processes.start`). It imports Django's settings-free
    modules (``settings_loader.EARLY_IMPORTS``) and waits for its request, which the
    collector sends once the audit is resolved and launched (:func:`take_probe`); the
    project's code runs only then.

    :func:`golive.context.resolve` calls it as soon as those four are known (``on_known``),
    so that Django's import (about 0.1 s of CPU) overlaps golive's own start-up. They are the
    very interpreter, folder and environment the collector would start with, so the project's
    ``sitecustomize`` and ``.pth`` files run as they would then; the collector uses this
    process only when all four are still the same (:func:`take_probe`). Nothing is started
    for an interpreter path that does not exist or cannot be run: the collector reports
    that. A probe started earlier with these very four is kept; one started otherwise, and
    not taken, is discarded (:func:`discard_probe`)."""
    import json
    import subprocess
    import tempfile

    global _early
    argv = (python, str(PROBE_SCRIPT))
    full_env = project_env(env, {"DJANGO_SETTINGS_MODULE": settings_module})
    with _lock:
        if _early is not None and (_early.argv, _early.cwd, _early.env) == (argv, django_dir, full_env):
            return  # started so already (start_probe_early guessed right)
    discard_probe()
    if os.sep in python and not Path(python).exists():
        return
    tmp = tempfile.TemporaryDirectory(prefix="golive-run-")
    stderr = Path(tmp.name) / "stderr"
    try:
        with stderr.open("wb") as stderr_file:
            proc = processes.start(
                argv,
                cwd=django_dir,
                env=full_env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr_file,
            )
    except OSError:
        tmp.cleanup()
        return
    header = {"prestart": True, "project_dir": str(django_dir), "done_on_stdout": True}
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(header).encode() + b"\n")  # a pipe holds 64 KiB: no wait
        proc.stdin.flush()
    except BrokenPipeError:  # it ended already: taken, it fails as a new start would
        pass
    with _lock:
        _early = EarlyProbe(argv, django_dir, full_env, proc, stderr, tmp)


def start_probe_early(
    project_dir: Path,
    *,
    settings: str | None,
    python: str | None,
    django_root: Path | None,
    env_file: Path | None,
) -> None:
    """Start the runtime probe (:func:`start_probe`) from the command line alone, right
    after Click has parsed it, before golive imports what resolving the context needs
    (about 25 ms of CPU: the configuration, the model, the discovery of the settings): when
    ``--settings`` is given and the configuration names neither the interpreter, the env
    file nor the Django root unless the command line does, these are what
    :func:`golive.context.resolve` will find: ``--python`` or this interpreter
    (:func:`interpreter`), ``--django-root`` or the project directory when ``manage.py`` is
    in it (rule 3 of :mod:`golive.django_root`), golive's environment plus ``--env-file``.
    Otherwise, or when anything cannot be read, it starts nothing: ``resolve`` starts the
    probe once it knows them (its ``on_known``), and does so again should this guess differ
    from what it found (:func:`start_probe` keeps a probe started with the very same four)."""
    project = project_dir.expanduser().resolve()
    table = _configured(project)
    if not settings or table is None:
        return
    named = {"python": python, "env_file": env_file, "django_root": django_root}
    if any(key in table and given is None for key, given in named.items()):
        return  # the configuration names it: resolve reads it
    if django_root is not None:
        root = (Path.cwd() / django_root.expanduser()).resolve()
    elif (project / "manage.py").is_file():
        root = project
    else:
        return
    env = dict(os.environ)
    if env_file is not None:
        try:
            from dotenv import dotenv_values

            env.update({k: v for k, v in dotenv_values(env_file, interpolate=False).items() if v is not None})
        except (OSError, UnicodeDecodeError):
            return
    start_probe(interpreter(python, None, project), root, env, settings)


def _configured(project: Path) -> dict[str, object] | None:
    """The ``[tool.golive]`` table :func:`golive.config.load_config` reads (``{}``: none),
    unvalidated; None when a file cannot be read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    for name in ("pyproject.toml", "golive.toml"):
        path = project / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            table = data.get("tool", {}).get("golive")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
            return None
        if table is None and name == "golive.toml":
            table = data
        if table is not None:
            return table if isinstance(table, dict) else None
    return {}


def take_probe(argv: list[str], cwd: Path, env: Mapping[str, str]) -> EarlyProbe | None:
    """The probe :func:`start_probe` started, when it was started with this ``argv``, ``cwd``
    and ``env`` (the caller now owns it: it writes the request, waits, finishes the process
    and cleans ``tmp`` up), else None and that probe is discarded (:func:`discard_probe`)."""
    global _early
    with _lock:
        early, _early = _early, None
    if early is None:
        return None
    if (early.argv, early.cwd, early.env) == (tuple(argv), cwd, dict(env)):
        return early
    _discard(early)
    return None


def discard_probe() -> None:
    """Kill the process group of a probe :func:`start_probe` started and nobody took (an
    audit that stopped on a usage error, or ran without its runtime collector); no-op
    otherwise."""
    global _early
    with _lock:
        early, _early = _early, None
    if early is not None:
        _discard(early)


def _discard(early: EarlyProbe) -> None:
    for pipe in (early.proc.stdin, early.proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):  # a write left in the buffer: the probe is gone
                pipe.close()
    processes.finish(early.proc)
    early.tmp.cleanup()
