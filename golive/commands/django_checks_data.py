"""The table of Django's own check ids, built from Django's check reference (issue 13).

``golive update-data`` writes ``golive/data/django_checks.json``: for each supported Django
series (end of extended support not passed, from ``django_releases.json``) and 4.2 LTS, the
ids that series' ``docs/ref/checks.txt`` lists ("System check framework" reference,
https://docs.djangoproject.com/en/stable/ref/checks/), each with its level (from the id's
letter: ``E`` error, ``W`` warning, ``C`` critical, ``I`` info, ``D`` debug), Django's
text (rST roles reduced to their text), the section it is listed under and that section's
anchor on Django's page. The sdists are fetched with ``pip download django==X --no-deps
--no-binary :all:`` (:func:`golive.commands.update_data.download_sdist`).

Errors: :class:`golive.commands.update_data.UpdateError` (pip failed, no checks.txt).
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

#: Django's levels by the letter of the id (django.core.checks.messages).
LEVELS = {"C": "critical", "E": "error", "W": "warning", "I": "info", "D": "debug"}
ITEM_RE = re.compile(
    r"^\* \*\*(?P<id>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*\.(?P<letter>[CEWID])\d+)\*\*:\s*(?P<text>.*)$"
)
UNDERLINE_RE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
CHECKS_FILE = "django_checks.json"
#: Series golive keeps a table for even after their support ended (LTS still widely deployed).
ALWAYS = ("4.2",)


def read_checks_reference(path: Path) -> str:
    """The text of ``docs/ref/checks.txt`` in the Django sdist at ``path``."""
    from golive.commands.update_data import UpdateError

    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.isfile() and member.name.endswith("/docs/ref/checks.txt"):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        return handle.read().decode("utf-8", "replace")
    except (OSError, tarfile.TarError) as exc:
        raise UpdateError(f"{path}: not a readable sdist: {exc}") from None
    raise UpdateError(f"{path}: no docs/ref/checks.txt in this sdist")


def plain(text: str) -> str:
    """Django's rST reduced to what a reader sees: ``:setting:`X <Y>``` → ``X``,
    ``:class:`~a.b.C``` → ``C``, ````code```` → ``code``, ``*em*`` → ``em``, ``\\s`` → ``s``."""

    def role(match: re.Match[str]) -> str:
        inner = re.sub(r"\s*<[^>]*>$", "", match.group(1))
        if inner.startswith("~"):
            inner = inner[1:].rsplit(".", 1)[-1]
        return inner.lstrip("!")

    text = re.sub(r":[a-z]+:`([^`]*)`", role, text)
    text = re.sub(r"``([^`]*)``", r"\1", text)
    text = re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"\1", text)
    text = text.replace("\\", "")
    return " ".join(text.split())


def anchor(title: str) -> str:
    """The id Sphinx gives a section titled ``title`` (docutils' ``make_id``)."""
    from docutils.nodes import make_id

    return str(make_id(title))


def parse_checks_reference(text: str) -> dict[str, dict[str, str]]:
    """Every ``* **id**: text`` item of Django's check reference: id → ``level``, ``text``,
    ``section`` (the nearest heading above it) and ``anchor``. Continuation lines are the
    indented lines that follow; a heading is a line underlined with ``=``, ``-``, ``~``..."""
    lines = text.splitlines()
    out: dict[str, dict[str, str]] = {}
    section = ""
    current: dict[str, str] | None = None
    for i, line in enumerate(lines):
        if (
            i + 1 < len(lines)
            and line.strip()
            and UNDERLINE_RE.match(lines[i + 1])
            and not line.startswith(" ")
        ):
            if not UNDERLINE_RE.match(line):
                section, current = plain(line.strip()), None
            continue
        match = ITEM_RE.match(line)
        if match:
            current = {
                "level": LEVELS[match.group("letter")],
                "text": match.group("text"),
                "section": section,
                "anchor": anchor(section),
            }
            out[match.group("id")] = current
        elif current is not None and line.startswith("  ") and line.strip():
            current["text"] += " " + line.strip()
        else:
            current = None
    for entry in out.values():
        entry["text"] = plain(entry["text"])
    return out


def supported_series(releases: list[dict[str, Any]], today: str) -> list[tuple[str, str]]:
    """(series, latest release) of every series whose extended support has not ended on
    ``today`` (ISO date; a month-precision end counts to the month's end), plus
    :data:`ALWAYS`; only released series."""
    out = []
    for row in releases:
        latest = row.get("latest")
        if not latest:
            continue
        end = str(row.get("extended_end") or "")
        if row["series"] in ALWAYS or (end[:7] >= today[:7] if len(end) == 7 else end >= today):
            out.append((str(row["series"]), str(latest)))
    return out


def build_checks_table(
    sdists: dict[str, Path], today: str, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The ``django_checks.json`` data from ``{series: sdist path}``; the series of
    ``previous`` (the table shipped so far) that ``sdists`` does not cover are kept."""
    series: dict[str, Any] = dict((previous or {}).get("series") or {})
    for name, path in sorted(sdists.items()):
        version = path.name[len("django-") : -len(".tar.gz")]
        series[name] = {"sdist": version, "checks": parse_checks_reference(read_checks_reference(path))}
    return {
        "schema": 1,
        "generated": today,
        "generator": "golive update-data",
        "source": "docs/ref/checks.txt of each Django sdist (https://docs.djangoproject.com/en/stable/ref/checks/)",
        "series": dict(sorted(series.items())),
    }


def generate_checks(
    out_dir: Path,
    releases: list[dict[str, Any]],
    today: str,
    *,
    cache_dir: Path,
    sdist: Path | None = None,
) -> Path:
    """Write ``django_checks.json`` into ``out_dir`` and return its path: one entry per
    :func:`supported_series` (each latest release's sdist downloaded with pip into
    ``cache_dir``), or only the series of ``sdist`` when one is given (the others kept from
    the file already there). Raises ``UpdateError``."""
    from golive.commands.update_data import download_sdist
    from golive.data.tables import series_of

    path = out_dir / CHECKS_FILE
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    if sdist is not None:
        version = sdist.name[len("django-") : -len(".tar.gz")]
        sdists = {series_of(version): sdist}
    else:
        sdists = {
            name: download_sdist(latest, cache_dir) for name, latest in supported_series(releases, today)
        }
    table = build_checks_table(sdists, today, previous)
    path.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
