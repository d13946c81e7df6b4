"""Scoring of a golive report against a corpus verdict table (benchmarks/corpus/README.md).

Pure functions on plain data (the report as parsed JSON, the table as parsed TOML): no files,
no processes, so ``tests/test_corpus_scoring.py`` can check every rule on small made-up inputs.

- A table row whose verdict is PROBLEM or RISKY DEFAULT is a *problem*. It is **found** when a
  finding with status ``fail`` matches the row's ``match``; **partial** when instead a non-pass
  finding matches ``partial``, or a ``manual`` finding matches ``match``; else **missed**.
- A **false alarm** is a failing finding at severity medium or above that matches no problem
  row (neither its ``match`` nor its ``partial``).
- A **leak** is a generated secret (whole, or any 12-character slice of it) found in an output.

The table's ``deployment_files`` (relative to the repository root) are scored twice
(:func:`files_seen`):

- **read** (audited): the report shows golive read the file: its path is in a collector's
  ``details`` (the files a collector read, or listed as not audited there), in a finding's
  location or evidence, in the ``inputs``, or in the report's ``deployment_files`` with
  ``audited: true`` (a collector writes that entry only for a file it is about to read:
  ``golive.collectors.layout.Layout.admit``);
- **discovered**: read, or listed in the report's ``deployment_files`` at all: seen and left
  out (development, test, example, ignored) or recognised and not audited, each with its
  role and reason. A file the report never names is neither.

A row's **layer** (``layer = "appserver"`` or ``"nginx"``: the application server or the nginx
in front of it, whatever the row's section) groups the rows the issue-12 measure counts
(:func:`layer_counts`): found/partial/missed over the problem rows of each layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

VERDICTS = ("OK", "PROBLEM", "RISKY DEFAULT", "N/A")
LAYERS = ("appserver", "nginx")
PROBLEM_VERDICTS = frozenset({"PROBLEM", "RISKY DEFAULT"})
CRITERIA = ("subjects", "paths", "keywords", "ids")
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
FALSE_ALARM_MIN = "medium"
LEAK_SLICE = 12

Finding = Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Criteria:
    """A row's ``match`` or ``partial``: every given criterion must hold (omitted ones do)."""

    subjects: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: object) -> Criteria | None:
        """The criteria of a table value; ``None`` when absent or empty (matches nothing)."""
        if not isinstance(raw, Mapping) or not raw:
            return None
        values = {}
        for name in CRITERIA:
            value = raw.get(name, ())
            if isinstance(value, str):
                value = (value,)
            values[name] = tuple(str(v) for v in value if str(v))
        crit = cls(**values)
        return crit if any(values.values()) else None

    def matches(self, finding: Finding, *, prefix: str = "") -> bool:
        """Whether ``finding`` meets every criterion. ``prefix`` is the audited folder relative to
        the repository root (the table's paths are relative to the root, golive's to the project)."""
        subjects = [str(s) for s in finding.get("subjects") or ()]
        evidence = [str(e) for e in finding.get("evidence") or ()]
        if self.subjects:
            wanted = {s.casefold() for s in self.subjects}
            if not any(s.casefold() in wanted for s in subjects):
                return False
        if self.paths and not _path_matches(self.paths, finding, evidence, prefix):
            return False
        if self.keywords:
            text = "\n".join([str(finding.get("title", "")), *evidence, *subjects]).casefold()
            if not any(k.casefold() in text for k in self.keywords):
                return False
        if self.ids:
            fid = str(finding.get("id", ""))
            if not any(fid.startswith(i) for i in self.ids):
                return False
        return True


def _path_matches(paths: Sequence[str], finding: Finding, evidence: Sequence[str], prefix: str) -> bool:
    location = finding.get("location") or {}
    where = _norm(str(location.get("path") or ""))
    candidates = [where, _join(prefix, where)] if where else []
    for p in (_norm(p) for p in paths):
        if any(c.endswith(p) for c in candidates):
            return True
        if any(p in e for e in evidence):
            return True
    return False


def _norm(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _join(prefix: str, path: str) -> str:
    prefix = _norm(prefix).strip("/")
    return f"{prefix}/{path}" if prefix and prefix != "." else path


def finding_ref(finding: Finding) -> str:
    """``GL104 fail high SECRET_KEY ... (settings.py:12)``: one line naming a finding."""
    location = finding.get("location") or {}
    where = ""
    if location.get("path"):
        line = location.get("line")
        where = f" ({location['path']}{f':{line}' if line else ''})"
    return (
        f"{finding.get('id')} {finding.get('status')} {finding.get('severity')} {finding.get('title')}{where}"
    )


@dataclass(frozen=True, kw_only=True)
class RowScore:
    key: str
    item: str
    verdict: str
    outcome: str  # found | partial | missed
    layer: str = ""  # appserver | nginx | "" (the table's ``layer``)
    by: tuple[str, ...] = ()  # finding_ref of what matched
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class FalseAlarm:
    id: str
    severity: str
    title: str
    where: str  # path:line, or ""


@dataclass(frozen=True, kw_only=True)
class Scorecard:
    rows: tuple[RowScore, ...]
    false_alarms: tuple[FalseAlarm, ...]
    problems: int = field(init=False)
    found: int = field(init=False)
    partial: int = field(init=False)
    missed: int = field(init=False)

    def __post_init__(self) -> None:
        count = {o: sum(1 for r in self.rows if r.outcome == o) for o in ("found", "partial", "missed")}
        object.__setattr__(self, "problems", len(self.rows))
        object.__setattr__(self, "found", count["found"])
        object.__setattr__(self, "partial", count["partial"])
        object.__setattr__(self, "missed", count["missed"])


def validate_table(table: Mapping[str, Any]) -> list[str]:
    """What is wrong with a verdict table, one line each (empty when nothing is)."""
    problems: list[str] = []
    project = table.get("project")
    if not isinstance(project, Mapping):
        problems.append("no [project] table")
    else:
        for name in ("name", "repo", "commit"):
            if not project.get(name):
                problems.append(f"[project] {name} is missing")
    seen: set[str] = set()
    for n, row in enumerate(table.get("row") or (), 1):
        key = str(row.get("key") or f"row {n}")
        if not row.get("key"):
            problems.append(f"row {n}: no key")
        elif key in seen:
            problems.append(f"{key}: key used twice")
        seen.add(key)
        if row.get("verdict") not in VERDICTS:
            problems.append(f"{key}: verdict {row.get('verdict')!r} is none of {', '.join(VERDICTS)}")
        for name in ("match", "partial"):
            raw = row.get(name)
            if isinstance(raw, Mapping):
                unknown = sorted(set(raw) - set(CRITERIA))
                if unknown:
                    problems.append(f"{key}: {name} has unknown criteria {', '.join(unknown)}")
        if row.get("layer") not in (None, *LAYERS):
            problems.append(f"{key}: layer {row.get('layer')!r} is none of {', '.join(LAYERS)}")
        if row.get("verdict") in PROBLEM_VERDICTS and Criteria.parse(row.get("match")) is None:
            problems.append(f"{key}: {row.get('verdict')} row without match criteria (can never be found)")
    return problems


def score(report: Mapping[str, Any], table: Mapping[str, Any], *, prefix: str = "") -> Scorecard:
    """Score one report against one table (see the module docstring for the rules)."""
    findings = [f for f in report.get("findings") or () if isinstance(f, Mapping)]
    rows: list[RowScore] = []
    explained: set[int] = set()  # indexes into findings matched by a problem row's match or partial
    for row in table.get("row") or ():
        if row.get("verdict") not in PROBLEM_VERDICTS:
            continue
        match = Criteria.parse(row.get("match"))
        partial = Criteria.parse(row.get("partial"))
        full_hits = [i for i, f in enumerate(findings) if match and match.matches(f, prefix=prefix)]
        part_hits = [i for i, f in enumerate(findings) if partial and partial.matches(f, prefix=prefix)]
        explained.update(full_hits, part_hits)
        found = [findings[i] for i in full_hits if findings[i].get("status") == "fail"]
        hinted = [findings[i] for i in part_hits if findings[i].get("status") != "pass"]
        hinted += [findings[i] for i in full_hits if findings[i].get("status") == "manual"]
        outcome, by = ("found", found) if found else ("partial", hinted) if hinted else ("missed", [])
        rows.append(
            RowScore(
                key=str(row.get("key", "")),
                item=str(row.get("item", "")),
                verdict=str(row.get("verdict")),
                outcome=outcome,
                layer=str(row.get("layer") or ""),
                by=tuple(dict.fromkeys(finding_ref(f) for f in by)),
                note="" if match else "no match criteria",
            )
        )
    alarms = [
        _false_alarm(f)
        for i, f in enumerate(findings)
        if f.get("status") == "fail" and i not in explained and _at_least(f.get("severity"), FALSE_ALARM_MIN)
    ]
    return Scorecard(rows=tuple(rows), false_alarms=tuple(alarms))


def _at_least(severity: object, floor: str) -> bool:
    return SEVERITY_RANK.get(str(severity), -1) >= SEVERITY_RANK[floor]


def _false_alarm(finding: Finding) -> FalseAlarm:
    location = finding.get("location") or {}
    where = str(location.get("path") or "")
    if where and location.get("line"):
        where = f"{where}:{location['line']}"
    return FalseAlarm(
        id=str(finding.get("id", "")),
        severity=str(finding.get("severity", "")),
        title=str(finding.get("title", "")),
        where=where,
    )


@dataclass(frozen=True, kw_only=True)
class Leak:
    secret: str  # the env variable the secret was generated for (never the value)
    where: str  # the output it was found in
    how: str  # "whole" or "12-character slice"


def find_leaks(secrets: Mapping[str, str], outputs: Iterable[tuple[str, bytes]]) -> list[Leak]:
    """Every (secret, output) pair where the output contains the secret or a slice of it."""
    needles = {name: _slices(value) for name, value in secrets.items() if value}
    leaks: list[Leak] = []
    for where, content in outputs:
        for name, (whole, slices) in needles.items():
            if whole in content:
                leaks.append(Leak(secret=name, where=where, how="whole"))
            elif any(s in content for s in slices):
                leaks.append(Leak(secret=name, where=where, how=f"{LEAK_SLICE}-character slice"))
    return leaks


def _slices(value: str) -> tuple[bytes, list[bytes]]:
    raw = value.encode()
    return raw, [raw[i : i + LEAK_SLICE] for i in range(max(len(raw) - LEAK_SLICE + 1, 0))]


def layer_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per layer (:data:`LAYERS`), how many problem rows were found, partial, missed, and their total."""
    out = {layer: {"found": 0, "partial": 0, "missed": 0, "total": 0} for layer in LAYERS}
    for row in rows:
        counts = out.get(str(row.get("layer") or ""))
        if counts is not None:
            counts[str(row.get("outcome"))] += 1
            counts["total"] += 1
    return out


def _variants(path: str, prefix: str) -> set[str]:
    p = _norm(path)
    variants = {p}
    pre = _norm(prefix).strip("/")
    if pre and pre != "." and p.startswith(pre + "/"):
        variants.add(p[len(pre) + 1 :])
    return variants


def files_read(report: Mapping[str, Any], files: Sequence[str], *, prefix: str = "") -> dict[str, bool]:
    """For each deployment file of the table, whether the report shows golive read it: its path
    appears in a collector's details, a finding's location or evidence, or the inputs."""
    texts = list(_report_strings(report))
    shown: dict[str, bool] = {}
    for path in files:
        patterns = [
            re.compile(rf"(?:^|[/\s'\"(:=,\[]){re.escape(v)}(?:$|[\s:'\"),\]])")
            for v in _variants(path, prefix)
        ]
        shown[path] = any(pat.search(t) for pat in patterns for t in texts)
    return shown


def files_seen(report: Mapping[str, Any], files: Sequence[str], *, prefix: str = "") -> dict[str, str]:
    """For each deployment file of the table: ``"read"``, ``"discovered"`` or ``""`` (neither),
    by the rules of the module docstring."""
    shown = files_read(report, files, prefix=prefix)
    listed: dict[str, bool] = {}
    for entry in report.get("deployment_files") or ():
        if isinstance(entry, Mapping) and entry.get("path"):
            path = _norm(str(entry["path"]))
            listed[path] = listed.get(path, False) or bool(entry.get("audited"))
    seen: dict[str, str] = {}
    for path in files:
        audited = [listed[v] for v in _variants(path, prefix) if v in listed]
        if shown[path] or any(audited):
            seen[path] = "read"
        elif audited:
            seen[path] = "discovered"
        else:
            seen[path] = ""
    return seen


def _report_strings(report: Mapping[str, Any]) -> Iterable[str]:
    for collector in report.get("collectors") or ():
        yield from _strings(collector.get("details"))
    for finding in report.get("findings") or ():
        location = finding.get("location") or {}
        if location.get("path"):
            yield _norm(str(location["path"]))
        yield from (str(e) for e in finding.get("evidence") or ())
    yield from _strings(report.get("inputs"))


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield _norm(value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield _norm(str(k))
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
