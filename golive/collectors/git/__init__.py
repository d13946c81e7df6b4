"""The git collector: secrets and sensitive files in source control.

Three git processes, whatever the size of the history:

1. ``git log -p --all --no-color --unified=0 --no-renames`` (``--since`` narrows it),
   streamed through :class:`golive.collectors.git.history.HistoryScan`: every secret added in any
   commit of any ref, kept once with the commit, date, path and line that introduced it;
2. ``git grep -F -f - HEAD`` with the values found (on stdin, never on a command line):
   which of them HEAD still holds, and where (each hit re-checked with the same rules);
3. ``git ls-tree -r -l HEAD`` (and one ``git grep -l`` for ``.pem``/``.sql`` contents):
   committed ``.env`` files, keys, ``local_settings.py``, database dumps and SQLite files,
   never golive's own (its ``.golive`` folder, its history database wherever ``--history``
   puts it: :mod:`golive.own_files`).

A damaged clone (a missing object makes ``git log`` stop) is scanned as far as it can
be: the stream resumes after the broken commit (``--skip``), and the facts say what was
missed in ``partial``; a shallow clone is scanned and says so. Values never leave this
package: facts carry a :class:`SecretInfo` (length, keyed fingerprint) and, for token
formats, their public prefix. Reference: git-log(1), git-grep(1), git-ls-tree(1)
(https://git-scm.com/docs).

This module runs the ``git log -p`` stream (:func:`scan_history`) and turns what the
others found into :class:`GitFacts` (:func:`collect`). Modules: :mod:`.scanner` applies the
rules of :mod:`golive.facts.secrets.rules` (what a secret looks like, what a placeholder looks
like) to the lines of one file, with :mod:`.syntax` (file kinds, what an assignment looks
like), :mod:`.history` to the added lines of a ``git log -p`` stream; :mod:`.head` reads what
HEAD holds (processes 2 and 3); :mod:`.files` recognises committed files by name;
:mod:`.policy` says which files are scanned by name and which findings the team allowed;
:mod:`.command` runs one git command.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from golive import processes
from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.git.command import GIT_TIMEOUT, last_error, run_git
from golive.facts.git import GitFacts

if TYPE_CHECKING:  # golive.config imports golive.collectors.git.policy: no cycle through golive.context
    from golive.collectors.git.history import HistoryScan
    from golive.collectors.git.policy import ScanPolicy
    from golive.collectors.layout import Layout
    from golive.context import AuditContext

#: Names of the scanning modules this package gives as its own (PEP 562): they are imported
#: when the collector runs, not with the registry of collectors (issue 15: ~25 ms of
#: expressions, tables and libraries that an audit with ``--no-git`` or outside a repository,
#: and every command that reads a scan rule from the configuration, never uses).
_LAZY = {
    "env_templates": "golive.collectors.git.head",
    "find_in_head": "golive.collectors.git.head",
    "tracked_dirs": "golive.collectors.git.head",
    "tracked_files": "golive.collectors.git.head",
    "LOG_FORMAT": "golive.collectors.git.history",
    "HistoryScan": "golive.collectors.git.history",
    "DEFAULT": "golive.collectors.git.policy",
    "ScanPolicy": "golive.collectors.git.policy",
}


def __getattr__(name: str) -> object:
    """The names of :data:`_LAZY`, from their modules (imported on first use)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


#: Seconds the history scan may take before it stops and says so.
HISTORY_TIME_LIMIT = 600.0
#: How many times a broken ``git log`` stream is resumed past a damaged commit.
MAX_RESUMES = 25
_RELATIVE = re.compile(r"^\d+\s+(second|minute|hour|day|week|month|year)s?\s+ago$", re.IGNORECASE)
TEMPLATE_NOTE = "env template: its first line says secrets do not belong there"


def since_args(root: Path, since: str | None) -> list[str]:
    """``git log`` arguments for ``--since``: a revision (``--not REV``) or a date.

    Dates are ISO 8601 (``2024-01-31``, ``2024-01-31T12:00:00+01:00``) or ``N days ago``
    style; anything else raises :class:`CollectorError`.
    """
    if not since:
        return ["--all"]
    rev = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}")
    if rev.returncode == 0 and rev.stdout.strip():
        return ["--all", "--not", rev.stdout.decode().strip()]
    try:
        dt.datetime.fromisoformat(since)
    except ValueError:
        if not _RELATIVE.match(since.strip()):
            raise CollectorError(
                f"--since {since!r}: neither a revision of this repository nor a date"
                " (use YYYY-MM-DD or '30 days ago')"
            ) from None
    return ["--all", f"--since={since}"]


#: Environment variables that move a repository's files (git(1), "ENVIRONMENT VARIABLES").
GIT_DIR_VARIABLES = ("GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE", "GIT_NAMESPACE")


def is_shallow(root: Path) -> bool:
    """True for a shallow clone. git's own test (``is_repository_shallow`` in shallow.c) is
    whether the repository's ``shallow`` file exists: read here when ``root/.git`` is the
    repository's own folder (not a worktree's or a submodule's link, no ``commondir``) and no
    :data:`GIT_DIR_VARIABLES` moves it, else asked (``git rev-parse --is-shallow-repository``;
    issue 15: one git process fewer per audit)."""
    git_dir = root / ".git"
    own_folder = git_dir.is_dir() and not (git_dir / "commondir").exists()
    if own_folder and not any(v in os.environ for v in GIT_DIR_VARIABLES):
        return (git_dir / "shallow").exists()
    return run_git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"


def scan_history(
    root: Path,
    range_args: list[str],
    time_limit: float = HISTORY_TIME_LIMIT,
    pathspec: Sequence[str] = (),
    policy: ScanPolicy | None = None,
) -> tuple[HistoryScan, list[str]]:
    """Stream ``git log -p`` through a :class:`HistoryScan`; returns it and what was missed.

    ``pathspec`` limits the scan to the project's directory when the repository holds
    more than the project (a monorepo, or examples inside a tool's repository); ``policy``
    says which files are scanned by name (:mod:`golive.collectors.git.policy`; None: its
    ``DEFAULT``).

    When git stops on a damaged commit, the stream is resumed after it (``--skip``) up to
    :data:`MAX_RESUMES` times, and each break is recorded in the returned reasons.
    """
    from golive.collectors.git.history import LOG_FORMAT, HistoryScan
    from golive.collectors.git.policy import DEFAULT

    scan = HistoryScan(DEFAULT if policy is None else policy)
    partial: list[str] = []
    deadline = time.monotonic() + time_limit
    for _ in range(MAX_RESUMES + 1):
        before = scan.commits
        args = [
            "git",
            "-C",
            str(root),
            "-c",
            "core.quotePath=false",
            "log",
            "-p",
            "--no-color",
            "--unified=0",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            f"--format={LOG_FORMAT}",
            *([f"--skip={scan.commits}"] if scan.commits else []),
            *range_args,
            "--",
            *pathspec,
        ]
        code, error, timed_out = _stream(args, scan, deadline - time.monotonic())
        if timed_out:
            partial.append(
                f"the history scan stopped after {time_limit:g} s at {scan.commits} commits;"
                " older commits were not scanned (use --since)"
            )
            break
        if code == 0:
            break
        broken = scan.last.sha[:10] if scan.last and scan.commits > before else None
        if broken is None:
            partial.append(f"git log stopped after {scan.commits} commits: {error}")
            break
        partial.append(f"commit {broken} could not be read completely ({error}); scanned the rest")
    else:
        partial.append(f"git log kept failing; stopped after {scan.commits} commits")
    return scan, partial


def _stream(args: list[str], scan: HistoryScan, budget: float) -> tuple[int, str, bool]:
    """Run one ``git log`` into ``scan``: (exit code, last stderr line, timed out).

    git runs in a process group of its own that golive kills when the scan is done, over
    ``budget`` seconds, over the collector's budget or interrupted (:mod:`golive.processes`).
    """
    with tempfile.TemporaryFile() as err:
        try:
            proc = processes.start(args, stdout=subprocess.PIPE, stderr=err, bufsize=1 << 16)
        except OSError as exc:
            raise CollectorError(f"cannot run git: {exc.strerror or exc}") from None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            processes.kill(proc)

        timer = threading.Timer(max(budget, 0.0), stop)
        timer.daemon = True
        timer.start()
        try:
            assert proc.stdout is not None
            scan.feed(proc.stdout)
            processes.wait(proc, GIT_TIMEOUT)  # its output ended: it is exiting
        except subprocess.TimeoutExpired:
            pass
        finally:
            timer.cancel()
            code = processes.finish(proc)
            if proc.stdout is not None:
                proc.stdout.close()
        err.seek(0)
        return code, last_error(err.read()), timed_out.is_set()


def _place(paths: Sequence[str], root: Path, layout: Layout | None = None) -> tuple[str, str]:
    """The place of a secret seen at ``paths`` (relative to ``root``, the project directory,
    so that a project audited inside ``examples/`` is not an example itself): ``("", "")``
    (production) when any of them is production or unknown, else the first one's. A
    deployment file still unknown by its name is classified by its content by the audit's
    ``layout``."""
    from golive.facts.secrets.places import PRODUCTION, deployment_kind, place

    places = []
    for path in paths:
        where, reason = place(path)
        kind = deployment_kind(path) if where in PRODUCTION and layout is not None else None
        if kind is not None and layout is not None:
            found = layout.classify(root / path, kind)
            if found.role not in PRODUCTION:
                where, reason = found.role, found.reason
        places.append((where, reason))
    if not places or any(where in PRODUCTION for where, _ in places):
        return "", ""
    return places[0]


def _relative(root: Path, project: Path, path: str) -> str:
    """A repository path as a path relative to the project directory."""
    if root == project:
        return path
    return os.path.relpath(root / path, project)


def collect(ctx: AuditContext) -> GitFacts:
    """Scan the repository holding the project. ``Skip`` without git or a repository."""
    if ctx.options.no_git:
        raise Skip("--no-git: source control not scanned")
    if shutil.which("git") is None:
        raise Skip("git is not installed")
    if ctx.git.root is None:
        raise Skip(ctx.git.reason or "not a git repository")
    if not ctx.git.commit:
        raise Skip(ctx.git.reason or "the repository has no commits yet")
    # the scanner's modules, imported once the repository is there to scan (see _LAZY)
    from golive.collectors.git.head import (
        env_templates,
        find_in_head,
        tracked_dirs,
        tracked_files,
        tracked_files_and_dirs,
    )
    from golive.collectors.git.policy import ScanPolicy
    from golive.collectors.layout import layout_of
    from golive.facts.git import HistorySecret, TrackedFile
    from golive.facts.secrets import SecretInfo
    from golive.facts.secrets.rules import PRIVATE_KEY_RULE, placeholder_reason
    from golive.history import history_path
    from golive.model import Location
    from golive.own_files import is_own, own_paths

    root = Path(ctx.git.root).resolve()
    project = ctx.project_dir.resolve()
    range_args = since_args(root, ctx.options.since)
    subdir = project.relative_to(root).as_posix() if project != root and project.is_relative_to(root) else ""
    pathspec = [subdir] if subdir else []
    shallow = is_shallow(root)
    refs = run_git(root, "for-each-ref", "--format=%(refname)").stdout.decode("utf-8", "replace").split()
    config = getattr(ctx, "config", None)
    policy = ScanPolicy.with_config(
        getattr(config, "secrets_exclude", ()), getattr(config, "secrets_allow", ())
    )
    scan, partial = scan_history(root, range_args, pathspec=pathspec, policy=policy)
    # Placeholders by where they sit (test code, example files) are looked for too: GL100
    # says where HEAD holds a live value, whatever the file.
    real = [s for s in scan.found.values() if not placeholder_reason(s.match.value)]
    head_hits, head_error = find_in_head(root, real, pathspec, policy)
    if head_error:
        partial.append(f"HEAD could not be read completely ({head_error}): 'still in HEAD' may be incomplete")
    if pathspec:
        tracked, tracked_error = tracked_files(root, pathspec)
        dirs = tracked_dirs(root)
    else:  # one git ls-tree for both
        tracked, tracked_error, dirs = tracked_files_and_dirs(root)
    own = own_paths(root, [history_path(project, ctx.options.history, ctx.config.raw.get("history"))])
    tracked = [t for t in tracked if not is_own(t[0], own)]  # golive's history is not the project's data
    if tracked_error:
        partial.append(tracked_error)
    layout = layout_of(ctx)
    # An env file is reported for what it holds: a template saying "no secrets here" is not a leak.
    templates = env_templates(root, tracked)
    tracked = [t for t in tracked if t[0] not in templates]

    def loc(path: str, line: int | None = None) -> Location:
        return Location(path=_relative(root, project, path), line=line)

    secrets = []
    for s in sorted(scan.found.values(), key=lambda s: (s.commit.timestamp, s.path, s.line)):
        m = s.match
        in_head = bool(head_hits.get(m.value)) if not placeholder_reason(m.value) else None
        seen_at = [p for p, _ in head_hits.get(m.value, [])] or [s.path]
        placeholder = m.placeholder
        if not placeholder and not m.shown and m.rule != PRIVATE_KEY_RULE and set(seen_at) <= templates:
            placeholder = TEMPLATE_NOTE
        where, why_there = _place([_relative(root, project, p) for p in seen_at], project, layout)
        secrets.append(
            HistorySecret(
                rule=m.rule,
                label=m.label,
                name=m.name,
                info=SecretInfo.of(m.value, ctx.fingerprint_key),
                shown=m.shown,
                placeholder=placeholder,
                confidence=m.confidence,
                why=m.why,
                place=where,
                place_reason=why_there,
                commit=s.commit.sha,
                date=s.commit.date,
                author=s.commit.author,
                location=loc(s.path, s.line),
                in_head=in_head if not (head_error and not in_head) else None,
                head_locations=tuple(loc(p, n) for p, n in head_hits.get(m.value, [])),
                commits=s.count,
            )
        )
    return GitFacts(
        root=str(root),
        head=ctx.git.commit,
        commits=scan.commits,
        since=ctx.options.since,
        shallow=shallow,
        partial=tuple(partial),
        secrets=tuple(secrets),
        tracked=tuple(TrackedFile(location=loc(p), kind=k, size=n) for p, k, n in tracked),
        subdir=subdir,
        refs=tuple(refs),
        tracked_dirs=dirs,
    )


SPEC = CollectorSpec(
    name="git",
    produces=GitFacts,
    collect=collect,
    description="secrets in the git history and sensitive files committed at HEAD",
    alongside=True,  # git log, git grep and git ls-tree, each a subprocess
)
