"""Which deployment files of one audit describe production: the classification shared by
the collectors, and the list the report shows ("Deployment files").

Every collector that discovers deployment files asks the audit's :class:`Layout`
(``ctx.layout``; see :func:`layout_of`) whether to audit each one, by the rules of
:mod:`golive.collectors.layout_rules` (re-exported here): only ``production`` and ``unknown``
files are audited (DESIGN.md, "Production, development, test"), the others are listed in the
report as seen and left out, with the reason. The files golive recognises without auditing
them (a Helm chart, ``.dockerignore``, a lock file: :mod:`golive.collectors.inventory`) are
listed too (:meth:`Layout.record`), with whether golive reads them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from golive.collectors.layout_rules import (
    AUDITED,
    COMPOSE,
    DEBUG_ON,
    DEV_WORDS,
    DOCKERFILE,
    ENV,
    EXAMPLE_WORDS,
    GUNICORN,
    INSTALL_LINE,
    MAX_READ,
    NGINX,
    PROCFILE,
    PROD_SERVER,
    PROD_WORDS,
    RUNSERVER,
    SCRIPT,
    STARTS_PROCESSES,
    STATED_DEV,
    SYSTEMD,
    TEST_WORDS,
    UWSGI,
    WORD_ROLES,
    Role,
    classify,
    compose_content,
    content_role,
    profile_role,
    stated_role,
    words,
)
from golive.model import DeploymentFile
from golive.walk import ProjectWalk

__all__ = [
    "AUDITED",
    "COMPOSE",
    "DEBUG_ON",
    "DEV_WORDS",
    "DOCKERFILE",
    "ENV",
    "EXAMPLE_WORDS",
    "GUNICORN",
    "INSTALL_LINE",
    "MAX_READ",
    "NGINX",
    "PROCFILE",
    "PROD_SERVER",
    "PROD_WORDS",
    "RUNSERVER",
    "SCRIPT",
    "STARTS_PROCESSES",
    "STATED_DEV",
    "SYSTEMD",
    "TEST_WORDS",
    "UWSGI",
    "WORD_ROLES",
    "Layout",
    "Role",
    "classify",
    "compose_content",
    "content_role",
    "layout_of",
    "profile_role",
    "stated_role",
    "words",
]

#: How many folders down the search for a production server goes (the project collector's walk).
MAX_DEPTH = 4


def _head(path: Path) -> str | None:
    """The first :data:`MAX_READ` bytes of ``path`` as text, or None when unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_READ).decode("utf-8", "replace")
    except OSError:
        return None


T = TypeVar("T")


class Layout:
    """The classification of one repository's deployment files, shared by the collectors
    of one audit (thread-safe): :meth:`admit` classifies a discovered file (reading it when
    its content matters), remembers the answer, and says whether to audit it; :meth:`files`
    lists everything seen, for the report.
    """

    def __init__(
        self,
        repo: Path,
        *,
        production_files: Sequence[str] = (),
        ignore_files: Sequence[str] = (),
        config_name: str = "the configuration",
    ) -> None:
        self.repo = repo
        self.production_files = tuple(production_files)
        self.ignore_files = tuple(ignore_files)
        self.config_name = config_name
        self._lock = threading.Lock()
        self._seen: dict[str, DeploymentFile] = {}
        self._peer_lock = threading.Lock()
        self._peer: list[str | None] = []
        self._recorded: set[str] = set()  # entries of record(): recognised, not a collector's input
        self._claimed: set[str] = set()
        self._answers: dict[str, Future[Any]] = {}  # once()

    def rel(self, path: Path) -> str | None:
        """``path`` relative to the repository (POSIX), or None when outside it."""
        try:
            return path.resolve().relative_to(self.repo.resolve()).as_posix()
        except ValueError:
            return None

    def classify(self, path: Path, kind: str) -> DeploymentFile:
        """The file's :class:`DeploymentFile` (computed once per path; the first kind asked wins).
        A file outside the repository (given on the command line) is production. A collector's
        classification replaces an entry :meth:`record` made first (the inventory runs before the
        collectors that read such files, e.g. nginx's ``*.conf.template``)."""
        rel = self.rel(path)
        if rel is None:
            return DeploymentFile(
                path=str(path), kind=kind, role=Role.PRODUCTION.value, reason="given explicitly", audited=True
            )
        with self._lock:
            known = self._seen.get(rel)
            recorded = rel in self._recorded
        if known is not None and not recorded:
            return known
        text = _head(path) if kind in STARTS_PROCESSES else None
        found = classify(
            rel,
            kind,
            text,
            production_files=self.production_files,
            ignore_files=self.ignore_files,
            config_name=self.config_name,
            elsewhere=self.production_server() if text is not None else None,
        )
        with self._lock:
            if rel in self._recorded:
                self._recorded.discard(rel)
                self._seen[rel] = found
            return self._seen.setdefault(rel, found)

    def production_server(self) -> str | None:
        """The first deployment file of the repository (Procfile, Dockerfile, compose file,
        systemd unit; by path) that rules 1-4 do not leave out and that starts a production
        server (rule 5), or None. Computed once."""
        with self._peer_lock:
            if not self._peer:
                self._peer.append(self._find_production_server())
            return self._peer[0]

    def _find_production_server(self) -> str | None:
        from golive.collectors.project import deployment_kind

        for path in sorted(self.walk()[0]):
            kind = deployment_kind(path)
            if kind is None:
                continue
            rel = self.rel(path)  # resolves the path: only for deployment files (issue 15)
            if rel is None:
                continue
            by_name = classify(
                rel, kind, None, production_files=self.production_files, ignore_files=self.ignore_files
            )
            text = _head(path)
            if not by_name.audited or text is None:
                continue
            found = content_role(compose_content(text) if kind == COMPOSE else text)
            if found is not None and found[0] is Role.PRODUCTION:
                return rel
        return None

    def admit(self, path: Path, kind: str) -> bool:
        """True when the discovered file at ``path`` is to be audited (production or unknown)."""
        return self.classify(path, kind).audited

    def left_out(self, path: Path, kind: str, role: Role, reason: str) -> None:
        """Record a part of a file a collector left out (``docker-compose.yml`` service ``dev``)."""
        rel = self.rel(path) or str(path)
        entry = DeploymentFile(path=rel, kind=kind, role=role.value, reason=reason, audited=False)
        with self._lock:
            self._seen.setdefault(f"{rel}#{kind}", entry)

    def claim(self, task: str) -> bool:
        """True the first time ``task`` is claimed on this layout, then False: a step that runs
        once per audit although its collector is called again (the project collector)."""
        with self._lock:
            if task in self._claimed:
                return False
            self._claimed.add(task)
            return True

    def walk(self) -> tuple[tuple[Path, ...], str | None]:
        """The files of :class:`golive.walk.ProjectWalk` under the repository (:data:`MAX_DEPTH`
        levels), in its order, and its note (None unless capped): walked once per audit, for
        this class and the collectors (:func:`golive.collectors.project.walked_files`)."""

        def run() -> tuple[tuple[Path, ...], str | None]:
            walk = ProjectWalk(self.repo, max_depth=MAX_DEPTH)
            return tuple(walk), walk.note

        return self.once("project walk", run)

    def once(self, task: str, compute: Callable[[], T]) -> T:
        """``compute()``, run once on this layout (one audit) whatever the number of callers:
        the first computes, the others wait for its answer, or its exception, which each
        caller then raises. For a reading two collectors of an audit need (the settings
        chain: the source collector and the project's inventory)."""
        with self._lock:
            answer = self._answers.get(task)
            first = answer is None
            if answer is None:
                answer = self._answers[task] = Future()
        if first:
            try:
                answer.set_result(compute())
            except BaseException as exc:
                answer.set_exception(exc)
                raise
        result: T = answer.result()
        return result

    def record(self, path: Path, kind: str, *, read: bool, reason: str) -> None:
        """List a file golive recognised as part of the deployment (``kind``: ``Helm chart``,
        ``requirements``...; :mod:`golive.collectors.inventory`), unless a collector already
        classified it. ``read`` says whether golive reads it; ``reason`` what it is to golive.
        Its role comes from rules 1-4 (path and name); a file those rules leave out and that
        golive does not read is shown with their reason. Never in :meth:`summary`."""
        rel = self.rel(path)
        if rel is None:
            return
        with self._lock:
            if rel in self._seen:
                return
        by_name = classify(
            rel,
            kind,
            None,
            production_files=self.production_files,
            ignore_files=self.ignore_files,
            config_name=self.config_name,
        )
        why = reason if read or by_name.audited else f"{by_name.reason}; {reason}"
        entry = DeploymentFile(path=rel, kind=kind, role=by_name.role, reason=why, audited=read)
        with self._lock:
            if rel not in self._seen:
                self._seen[rel] = entry
                self._recorded.add(rel)

    def files(self) -> tuple[DeploymentFile, ...]:
        """Every file classified so far, by path."""
        with self._lock:
            return tuple(sorted(self._seen.values(), key=lambda f: (f.path, f.kind)))

    def summary(self, *kinds: str) -> str:
        """``"; left out: a (test: ...), b (...)"`` for the files of ``kinds`` (every kind when
        none is given) left out, else ``""``: appended to a collector's "nothing found" reason."""
        with self._lock:
            recorded = set(self._recorded)
        out = [
            f"{f.path} ({f.role}: {f.reason})"
            for f in self.files()
            if (not kinds or f.kind in kinds) and not f.audited and f.path not in recorded
        ]
        return f"; left out: {', '.join(out)}" if out else ""


def layout_of(ctx: Any) -> Layout:
    """The audit's :class:`Layout` (``ctx.layout``), or a fresh one for a context built
    without it (tests, ``manage.py golive``): the same answers, nothing shown in a report."""
    found = getattr(ctx, "layout", None)
    if isinstance(found, Layout):
        return found
    config = getattr(ctx, "config", None)
    return Layout(
        ctx.project_dir,
        production_files=getattr(config, "production_files", ()),
        ignore_files=getattr(config, "ignore_files", ()),
    )
