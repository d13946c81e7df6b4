"""The deployed-settings search reads candidates only (review of 0f891f6, item 10).

:func:`golive.deployed_settings.named_by_deployment` decides a file's kind by its name
first and reads only files that may be deployment files (a Procfile, a Dockerfile, YAML, a
systemd unit, an ini or conf file, a shell script); the data files, docs and sources of a
repository are never opened. Files are classified through the audit's
:meth:`golive.collectors.layout.Layout.classify`, so the report's list of deployment files
holds the ones it judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive import deployed_settings
from golive.collectors.layout import Layout


def test_only_candidate_files_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "shop" / "settings").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "settings" / "__init__.py").write_text("")
    (tmp_path / "shop" / "settings" / "prod.py").write_text("DEBUG = False\n")
    (tmp_path / "Procfile").write_text("web: DJANGO_SETTINGS_MODULE=shop.settings.prod gunicorn shop.wsgi\n")
    (tmp_path / "README.md").write_text("DJANGO_SETTINGS_MODULE=shop.settings.prod\n")
    (tmp_path / "data.csv").write_text("x\n" * 1000)
    (tmp_path / "shop" / "views.py").write_text("import os\n")
    read: list[str] = []
    real = deployed_settings._read

    def spy(path: Path) -> str | None:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(deployed_settings, "_read", spy)
    layout = Layout(tmp_path)
    named = deployed_settings.named_by_deployment(tmp_path, tmp_path, layout)
    assert [(n.module, n.path) for n in named] == [("shop.settings.prod", "Procfile")]
    assert read == ["Procfile"]
    assert [(f.path, f.kind) for f in layout.files()] == [("Procfile", "Procfile")]
