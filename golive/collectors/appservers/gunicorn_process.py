"""gunicorn's configuration loader (:mod:`golive.collectors.appservers.gunicorn_loader`) as a
process, from golive's side: started early, then given its batch, then read.

:mod:`golive.collectors.appservers.gunicorn` starts the loader (:class:`LoaderProcess`) as
soon as the collector starts, before it knows what to load: the interpreter starts and
imports gunicorn while the collector reads the project's process commands. The batch is
then written to a file and the loader told to go on (one line on its standard input); the
loader runs with the project directory as working directory, the audit's environment
(without ``PYTHONSTARTUP``), stdout discarded and stderr in a file, in a process group of
its own (:func:`golive.processes.start`), killed with whatever it left running once done,
as :func:`golive.collectors.runtime.run_in_project` runs project code. Started the moment
the results are asked for, the loader would run the same: the early start only moves
start-up off the collector's critical path (issue 15).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from golive import processes
from golive.collectors import CollectorError
from golive.collectors.appservers.gunicorn_cache import Entry, LoaderCache
from golive.collectors.deployment_files import display_path
from golive.context import AuditContext
from golive.discovery import read_python
from golive.redact import env_secrets, redact_text, scrub

LOADER = Path(__file__).with_name("gunicorn_loader.py")
#: Seconds a gunicorn configuration may take to load (capped by ``--timeout``), counted from
#: the moment the loader is given its batch.
LOAD_TIMEOUT = 20.0


def config_lines(path: Path) -> dict[str, int]:
    """Setting name → line of its last assignment in a gunicorn config file (``ast``)."""
    try:
        tree = ast.parse(read_python(path))
    except (OSError, SyntaxError, ValueError):
        return {}
    lines: dict[str, int] = {}
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                lines[target.id.lower()] = max(lines.get(target.id.lower(), 0), target.lineno)
    return lines


class LoaderProcess:
    """One run of the loader under ``python``, started at construction; :meth:`load` gives
    it its requests and waits for the results, :meth:`cancel` stops it unused. Either must
    be called once (each removes the loader's temporary folder).

    An interpreter that cannot be started is not an error until :meth:`load`, where it is
    the :class:`CollectorError` ``cannot run PYTHON: REASON: pass --python``.
    """

    def __init__(self, python: str, ctx: AuditContext) -> None:
        self.python = python
        self.ctx = ctx
        self._tmp = tempfile.TemporaryDirectory(prefix="golive-gunicorn-")
        folder = Path(self._tmp.name)
        self.batch, self.output, self.stderr = folder / "batch.json", folder / "out.jsonl", folder / "stderr"
        #: What the answers depended on (:mod:`.gunicorn_loader`'s record), once :meth:`load` returned.
        self.record: dict[str, Any] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.failed = ""
        self.used = False
        env = dict(ctx.env)
        env.pop("PYTHONSTARTUP", None)
        try:
            with self.stderr.open("wb") as stderr:
                self.proc = processes.start(
                    [python, "-I", str(LOADER), str(self.batch)],
                    cwd=ctx.project_dir,
                    env=env,
                    stdin=subprocess.PIPE,
                    stderr=stderr,
                )
        except OSError as exc:
            self.failed = f"cannot run {python}: {exc.strerror}: pass --python"

    def cancel(self) -> None:
        """Stop the loader unless :meth:`load` was called (nothing to load, or the collector
        failed before) and remove its folder."""
        if self.used:
            return
        self.used = True
        if self.proc is not None:
            processes.finish(self.proc)
            self._close_stdin()
        self._tmp.cleanup()

    def _close_stdin(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        with contextlib.suppress(OSError):  # it exited before reading its line
            self.proc.stdin.close()

    def _results(self) -> list[dict[str, Any]]:
        text = self.output.read_text(encoding="utf-8") if self.output.is_file() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def load(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Load ``requests`` (each has a ``what``: how to name it in a message): one result
        per request, as the loader wrote them. :class:`CollectorError` naming the
        configuration that hangs past the timeout, or when the loader dies.
        """
        self.used = True
        try:
            return self._load(requests)
        finally:
            self._tmp.cleanup()

    def _load(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.proc is None:
            raise CollectorError(self.failed)
        timeout = min(self.ctx.timeout, LOAD_TIMEOUT)
        record = self.output.with_name("record.json")
        batch = {
            "project_dir": str(self.ctx.project_dir),
            "output": str(self.output),
            "record": str(record),
            "requests": requests,
        }
        self.batch.write_text(json.dumps(batch), encoding="utf-8")
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):  # it died before reading it: its stderr says why
            self.proc.stdin.write(b"go\n")  # one short line: never more than the pipe holds
        self._close_stdin()
        try:
            processes.wait(self.proc, timeout)
        except subprocess.TimeoutExpired:
            processes.finish(self.proc)
            done = self._results()
            what = requests[min(len(done), len(requests) - 1)]["what"]
            raise CollectorError(
                f"{what}: gunicorn's configuration did not load within {timeout:g} s (the config file"
                " hangs): fix it or raise --timeout"
            ) from None
        code = processes.finish(self.proc)
        found = self._results()
        if not found or (len(found) < len(requests) and found[-1].get("status") != "no-gunicorn"):
            with self.stderr.open("rb") as fh:
                fh.seek(max(0, self.stderr.stat().st_size - processes.STDERR_MAX))
                stderr = fh.read()
            last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            what = requests[min(len(found), len(requests) - 1)]["what"]
            line = redact_text(scrub(last[0], env_secrets(self.ctx.env)))[:200]
            raise CollectorError(f"{what}: gunicorn's config loader died (exit {code}): {line}")
        with contextlib.suppress(OSError, ValueError):
            self.record = json.loads(record.read_text(encoding="utf-8"))
        return found


def load_all(
    requests: list[dict[str, Any]],
    ctx: AuditContext,
    started: LoaderProcess | None = None,
    cache: LoaderCache | None = None,
    kept: Entry | None = None,
) -> list[dict[str, Any]]:
    """Load every configuration (project's interpreter, else golive's); :class:`CollectorError`
    for the first one gunicorn cannot load, with file, line and gunicorn's message.
    ``started`` is a loader already started under ``ctx.python`` (else one is started now);
    ``kept``, the answers ``cache`` kept for this project (:mod:`.gunicorn_cache`), used when
    they are for these ``requests``; new answers are kept in ``cache``.
    """
    if not requests:
        if started is not None:
            started.cancel()
        return []
    results = cache.answers(kept, requests) if cache is not None else None
    if results is not None:
        return _checked(requests, results, ctx)
    loader = started or LoaderProcess(ctx.python, ctx)
    results = loader.load(requests)
    if cache is not None and loader.record:
        cache.store(requests, results, loader.record)
    if results[-1].get("status") == "no-gunicorn" and os.path.realpath(ctx.python) != os.path.realpath(
        sys.executable
    ):
        results = LoaderProcess(sys.executable, ctx).load(requests)
    return _checked(requests, results, ctx)


def _checked(
    requests: list[dict[str, Any]], results: list[dict[str, Any]], ctx: AuditContext
) -> list[dict[str, Any]]:
    """``results``, or the :class:`CollectorError` of the first configuration that did not load."""
    if results[-1].get("status") == "no-gunicorn":
        raise CollectorError(f"gunicorn is not installed under {ctx.python}: pip install gunicorn")
    for request, result in zip(requests, results, strict=True):
        if result.get("status") == "ok":
            continue
        invalid = re.match(r"Invalid value for (\w+):", str(result.get("message", "")))
        if invalid and result.get("file") and not result.get("line"):
            result["line"] = config_lines(Path(result["file"])).get(invalid.group(1))
        where = request["what"]
        if result.get("file"):
            where = display_path(Path(result["file"]), ctx.project_dir)
            where += f":{result['line']}" if result.get("line") else ""
        # scrubbed of the environment's values, and redacted: it may quote a literal of the file
        message = redact_text(scrub(str(result.get("message")), env_secrets(ctx.env)))
        raise CollectorError(f"{where}: {message} (gunicorn cannot load this configuration)")
    return results
