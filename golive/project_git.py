"""The project's git state for the audit's context (:class:`GitInfo`): the work tree's
root, the commit, whether tracked files changed, git's user; read by a few git queries run
all at once (:func:`start_git_info`) while :func:`golive.context.resolve` does other work.
"""

from __future__ import annotations

import functools
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class GitInfo:
    """The project's git state: ``commit`` None when not a repository (``reason`` says why)."""

    commit: str | None = None
    dirty: bool | None = None
    user: str | None = None
    root: Path | None = None
    reason: str = ""


#: The git commands :func:`git_info` runs, all at once: the work tree's root and the commit
#: (``--verify -q HEAD``: nothing and a failure without commits), the tracked files changed
#: under the project directory, the user's name and e-mail (every value of each, NUL-ended
#: ``key\nvalue`` entries; the last one counts, as ``git config user.name`` gives it).
GIT_QUERIES: tuple[tuple[str, ...], ...] = (
    ("rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"),
    ("status", "--porcelain", "--untracked-files=no", "--", "."),
    ("config", "-z", "--get-regexp", r"^user\.(name|email)$"),
)
#: Seconds :func:`git_info` waits for them, together.
GIT_TIMEOUT = 20.0


def start_git_info(project_dir: Path) -> Callable[[], GitInfo]:
    """Start the :data:`GIT_QUERIES` about the git work tree holding ``project_dir``, all at
    once, and return the function that waits for them (at most :data:`GIT_TIMEOUT` seconds)
    and gives their :class:`GitInfo`: the caller does other work meanwhile (:func:`resolve`
    reads the configuration and finds the settings). Outside a repository, every query
    fails and the info says so; a query that fails or times out tells nothing. The function
    waits once and gives the same info however often it is called."""
    procs: list[subprocess.Popen[str] | None] = []
    for args in GIT_QUERIES:
        try:
            procs.append(
                subprocess.Popen(
                    ["git", "-C", str(project_dir), *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            )
        except OSError:
            procs.append(None)

    def finish() -> GitInfo:
        deadline = time.monotonic() + GIT_TIMEOUT
        (head_code, head), (status_code, status), (config_code, config) = (
            _answer(proc, deadline) for proc in procs
        )
        lines = head.splitlines()  # the root, then the commit if HEAD names one
        if not lines:
            return GitInfo(reason="not a git repository (or git is not installed)")
        commit = lines[1].strip() if head_code == 0 and len(lines) > 1 else None
        values: dict[str, str] = {}
        for entry in config.split("\0") if config_code == 0 else ():
            key, _, value = entry.partition("\n")
            if key:
                values[key] = value.strip()
        name, email = values.get("user.name"), values.get("user.email")
        user = f"{name} <{email}>" if name and email else (name or email)
        return GitInfo(
            commit=commit or None,
            dirty=bool(status.strip()) if status_code == 0 else None,
            user=user,
            root=Path(lines[0].strip()),
            reason="" if commit else "repository has no commits yet",
        )

    return functools.cache(finish)  # answered once, however often asked


def _answer(proc: subprocess.Popen[str] | None, deadline: float) -> tuple[int | None, str]:
    """(exit status, output) of a git query; (None, "") when it could not start or did not
    finish by ``deadline`` (``time.monotonic`` seconds; it is then killed)."""
    if proc is None:
        return None, ""
    try:
        out, _ = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, ""
    return proc.returncode, out


def git_info(project_dir: Path) -> GitInfo:
    """Commit, dirtiness and user of the git work tree holding ``project_dir``
    (:func:`start_git_info`, waited for)."""
    return start_git_info(project_dir)()
