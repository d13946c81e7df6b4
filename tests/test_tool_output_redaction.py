"""What a tool golive runs says about the project is redacted before it is kept.

``nginx -t``'s first error line (:func:`golive.collectors.nginx.binary.nginx_test`) and
gunicorn's message about a configuration it cannot load
(:func:`golive.collectors.appservers.gunicorn_process.load_all`) quote the project's files; both go through
:func:`golive.redact.redact_text` (review of 0f891f6, items 14 and 15). Secrets are built at
test time.
"""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest
from test_gunicorn import context

from golive.collectors import CollectorError
from golive.collectors.appservers import gunicorn
from golive.collectors.nginx import binary as nginx_bin


def canary(label: str) -> str:
    return f"{label}{secrets.token_hex(12)}"


def test_the_nginx_test_output_is_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    password = canary("pw")
    fake = tmp_path / "nginx"
    fake.write_text(
        f"#!/bin/sh\necho 'nginx: [emerg] unexpected \"API_TOKEN={password}\" in /srv/x.conf:3' >&2\nexit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(nginx_bin, "nginx_binary", lambda: str(fake))
    (tmp_path / "site.conf").write_text("server { listen 80; }\n")
    result = nginx_bin.nginx_test(tmp_path / "site.conf", fragment=False, workdir=tmp_path)
    assert result.ran and not result.ok
    assert password not in result.output and "API_TOKEN=***" in result.output


def test_a_gunicorn_config_error_is_redacted(tmp_path: Path) -> None:
    token = canary("tok")
    (tmp_path / "gunicorn.conf.py").write_text(f'workers = int("API_TOKEN={token}")\n')
    (tmp_path / "Procfile").write_text("web: gunicorn -c gunicorn.conf.py shop.wsgi\n")
    with pytest.raises(CollectorError) as raised:
        gunicorn.collect(context(tmp_path))
    assert token not in str(raised.value) and "API_TOKEN=***" in str(raised.value)


def test_a_gunicorn_config_error_quoting_credentials_without_a_scheme_is_redacted(tmp_path: Path) -> None:
    """Python quotes the value it could not read (``invalid literal for int() with base 10:
    'app:password@db:5432'``): no scheme, still a password."""
    password = canary("pw")
    (tmp_path / "gunicorn.conf.py").write_text(f'workers = int("app:{password}@db:5432")\n')
    (tmp_path / "Procfile").write_text("web: gunicorn -c gunicorn.conf.py shop.wsgi\n")
    with pytest.raises(CollectorError) as raised:
        gunicorn.collect(context(tmp_path))
    assert password not in str(raised.value) and "'app:***@db:5432'" in str(raised.value)
