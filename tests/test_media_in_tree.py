"""MEDIA_ROOT under the project folder (issue 10-13, case F): ``BASE_DIR / "media"`` in a
container deployment is a mounted volume, not committed. Inside STATIC_ROOT stays medium
(collectstatic can publish uploads); merely under the project folder is low, with the
reason, unless git tracks that folder (uploads end up committed), or whether it does is
unknown (git not read).

The layout is the common one, written anew: ``media/`` ignored by git, a compose file
mounting a volume there.
"""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, failing
from test_git_secrets import commit, start_repo

from golive.model import Location, Severity

PROD = "site_conf/settings/production.py"
MEDIA = 'MEDIA_ROOT = str(BASE_DIR / "media")\n'
LOW_REASON = (
    "media/ is not tracked by git: uploads there are a risk only if the web server executes files"
    " from it, or if uploads end up committed: low"
)


def _repo(root: Path, extra: dict[str, str | bytes | None]) -> Path:
    start_repo(root)
    commit(
        root,
        "Media in a volume",
        "2024-01-01T00:00:00+00:00",
        {
            "site_conf/settings/production.py": "from .base import *  # noqa\n" + MEDIA,
            ".gitignore": "media/\n",
            **extra,
        },
    )
    return root


def test_gl251_media_under_the_project_folder_untracked_is_low(tmp_path: Path) -> None:
    root = _repo(tmp_path / "proj", {})
    (root / "media").mkdir()
    (root / "media" / "avatar.png").write_bytes(b"\x89PNG")
    [f] = failing(audit_project(root, no_history=True), "GL251")
    assert (f.subjects, f.severity, f.location) == (
        ("MEDIA_ROOT",),
        Severity.LOW,
        Location(path=PROD, line=2),
    )
    assert f.evidence[0].startswith("MEDIA_ROOT ") and f.evidence[0].endswith(
        "/proj/media is inside the project directory " + str(root)
    )
    assert f.evidence[1] == LOW_REASON


def test_gl251_media_folder_tracked_by_git_stays_medium(tmp_path: Path) -> None:
    root = _repo(tmp_path / "proj", {".gitignore": "", "media/uploads/logo.png": b"\x89PNG"})
    [f] = failing(audit_project(root, no_history=True), "GL251")
    assert (f.severity, f.location) == (Severity.MEDIUM, Location(path=PROD, line=2))
    assert f.evidence[1] == "git tracks files under media/: uploads there end up committed"


def test_gl251_without_git_it_stays_medium(tmp_path: Path) -> None:
    root = _repo(tmp_path / "proj", {})
    [f] = failing(audit_project(root, no_history=True, no_git=True), "GL251")
    assert f.severity is Severity.MEDIUM
    assert f.evidence[1] == "whether git tracks media/ is unknown (the git history was not read)"
