"""``FROM --platform=... image AS name``: the stage keeps its name (review of 0f891f6, item 8).

Docker's ``FROM [--platform=<platform>] <image> [AS <name>]``
(https://docs.docker.com/reference/dockerfile/#from): the flags come before the image, and
a stage named after them is still a stage later ``FROM``s and a compose ``build.target`` name.
"""

from __future__ import annotations

from pathlib import Path


def test_a_stage_from_with_platform_keeps_its_name_and_inherits(tmp_path: Path) -> None:
    from test_gunicorn import context

    from golive.collectors.appservers.dockerfiles import read as read_dockerfile
    from golive.collectors.project import collect

    (tmp_path / "Dockerfile").write_text(
        "FROM --platform=$BUILDPLATFORM python:3.12 AS base\n"
        "USER app\nWORKDIR /app\n"
        'CMD ["gunicorn", "shop.wsgi", "-b", "0.0.0.0:8000"]\n'
        "FROM --platform=linux/amd64 base AS release\n"
        "FROM base AS dev\nUSER root\n"
        'CMD ["python", "manage.py", "runserver"]\n'
    )
    release = read_dockerfile(tmp_path / "Dockerfile", "Dockerfile", "release")
    assert (release.user, release.workdir) == ("app", "/app")  # inherited from base
    assert [c.argv[0] for c in release.commands] == ["gunicorn"]
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    build:\n      context: .\n      target: release\n"
        "    command: gunicorn shop.wsgi\n"
    )
    commands = collect(context(tmp_path)).commands
    served = [(c.origin, c.stage, c.user, c.cwd) for c in commands if c.origin == "docker-compose command"]
    assert served == [("docker-compose command", "release", "app", "/app")]
    last = [(c.user, c.cwd) for c in commands if c.origin == "Dockerfile CMD"]
    assert last == [("root", "/app")]  # the last stage, dev, FROM base
