"""What HEAD holds, for the git collector (:mod:`golive.collectors.git`).

- :func:`find_in_head`: which of the values found in the history HEAD still holds, and where
  (``git grep -F -f -``, the values on stdin, each hit re-checked with the same rules);
- :func:`tracked_files`: the sensitive files committed at HEAD (``git ls-tree -r -l``, one
  ``git grep -l`` for ``.pem``/``.sql`` contents), by :mod:`golive.collectors.git.files`;
- :func:`env_templates`: the committed env files whose first lines say secrets do not belong
  there (:data:`NO_SECRETS_HERE`);
- :func:`tracked_dirs`: every folder of HEAD's tree (:func:`tracked_files_and_dirs`: both
  from one ``git ls-tree``).

Reference: git-grep(1), git-ls-tree(1), git-show(1) (https://git-scm.com/docs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from golive.collectors.git import files
from golive.collectors.git.command import last_error, run_git
from golive.collectors.git.history import Sighting
from golive.collectors.git.policy import DEFAULT, ScanPolicy
from golive.collectors.git.scanner import FileScanner
from golive.facts.secrets.rules import PRIVATE_KEY_RULE

#: ``git grep -l`` telling a private key ``.pem`` and a data dump ``.sql`` from the others.
CONTENT_GREP = (
    "grep",
    "-l",
    "-z",
    "-I",
    "-E",
    "-e",
    "PRIVATE KEY",
    "-e",
    "^-- (PostgreSQL database dump|MySQL dump|MariaDB dump)",
    "-e",
    "^(INSERT INTO|COPY .* FROM stdin;)",
)
#: Paths per ``git grep`` command line.
CONTENT_BATCH = 500
#: The first lines of an env template that says it holds no secrets ("# Do not put secrets here").
NO_SECRETS_HERE = re.compile(
    r"^\s*#.*\b(?:(?:do\s+not|don'?t|never|must\s+not|should\s+not)\s+(?:put|store|commit|add|keep|place|write)"
    r"|no\s+(?:real\s+)?(?:secrets?|credentials?|passwords?)\b|not\s+for\s+(?:secrets?|credentials?))",
    re.IGNORECASE,
)


def find_in_head(
    root: Path, sightings: Iterable[Sighting], pathspec: Sequence[str] = (), policy: ScanPolicy = DEFAULT
) -> tuple[dict[str, list[tuple[str, int]]], str]:
    """Where HEAD still holds each value: ``{value: [(repo path, line), ...]}`` and an error.

    One ``git grep -F`` with the values on stdin; every hit is re-checked with the same
    rules, so that a short value inside a longer word does not count. The error is ``""``
    when HEAD could be read completely.
    """
    wanted = {s.match.value: s.match.rule for s in sightings if "\n" not in s.match.value}
    hits: dict[str, list[tuple[str, int]]] = {}
    if not wanted:
        return hits, ""
    patterns = "\n".join(wanted).encode("utf-8") + b"\n"
    proc = run_git(
        root, "grep", "-I", "-n", "-z", "-F", "--no-color", "-f", "-", "HEAD", "--", *pathspec, stdin=patterns
    )
    error = last_error(proc.stderr) if proc.returncode > 1 or proc.stderr.strip() else ""
    for raw in proc.stdout.split(b"\n"):
        parts = raw.split(b"\x00", 2)
        if len(parts) != 3 or not parts[0].startswith(b"HEAD:"):
            continue
        path = parts[0][5:].decode("utf-8", "replace")
        try:
            line = int(parts[1])
        except ValueError:
            continue
        content = parts[2].decode("utf-8", "replace")
        rescanned = {m.value for m in FileScanner(path, policy).scan(content)}
        for value, rule in wanted.items():
            if value in rescanned or (rule == PRIVATE_KEY_RULE and value in content):
                hits.setdefault(value, []).append((path, line))
    return hits, error


def tracked_files(root: Path, pathspec: Sequence[str] = ()) -> tuple[list[tuple[str, str, int | None]], str]:
    """Sensitive files committed at HEAD: ``[(repo path, kind, size), ...]`` and an error."""
    found, error, _ = _tracked(root, pathspec, with_dirs=False)
    return found, error


def tracked_files_and_dirs(
    root: Path,
) -> tuple[list[tuple[str, str, int | None]], str, frozenset[str] | None]:
    """:func:`tracked_files` and :func:`tracked_dirs` of the whole tree from one
    ``git ls-tree -r -t`` (trees listed beside the blobs: the same folders as ``-r -d``)."""
    return _tracked(root, (), with_dirs=True)


def _tracked(
    root: Path, pathspec: Sequence[str], with_dirs: bool
) -> tuple[list[tuple[str, str, int | None]], str, frozenset[str] | None]:
    proc = run_git(
        root, "ls-tree", "-r", *(["-t"] if with_dirs else []), "-l", "-z", "--full-tree", "HEAD", *pathspec
    )
    if proc.returncode != 0:
        return [], f"git ls-tree HEAD failed: {last_error(proc.stderr)}", None
    found: list[tuple[str, str, int | None]] = []
    undecided: dict[str, tuple[str, int | None]] = {}
    dirs: set[str] = set()
    for entry in proc.stdout.split(b"\x00"):
        meta, _, raw_path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) == 4 and fields[1] == b"tree" and raw_path:
            dirs.add(raw_path.decode("utf-8", "replace"))
        if len(fields) != 4 or fields[1] != b"blob":
            continue
        path = raw_path.decode("utf-8", "replace")
        kind = files.classify(path)
        if kind is None:
            continue
        size = int(fields[3]) if fields[3].isdigit() else None
        if kind in files.NEEDS_CONTENT:
            undecided[path] = (kind, size)
        else:
            found.append((path, kind, size))
    paths = sorted(undecided)
    for at in range(0, len(paths), CONTENT_BATCH):
        grep = run_git(
            root, "--literal-pathspecs", *CONTENT_GREP, "HEAD", "--", *paths[at : at + CONTENT_BATCH]
        )
        for raw in grep.stdout.split(b"\x00"):
            path = raw.decode("utf-8", "replace").removeprefix("HEAD:")
            if path in undecided:
                kind, size = undecided[path]
                found.append((path, files.NEEDS_CONTENT[kind], size))
    return sorted(found), "", frozenset(dirs) if with_dirs else None


def env_templates(root: Path, tracked: Iterable[tuple[str, str, int | None]]) -> set[str]:
    """The committed env files (repository paths) whose first lines say secrets do not
    belong there (:data:`NO_SECRETS_HERE`): templates, not leaks."""
    found = set()
    for path, kind, _ in tracked:
        if kind != "env":
            continue
        shown = run_git(root, "show", f"HEAD:{path}")
        head = shown.stdout[:2000].decode("utf-8", "replace").splitlines()[:3]
        if any(NO_SECRETS_HERE.search(line) for line in head):
            found.add(path)
    return found


def tracked_dirs(root: Path) -> frozenset[str] | None:
    """Every folder of HEAD's tree (``git ls-tree -r -d``), relative to ``root``; None on error."""
    proc = run_git(root, "ls-tree", "-r", "-d", "-z", "--name-only", "--full-tree", "HEAD")
    if proc.returncode != 0:
        return None
    return frozenset(p.decode("utf-8", "replace") for p in proc.stdout.split(b"\x00") if p)
