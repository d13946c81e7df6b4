"""The git facts: the repository's state, its tracked files, and the secrets seen in its history, as
the git collector (:mod:`golive.collectors.git`) saw them (values never kept).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from msgspec import Struct

from golive.facts.secrets import SecretInfo
from golive.facts.secrets.places import LABELS
from golive.model import Confidence, Location
from golive.registry import FactsBase

#: kind of a committed file that should not be (:mod:`golive.collectors.git.files`) → what it is.
KINDS = {
    "env": "environment file",
    "private-key": "private key file",
    "key-store": "key store",
    "local-settings": "local settings module",
    "credentials": "credentials file",
    "database-dump": "database dump",
    "sqlite": "SQLite database",
}
SHALLOW_NOTE = (
    "shallow clone: the history before its boundary commit is missing, so a secret added and removed"
    " there is not seen and one still present is dated to the boundary; fetch the whole history"
    " (git fetch --unshallow; in CI, actions/checkout with fetch-depth: 0, GitLab GIT_DEPTH: 0)"
)
#: How many names of each kind of ref :meth:`GitFacts.refs_summary` shows.
REFS_SHOWN = 5
_REF_KINDS = (
    ("refs/heads/", "branch(es)"),
    ("refs/remotes/", "remote branch(es)"),
    ("refs/tags/", "tag(s)"),
    ("refs/", "other ref(s)"),
)


class HistorySecret(Struct, frozen=True, kw_only=True):
    """A secret found in the git history, without its value.

    ``rule`` and ``label`` say what it is (``stripe-secret-key``, "Stripe secret key";
    ``assigned-literal``, "literal assigned to a secret name"); ``name`` the setting, key or
    variable it was assigned to (``""`` when none); ``shown`` its public prefix (token
    formats only); ``placeholder`` why it is not a real secret (``""``: it is one).
    ``commit``/``date``/``author``/``location`` are where it was introduced (``date`` is the
    author date, ISO 8601); ``in_head`` is None when HEAD could not be read or the value
    is a placeholder by itself ("change-me": not looked for; a value that is a placeholder
    only because it sits in test code or an example file is);
    ``head_locations`` where HEAD still holds it; ``commits`` how many commits added it.
    ``confidence`` and ``why`` are what the value says (:func:`golive.facts.secrets.evidence.judge`,
    ``confirmed`` for vendor formats and private key blocks); ``place`` is where it lives
    when that is not production code (``test``, ``docs``, ``example``, ``ci``,
    ``development``: :func:`golive.facts.secrets.places.place`), with ``place_reason``.
    """

    rule: str
    label: str
    name: str
    info: SecretInfo
    shown: str
    placeholder: str
    commit: str
    date: str
    author: str
    location: Location
    in_head: bool | None
    head_locations: tuple[Location, ...] = ()
    commits: int = 1
    confidence: Confidence = Confidence.CONFIRMED
    why: str = ""
    place: str = ""
    place_reason: str = ""

    @property
    def where_it_lives(self) -> str:
        """``"test code: tests/keys/test.pem is test code"``, or ``""`` for production code."""
        return f"{LABELS.get(self.place, self.place)}: {self.place_reason}" if self.place else ""

    @property
    def subject(self) -> str:
        """The name it was assigned to, else the rule (``aws-access-key-id``)."""
        return self.name or self.rule

    def describe(self) -> str:
        """``"Stripe secret key sk_live_… (32 chars, …, fingerprint 1a2b3c4d)"``: safe to print."""
        what = f"{self.label} {self.shown}…" if self.shown else self.label
        named = f"{self.name}: " if self.name else ""
        return f"{named}{what} ({self.info.describe()})"

    def introduced(self) -> str:
        """``"added in commit 1a2b3c4d5e (2024-03-01T10:00:00+01:00, Jane Doe) at path:12"``."""
        more = f"; added again in {self.commits - 1} later commit(s)" if self.commits > 1 else ""
        return f"added in commit {self.commit[:10]} ({self.date}, {self.author}) at {self.location}{more}"


class TrackedFile(Struct, frozen=True, kw_only=True):
    """A file committed at HEAD that should not be: ``kind`` is a key of :data:`KINDS`."""

    location: Location
    kind: str
    size: int | None = None

    def describe(self) -> str:
        """``".env (environment file, 312 bytes)"``."""
        size = f", {self.size} bytes" if self.size is not None else ""
        return f"{self.location.path} ({KINDS[self.kind]}{size})"


class GitFacts(FactsBase, frozen=True, kw_only=True):
    """What source control holds.

    ``root`` is the repository's top level, ``head`` HEAD's commit; ``commits`` how many
    commits were scanned (``since`` as given); ``partial`` says, one line each, what could
    not be scanned (missing objects, the time limit, unreadable HEAD files; a shallow
    clone is ``shallow``, see :meth:`gaps`); ``secrets`` every distinct secret,
    placeholders included; ``tracked`` the sensitive files committed at HEAD. Paths are
    relative to the project directory. ``subdir`` is the project's directory inside the
    repository when it is not the top level: history, HEAD and committed files are then
    read under it only, so auditing one project of a monorepo judges that project.
    """

    collector: ClassVar[str] = "git"
    root: str
    head: str
    commits: int
    since: str | None
    shallow: bool
    partial: tuple[str, ...]
    secrets: tuple[HistorySecret, ...]
    tracked: tuple[TrackedFile, ...]
    subdir: str = ""
    refs: tuple[str, ...] = ()
    #: Every folder holding a file committed at HEAD, relative to ``root`` (``a``, ``a/b``);
    #: None when HEAD's tree could not be listed.
    tracked_dirs: frozenset[str] | None = None

    def tracks(self, folder: Path) -> bool | None:
        """Whether HEAD holds a file under ``folder`` (absolute); None when not known."""
        if self.tracked_dirs is None:
            return None
        try:
            rel = folder.resolve().relative_to(Path(self.root).resolve()).as_posix()
        except ValueError:
            return False  # outside the repository
        return rel == "." or rel in self.tracked_dirs

    def gaps(self, *, history: bool = True) -> list[str]:
        """What the scan missed: ``partial``, plus the shallow-clone note when ``history``.

        A shallow clone still shows all of HEAD's content (its boundary commit's diff adds
        every file), so checks about what HEAD holds pass ``history=False``.
        """
        shallow = [SHALLOW_NOTE] if self.shallow and history else []
        return shallow + list(self.partial)

    @property
    def collector_details(self) -> dict[str, object]:
        """What the scan covered and missed, said once for the collector (reports list it
        with the collector, not on every finding): ``scanned`` and ``notes``."""
        return {"scanned": f"{self.scope()}: {self.refs_summary()}", "notes": self.gaps()}

    def refs_summary(self) -> str:
        """``"2 branch(es) (feature, main), 1 tag(s) (v1.0)"``: the refs ``--all`` walked
        (``refs`` holds full names: ``refs/heads/main``); "HEAD only" when there are none."""
        parts = []
        left = sorted(self.refs)
        for prefix, label in _REF_KINDS:
            names = [r.removeprefix(prefix) for r in left if r.startswith(prefix)]
            left = [r for r in left if not r.startswith(prefix)]
            if names:
                more = f", +{len(names) - REFS_SHOWN} more" if len(names) > REFS_SHOWN else ""
                parts.append(f"{len(names)} {label} ({', '.join(names[:REFS_SHOWN])}{more})")
        return ", ".join(parts) or "HEAD only (no branch or tag)"

    def scope(self) -> str:
        """``"1234 commits on all refs since 2024-01-01"``: what the history scan covered."""
        since = f" since {self.since}" if self.since else ""
        shallow = " (shallow clone)" if self.shallow else ""
        under = f" touching {self.subdir}/" if self.subdir else ""
        return f"{self.commits} commit(s) on all refs{under}{since}{shallow}"
