"""A file golive cannot parse is named in the collector's notes without its raw lines.

Parser messages quote the offending line (PyYAML's snippet under a mark, configparser's
``[line 3]: '...'``); notes are shown in every report and stored in the history, so only the
exception type, the problem and the line/column are kept (DESIGN.md, "Conventions": golive
never prints, logs or stores a secret). The secrets are built at test time.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import yaml
from test_gunicorn import context

from golive.collectors import project
from golive.collectors.nginx.context import ComposeContext


def canary(label: str) -> str:
    return f"{label}{secrets.token_urlsafe(18)}"


def test_broken_files_are_noted_by_problem_and_line_only(tmp_path: Path) -> None:
    heroku, supervisor, compose = canary("heroku"), canary("supervisor"), canary("compose")
    (tmp_path / "heroku.yml").write_text(f'run:\n  web: "gunicorn app --header X-Custom:{heroku}\n')
    (tmp_path / "supervisord.conf").write_text(f"[program:web]\ncommand=gunicorn app\n{supervisor}\n")
    (tmp_path / "docker-compose.yml").write_text(
        f'services:\n  web:\n    image: shop\n    command: "gunicorn --header X-Custom:{compose}\n'
    )
    facts = project.collect(context(tmp_path))
    notes = "\n".join(facts.unread)
    for value in (heroku, supervisor, compose):
        assert value not in notes
    assert "heroku.yml: ScannerError: found unexpected end of stream at line 3, column 1" in notes
    assert "supervisord.conf: ParsingError: lines that are not 'key = value' (line 3)" in notes
    errors = "\n".join(ComposeContext(tmp_path, {}).errors)
    assert compose not in errors and "docker-compose.yml: ScannerError" in errors


def test_describe_keeps_the_problem_and_the_place() -> None:
    from golive.parse_errors import describe

    secret = canary("yaml")
    try:
        yaml.compose(f'key: "value {secret}\n')  # the pure-Python loader quotes the line
    except yaml.YAMLError as exc:
        said = describe(exc)
    assert secret not in said
    assert said.startswith("ScannerError: ") and "line 2, column 1" in said


def test_crossplane_errors_are_redacted(tmp_path: Path) -> None:
    from golive.collectors.nginx.read import validate

    token = canary("tok")
    conf = tmp_path / "site.conf"
    conf.write_text(f'events {{}}\nhttp {{\n    "API_TOKEN={token}";\n}}\n')
    errors, _ = validate(conf, tmp_path, tmp_path)
    assert errors and all(token not in e.message for e in errors)
    assert [e.message for e in errors] == ['unknown directive "API_TOKEN=***"']
