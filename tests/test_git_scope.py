"""The git scan judges the audited project, not the whole repository around it.

A Django project inside a larger repository (a monorepo, or golive's own examples/)
is scanned under its own directory only: a secret committed elsewhere in the
repository is not this project's finding, one committed under it is.
"""

from __future__ import annotations

import string
from pathlib import Path

from conftest import audit_project, build_project
from test_git_secrets import commit, git, rand

from golive.model import Status

OUTSIDE_TOKEN = "ghp_" + rand(36, string.ascii_letters + string.digits)
INSIDE_TOKEN = "ghp_" + rand(36, string.ascii_letters + string.digits)


def test_history_is_scanned_under_the_project_directory_only(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    project = repo / "services" / "shop"
    build_project(project)
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    git(repo, "add", "-A")
    commit(repo, "start", "2026-01-01T10:00:00+00:00", {"README.md": "monorepo\n"})
    commit(
        repo,
        "other team's token",
        "2026-02-01T10:00:00+00:00",
        {"tools/deploy.py": f'TOKEN = "{OUTSIDE_TOKEN}"\n'},
    )
    commit(repo, "drop it", "2026-02-02T10:00:00+00:00", {"tools/deploy.py": None})
    sha = commit(
        repo,
        "our token",
        "2026-03-01T10:00:00+00:00",
        {"services/shop/shop/hooks.py": f'GITHUB_TOKEN = "{INSIDE_TOKEN}"\n'},
    )
    commit(repo, "drop ours", "2026-03-02T10:00:00+00:00", {"services/shop/shop/hooks.py": None})

    result = audit_project(project, no_history=True)

    removed = [f for f in result.findings if f.id == "GL122" and f.status is Status.FAIL]
    assert [f.location.path if f.location else None for f in removed] == ["shop/hooks.py"]
    assert any(sha[:10] in line for line in removed[0].evidence)
    text = "\n".join(line for f in result.findings for line in (*f.evidence, f.reason))
    assert "tools/deploy.py" not in text
    assert OUTSIDE_TOKEN not in text and INSIDE_TOKEN not in text
    git_run = next(c for c in result.collectors if c.name == "git")
    assert git_run.status == "ok"
