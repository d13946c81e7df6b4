"""The runtime collector: the settings as Django really loads them.

It runs ``settings_loader.py`` (standard library and Django only; started by
``loader_main.py``, which loads it from its cached bytecode) with the project's own
interpreter in a subprocess: the Django root (the folder holding manage.py, see
:mod:`golive.django_root`) as working directory and first on ``sys.path``, the
environment of this process plus ``--env-file``, a timeout. The probe
calls ``django.setup()`` and ``run_checks(include_deployment_checks=True)`` and writes a
redacted JSON snapshot to a temporary file; secret values never leave the subprocess
(see the probe's docstring for the contract).

Modules: :mod:`.settings_loader`, the self-contained script run in the project's
interpreter (the "settings loader"; standard library and Django only, never imported by
golive's own process except for its pure helpers); :mod:`.loader_main`, the few lines
golive gives that interpreter to run it.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from golive import processes
from golive.collectors import CollectorError, CollectorSpec, ProbeFailed
from golive.context import AuditContext
from golive.facts.runtime import DjangoMessage, RuntimeFacts, secret_leaf
from golive.facts.secrets import SecretInfo

#: The script the probe's interpreter runs (it starts ``settings_loader.py``).
PROBE = Path(__file__).with_name("loader_main.py")
#: Bytes of a script's stderr kept for its error message (the end: where the error is).
STDERR_MAX = 64 * 1024


def _format_error(err: dict[str, Any]) -> str:
    where = ""
    if err.get("file"):
        where = f" ({err['file']}:{err['line']})" if err.get("line") else f" ({err['file']})"
    phase = {"import-django": "Django could not be imported", "setup": "django.setup() raised"}.get(
        err.get("phase", ""), "settings raised"
    )
    message = str(err.get("message", ""))
    if err.get("type") in ("SyntaxError", "IndentationError", "TabError") and err.get("line"):
        message = re.sub(r"\s*\([^()]*, line \d+\)$", "", message)  # the location follows anyway
    text = f"{phase} {err.get('type', 'Error')}: {message}{where}"
    hint = err.get("hint")
    return " ".join(f"{text}: {hint}".split()) if hint else " ".join(text.split())


def run_probe(ctx: AuditContext) -> dict[str, Any]:
    """Run the probe and return its JSON. Raises :class:`CollectorError` (one line).

    The probe starts before golive has loaded its vendor token formats: the request line
    says ``token_patterns_follow`` and the patterns are written after it once the probe
    runs (:func:`token_patterns`), while its interpreter starts and imports Django."""
    if not Path(ctx.python).exists() and os.sep in ctx.python:
        raise CollectorError(f"--python {ctx.python}: no such interpreter")
    with tempfile.TemporaryDirectory(prefix="golive-probe-") as tmp:
        out = Path(tmp) / "probe.json"
        request = json.dumps(
            {
                "settings_module": ctx.settings_module,
                "project_dir": str(ctx.django_dir),
                "output": str(out),
                "fingerprint_key": ctx.fingerprint_key,
                "token_patterns_follow": True,
                "done_on_stdout": True,
            }
        )
        try:
            code, stderr = run_in_project(
                ctx,
                [ctx.python, str(PROBE)],
                stdin=request.encode() + b"\n",
                stdin_then=token_patterns,
                done_on_stdout=True,
                timeout=ctx.timeout,
                env={"DJANGO_SETTINGS_MODULE": ctx.settings_module},
                done=out,
                cwd=ctx.django_dir,
            )
        except subprocess.TimeoutExpired:
            raise CollectorError(
                f"settings did not load within {ctx.timeout:g} s (the settings module or"
                " django.setup() hangs): fix it or raise --timeout"
            ) from None
        if not out.is_file():
            last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise CollectorError(
                f"the runtime probe failed under {ctx.python} (exit {code}): {_scrub(last[0], ctx)[:200]}"
            )
        try:
            data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CollectorError(f"the runtime probe wrote unreadable output: {exc}") from None
    if data.get("error"):
        _from_repository_root(data["error"], ctx)
        raise ProbeFailed(_scrub(_format_error(data["error"]), ctx), data)
    return data


def token_patterns() -> bytes:
    """The vendor token formats the probe looks for in every setting, as the JSON list it
    reads after its request (``golive.facts.secrets.token_formats.probe_patterns``; that
    module compiles every format when imported, 17 ms of CPU, hence imported here only)."""
    from golive.facts.secrets.token_formats import probe_patterns

    return json.dumps(probe_patterns()).encode()


def _from_repository_root(err: dict[str, Any], ctx: AuditContext) -> None:
    """Make the probe's error location (relative to the Django root it ran in) relative to
    the repository root, as every path in a report is; and when the settings module is not
    found on the ``sys.path`` of a Django root in a subfolder, say which folder that was
    and why."""
    file = err.get("file")
    if isinstance(file, str) and file and not os.path.isabs(file) and ctx.django_dir != ctx.project_dir:
        err["file"] = str((ctx.django_dir / file).relative_to(ctx.project_dir))
    if str(err.get("hint") or "").startswith("check --settings") and ctx.django_dir != ctx.project_dir:
        try:
            root = ctx.django_dir.relative_to(ctx.project_dir).as_posix() or "."
        except ValueError:
            root = str(ctx.django_dir)
        reason = f" ({ctx.django_root_reason})" if ctx.django_root_reason else ""
        err["hint"] = (
            f"{err['hint']}; the settings are imported from the Django root"
            f" {root}{reason}: pass --django-root DIR if manage.py is elsewhere"
        )


def run_in_project(
    ctx: AuditContext,
    argv: list[str],
    *,
    stdin: bytes = b"",
    stdin_then: Callable[[], bytes] | None = None,
    done_on_stdout: bool = False,
    timeout: float,
    env: Mapping[str, str] | None = None,
    done: Path | None = None,
    cwd: Path | None = None,
) -> tuple[int, bytes]:
    """Run ``argv`` (a script under the project's interpreter) the way golive runs project
    code: the project directory (or ``cwd``) as working directory, the audit's environment
    (plus ``env``, without ``PYTHONSTARTUP``), stdout discarded, in a process group of its own
    (:func:`golive.processes.start`).

    With ``stdin_then``, stdin is a pipe: ``stdin``, then what ``stdin_then()`` returns
    (computed once the script has started), are written to it from a thread of its own
    (:func:`_feed`), so that a script that stops reading never holds up the timeout; what
    ``stdin_then`` raised is raised once the script is done. With ``done_on_stdout``,
    stdout is a pipe on which the script writes when it is done (or that ends when it
    exits): golive waits on it (:mod:`selectors`) rather than looking for ``done`` every few
    milliseconds (:func:`golive.processes.wait`), which it then does only to confirm.

    The script is done when it exits or, with ``done``, as soon as that file exists (the
    script renames its result into place when finished). stderr is a file, not a pipe (and
    so is stdin, but for ``stdin_then``): a process the project's code started keeps the
    inherited stderr open as long as it lives, so waiting for the end of stderr would wait
    for it. Once done, the whole process group is killed (anything the project's code left
    running).

    Returns ``(exit status, the last STDERR_MAX bytes of stderr)``; the status is negative
    (``-9``) when the group was killed before the script exited on its own. Raises
    :class:`CollectorError` when the interpreter cannot be started, and
    ``subprocess.TimeoutExpired`` after ``timeout`` seconds, once the group is killed.
    """
    full_env = {**ctx.env, **(env or {})}
    full_env.pop("PYTHONSTARTUP", None)
    with tempfile.TemporaryDirectory(prefix="golive-run-") as tmp:
        stdin_path, stderr_path = Path(tmp) / "stdin", Path(tmp) / "stderr"
        stdin_path.write_bytes(b"" if stdin_then else stdin)
        with stdin_path.open("rb") as stdin_file, stderr_path.open("wb") as stderr_file:
            try:
                proc = processes.start(
                    argv,
                    cwd=cwd or ctx.project_dir,
                    env=full_env,
                    stdin=subprocess.PIPE if stdin_then else stdin_file,
                    stdout=subprocess.PIPE if done_on_stdout else None,
                    stderr=stderr_file,
                )
            except OSError as exc:
                raise CollectorError(f"cannot run {argv[0]}: {exc.strerror}: pass --python") from None
        fed = _feed(proc.stdin, stdin, stdin_then) if stdin_then and proc.stdin else None
        try:
            if proc.stdout is not None:
                deadline = time.monotonic() + timeout
                with selectors.DefaultSelector() as selector:  # epoll, kqueue: no FD_SETSIZE
                    selector.register(proc.stdout, selectors.EVENT_READ)
                    selector.select(timeout)  # a line, the end, or the timeout
                timeout = max(0.0, deadline - time.monotonic())
            processes.wait(proc, timeout, done=done)
        finally:
            code = processes.finish(proc)
            if proc.stdout is not None:
                proc.stdout.close()
        if fed is not None:
            fed()
        with stderr_path.open("rb") as fh:
            fh.seek(max(0, stderr_path.stat().st_size - STDERR_MAX))
            stderr = fh.read()
    return code, stderr


def _feed(pipe: IO[bytes], first: bytes, then: Callable[[], bytes]) -> Callable[[], None]:
    """Write ``first``, then ``then()``, to ``pipe`` from a thread of its own, and close it;
    a child that ended without reading everything is no error (its settings failed first).
    Returns a function that waits for the thread (the child is gone by then, so a blocked
    write has failed) and raises what ``then`` raised."""
    failed: list[BaseException] = []

    def write() -> None:
        try:
            with pipe:
                pipe.write(first)
                pipe.flush()
                pipe.write(then())
        except BrokenPipeError:
            pass
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=write, name="golive-probe-stdin", daemon=True)
    thread.start()

    def result() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return result


def _scrub(text: str, ctx: AuditContext) -> str:
    """Scrub a message from the project's code (the probe's error, its last stderr line) of
    every secret of the audit's environment (process and ``--env-file``) and each of its
    parts (:func:`golive.redact.env_secrets`, :func:`golive.redact.scrub`; issue 9, item 2)."""
    from golive.redact import env_secrets, scrub

    return scrub(text, env_secrets(ctx.env))


def facts_from_probe(data: dict[str, Any]) -> RuntimeFacts:
    """Build :class:`RuntimeFacts` from the probe's JSON."""
    from golive.collectors.runtime.settings_loader import name_sensitivity

    checks = tuple(
        DjangoMessage(
            id=str(m.get("id") or "?"),
            level=int(m.get("level", 30)),
            level_name=str(m.get("level_name", "WARNING")),
            msg=str(m.get("msg", "")),
            hint=m.get("hint"),
            obj=m.get("obj"),
            silenced=bool(m.get("silenced", False)),
        )
        for m in data.get("checks") or []
    )
    admin = data.get("admin_urls")
    secrets = {k: SecretInfo.from_json(v) for k, v in (data.get("secrets") or {}).items()}
    return RuntimeFacts(
        django_version=str(data.get("django_version") or "?"),
        python_version=str((data.get("python") or {}).get("version") or "?"),
        settings_file=data.get("settings_file"),
        settings=dict(data.get("settings") or {}),
        secrets=secrets,
        named_secrets=frozenset(k for k in secrets if name_sensitivity(secret_leaf(k)) is True),
        checks=checks,
        checks_error=data.get("checks_error"),
        error_templates=dict(data.get("error_templates") or {}),
        admin_urls=tuple(admin) if isinstance(admin, list) else None,
        wsgi_application=data.get("wsgi_application"),
        asgi_application=data.get("asgi_application"),
        file_fields=tuple(data.get("file_fields") or ()),
        sentry_active=bool(data.get("sentry_active")),
        sentry_imported=imported if isinstance(imported := data.get("sentry_imported"), bool) else None,
        dev_tool_urls=_dev_tool_urls(data.get("dev_tool_urls")),
        database_vendors=dict(data.get("database_vendors") or {}),
        probe_errors=tuple(data.get("probe_errors") or ()),
        urls_error=data.get("urls_error"),
        secret_key_stable=stable if isinstance(stable := data.get("secret_key_stable"), bool) else None,
        secret_key_second_fingerprint=data.get("secret_key_second_fingerprint"),
        packages=_packages(data.get("packages")),
    )


def _packages(value: Any) -> tuple[tuple[str, str, Any], ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(
        (str(item[0]), str(item[1]), item[2])
        for item in value
        if isinstance(item, list) and len(item) == 3 and item[0]
    )


def _dev_tool_urls(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(
        (str(item.get("route", "")), str(item.get("module", ""))) for item in value if isinstance(item, dict)
    )


def collect(ctx: AuditContext) -> RuntimeFacts:
    """Run the probe under the project's interpreter and return its facts."""
    from golive.collectors.runtime.urlconf import with_admin_route

    return with_admin_route(facts_from_probe(run_probe(ctx)), ctx.django_dir, ctx.project_dir)


SPEC = CollectorSpec(
    name="runtime",
    produces=RuntimeFacts,
    collect=collect,
    description="the settings as Django loads them, and Django's own checks",
    alongside=True,  # the project's interpreter, in a subprocess
)
