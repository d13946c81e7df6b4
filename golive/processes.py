"""The processes golive starts to run project code, and how golive stops them and itself.

**Process groups.** Every process that runs the project's code (the runtime probe, gunicorn's
config loader) is started by :func:`start` in a session of its own (``setsid``, POSIX.1:
it leads a new process group), so that it and whatever it starts (a Celery or APM agent
the settings launch) form one group that golive kills as a whole with
``killpg(pgid, SIGKILL)``: when it is done with it (:func:`finish`), when its collector
overruns its time budget (:func:`kill_owned`) and when the audit is interrupted
(:func:`kill_all`). A grandchild that starts a session of its own (a daemon's double
fork) leaves the group and is out of golive's reach.

**Completion.** :func:`wait` learns that a child is done from its exit, observed with
``waitid(P_PID, pid, WEXITED | WNOHANG | WNOWAIT)`` (POSIX.1-2008) so that the exited
leader stays a zombie, its pid still naming the group, until the group has been killed
and :func:`finish` reaps it; or from the result file the child renames into place when
done (a rename is atomic, POSIX ``rename()``): never from the end of its stderr, which any
process it started may hold open for as long as it lives.

**Signals.** :func:`install_signal_handlers` makes SIGINT, SIGTERM and SIGHUP raise
:class:`Interrupted` in the main thread (Python runs signal handlers there, between
bytecodes and after an interrupted system call: Python's ``signal`` docs). Every process
group is killed at once; the caller unwinds (a database transaction is rolled back, so
nothing partial is stored) and :func:`leave` exits with ``128 + signal number``, the
status POSIX shells report for a process a signal ended (130 for SIGINT, 143 for
SIGTERM). Should unwinding take longer than :data:`GRACE` seconds (a thread that cannot
be stopped, a blocking call), a watchdog exits anyway.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from msgspec import Struct

if TYPE_CHECKING:  # subprocess and tempfile are imported when a process is started: every
    import subprocess  # command installs the signal handlers, few start processes


#: Seconds an interrupted golive may take to unwind before the watchdog exits anyway.
GRACE = 1.0
#: Seconds between two looks at a running child in :func:`wait`.
POLL = 0.02
#: Bytes of a child's stderr :func:`run` keeps (the end: where the error is).
STDERR_MAX = 64 * 1024

_lock = threading.RLock()
_running: dict[subprocess.Popen[bytes], object] = {}  # process → its owner token (or None)
_closed = False
_local = threading.local()
_abandoned: list[threading.Thread] = []
_interrupted: int | None = None


class Interrupted(BaseException):
    """A signal asked golive to stop; ``status`` is ``128 + signum``.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that ``except
    Exception`` in a collector or check does not swallow it; unlike it, Click does not
    turn it into its own ``Abort``, so the signal's own status survives.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum
        self.status = 128 + signum


@contextlib.contextmanager
def owned_by(owner: object) -> Iterator[None]:
    """Within the block, processes this thread starts belong to ``owner`` (any token)."""
    previous = getattr(_local, "owner", None)
    _local.owner = owner
    try:
        yield
    finally:
        _local.owner = previous


def start(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: IO[bytes] | int | None = None,
    stdout: IO[bytes] | int | None = None,
    stderr: IO[bytes] | int | None = None,
    bufsize: int = -1,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as the leader of a new session and process group, registered so that
    :func:`kill_all` (and :func:`kill_owned` for the current owner) can kill its group.
    The streams and ``bufsize`` are :class:`subprocess.Popen`'s, except that a stream left
    None is ``DEVNULL`` (nothing of golive's own is inherited).

    Raises :class:`OSError` when it cannot be started and :class:`Interrupted` once golive
    is stopping (nothing new starts after :func:`kill_all` with ``close``).
    """
    import subprocess

    with _lock:
        if _closed:
            raise Interrupted(_interrupted or signal.SIGTERM)
        proc = None
        try:
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL if stdin is None else stdin,
                stdout=subprocess.DEVNULL if stdout is None else stdout,
                stderr=subprocess.DEVNULL if stderr is None else stderr,
                bufsize=bufsize,
                start_new_session=True,
            )
            _running[proc] = getattr(_local, "owner", None)
        except BaseException:  # an interrupt between the start and the registration
            if proc is not None:
                _kill_group(proc)
            raise
    return proc


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """True once ``proc`` has exited, without reaping it (see the module docstring; where
    Python has no ``os.waitid``, as on macOS, it is reaped: its group is killed just after)."""
    if proc.returncode is not None:
        return True
    if not hasattr(os, "waitid"):
        return proc.poll() is not None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # reaped elsewhere
        return True


def wait(proc: subprocess.Popen[bytes], timeout: float, *, done: Path | None = None) -> None:
    """Wait until ``proc`` exits or the file ``done`` exists, at most ``timeout`` seconds.

    Leaves ``proc`` unreaped: call :func:`finish` next. Raises
    :class:`subprocess.TimeoutExpired` when neither happened in time. Without ``done``, on
    Linux, it sleeps on a pidfd until the exit (:func:`_wait_pidfd`); otherwise it looks
    after 1 ms, then twice as long each time up to :data:`POLL`.
    """
    deadline = time.monotonic() + timeout
    if done is None and _wait_pidfd(proc, deadline, timeout):
        return
    pause = 0.001
    while not _exited(proc) and not (done is not None and done.exists()):
        left = deadline - time.monotonic()
        if left <= 0:
            import subprocess

            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(min(pause, left))
        pause = min(pause * 2, POLL)


def _wait_pidfd(proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> bool:
    """Sleep until ``proc`` exits (or ``deadline``, ``time.monotonic()`` seconds) on a pidfd,
    which becomes readable when the process exits and leaves it unreaped (Linux 5.3,
    pidfd_open(2); ``os.pidfd_open``, Python 3.9): a short git command is seen done when it
    is, not at the next look. True once it has exited; False when no pidfd can be had (the
    caller polls). Raises :class:`subprocess.TimeoutExpired` at the deadline."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None or proc.returncode is not None:
        return False
    try:
        fd = pidfd_open(proc.pid)
    except OSError:  # an older kernel, or a sandbox without the system call
        return False
    import select

    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not _exited(proc):
            left = deadline - time.monotonic()
            if left <= 0:
                import subprocess

                raise subprocess.TimeoutExpired(proc.args, timeout)
            poller.poll(max(1, int(left * 1000) + 1))
    finally:
        os.close(fd)
    return True


class Finished(Struct, frozen=True):
    """What :func:`run` saw: the exit ``status`` (negative: the signal that ended it, ``-9``
    when golive killed the group before the process exited) and its output."""

    status: int
    stdout: bytes
    stderr: bytes


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    input: bytes = b"",
    done: Path | None = None,
    stderr_max: int = STDERR_MAX,
) -> Finished:
    """Run ``argv`` to completion as :func:`start` starts it, with ``input`` as stdin, and
    kill its process group when done (:func:`wait`, :func:`finish`).

    stdin, stdout and stderr are temporary files, never pipes, so a process it leaves
    running cannot hold golive's reading open. ``stderr`` keeps the last ``stderr_max``
    bytes (where the error is). Raises :class:`OSError` when ``argv`` cannot be started,
    :class:`subprocess.TimeoutExpired` after ``timeout`` seconds (the group killed), and
    :class:`Interrupted` once golive is stopping.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="golive-run-") as tmp:
        paths = [Path(tmp) / name for name in ("stdin", "stdout", "stderr")]
        paths[0].write_bytes(input)
        with paths[0].open("rb") as fin, paths[1].open("wb") as fout, paths[2].open("wb") as ferr:
            proc = start(argv, cwd=cwd, env=env, stdin=fin, stdout=fout, stderr=ferr)
        try:
            wait(proc, timeout, done=done)
        finally:
            status = finish(proc)
        with paths[2].open("rb") as fh:
            fh.seek(max(0, paths[2].stat().st_size - stderr_max))
            stderr = fh.read()
        return Finished(status=status, stdout=paths[1].read_bytes(), stderr=stderr)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(OSError):
            proc.kill()


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc``'s process group now (a deadline passed); :func:`finish` still reaps it."""
    with _lock:
        _kill_group(proc)


def finish(proc: subprocess.Popen[bytes]) -> int:
    """Kill ``proc``'s whole process group (whatever it left running), reap ``proc`` and
    forget it; returns its exit status (negative: the signal that ended it, as
    :attr:`subprocess.Popen.returncode`)."""
    with _lock:
        _kill_group(proc)
        _running.pop(proc, None)
    return proc.wait()


def kill_owned(owner: object) -> None:
    """Kill the process group of every running process ``owner`` started (a collector
    that overran its budget); their waits then return."""
    with _lock:
        for proc, who in list(_running.items()):
            if who is owner:
                _kill_group(proc)


def kill_all(*, close: bool = False) -> None:
    """Kill the process group of every running process golive started; with ``close``,
    :func:`start` refuses to start any other (golive is stopping)."""
    global _closed
    with _lock:
        _closed = _closed or close
        for proc in list(_running):
            _kill_group(proc)


def abandon(thread: threading.Thread) -> None:
    """Note a thread golive gave up waiting for (a collector over its budget): threads
    cannot be killed, so :func:`abandoned` lets the caller exit without waiting for it."""
    with _lock:
        _abandoned.append(thread)


def abandoned() -> bool:
    """True while a thread given up by :func:`abandon` still runs."""
    with _lock:
        return any(t.is_alive() for t in _abandoned)


def stopping() -> int | None:
    """The signal that is stopping golive, or None. An event loop polls it: asyncio swallows
    an exception raised in one of its callbacks (``Handle._run`` passes all but
    ``KeyboardInterrupt`` and ``SystemExit`` to the loop's exception handler), which is where
    the handler's :class:`Interrupted` lands when the signal comes between two callbacks."""
    return _interrupted


def _force_exit(status: int) -> NoReturn:
    kill_all(close=True)
    with contextlib.suppress(OSError):
        os.write(2, b"golive: interrupted\n")
    os._exit(status)


def _on_signal(signum: int, frame: object) -> None:
    global _interrupted
    if _interrupted is not None:  # a second signal while unwinding: stop now
        _force_exit(128 + signum)
    _interrupted = signum
    kill_all(close=True)
    if (logging := sys.modules.get("logging")) is not None:
        # asyncio reports each task it cancels while an interrupted event loop unwinds
        # (a browser page closed under it): golive is stopping, those reports are noise
        logging.getLogger("asyncio").disabled = True
    if (warnings := sys.modules.get("warnings")) is not None:
        # so are the warnings of the unwinding (a coroutine made but never awaited when the
        # signal came, freed with the frames the exception leaves)
        warnings.simplefilter("ignore")
    watchdog = threading.Timer(GRACE, _force_exit, args=(128 + signum,))
    watchdog.daemon = True
    watchdog.start()
    raise Interrupted(signum)


def _unraisable(unraisable: Any) -> None:
    """``sys.unraisablehook``: an :class:`Interrupted` raised where Python cannot raise (a
    weakref callback, a ``__del__``: importlib's module locks have one, so a Ctrl-C during
    start-up can land there) is swallowed and reported as "ignored"; golive stops at once
    instead. Anything else goes to the hook that was in place."""
    if isinstance(unraisable.exc_value, Interrupted):
        _force_exit(unraisable.exc_value.status)
    _previous_unraisablehook(unraisable)


_previous_unraisablehook = sys.unraisablehook


def install_signal_handlers() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP as the module docstring says. A signal ignored or
    handled by whoever started golive (``nohup``, a shell running it in the background)
    is left as it is. Main thread only (Python's rule for ``signal.signal``)."""
    global _previous_unraisablehook
    if sys.unraisablehook is not _unraisable:
        _previous_unraisablehook = sys.unraisablehook
        sys.unraisablehook = _unraisable
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _on_signal)


def leave(status: int) -> NoReturn:
    """Exit with ``status`` once every process group golive started is killed.

    After a signal, or with a collector thread abandoned (:func:`abandon`), the standard
    streams are flushed and the process ends with ``os._exit``: the interpreter's normal
    shutdown would wait for those threads (``concurrent.futures`` joins its workers at
    exit), and an interrupted golive must stop now.
    """
    kill_all(close=True)
    if _interrupted is None and not abandoned():
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)
