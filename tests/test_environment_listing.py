"""The installed distributions of the project's interpreter, listed without the runtime probe
(:mod:`golive.collectors.dependencies.environment`): a real venv, a real subprocess; a second
listing of an unchanged venv reads golive's cache, a distribution installed, upgraded or
removed is listed again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from golive import processes
from golive.collectors.dependencies.environment import Listing


def install(site: Path, name: str, version: str) -> Path:
    """A wheel's ``NAME-VERSION.dist-info`` as pip writes it (what the listing reads)."""
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return info


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = next(root.glob("lib/python*/site-packages"))
    return str(root / "bin" / "python"), site


class Counted:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = 0
        start = processes.start

        def counting(argv: list[str], **kwargs: object) -> object:
            self.started += 1
            return start(argv, **kwargs)

        monkeypatch.setattr(processes, "start", counting)


def listed(python: str, cache: Path | None) -> dict[str, str]:
    rows = Listing(python, {}, 30.0, cache, 3600.0).result()
    return {str(name): str(version) for name, version, _ in rows}


def test_a_second_listing_of_an_unchanged_venv_starts_no_interpreter(
    venv: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python, site = venv
    info = install(site, "golivetestpkg", "1.0")
    counted = Counted(monkeypatch)
    try:
        assert listed(python, tmp_path)["golivetestpkg"] == "1.0"
        assert listed(python, tmp_path)["golivetestpkg"] == "1.0"
        assert counted.started == 1
        assert listed(python, None) == listed(python, tmp_path)  # the cache gives what the venv says
        assert counted.started == 2
        info.rename(site / "golivetestpkg-1.1.dist-info")  # upgraded
        assert listed(python, tmp_path)["golivetestpkg"] == "1.1"
        assert counted.started == 3
        install(site, "golivetestother", "2.0")
        assert listed(python, tmp_path)["golivetestother"] == "2.0"
        assert counted.started == 4
        assert listed(python, tmp_path)["golivetestother"] == "2.0"
        assert counted.started == 4
    finally:
        for path in site.glob("golivetest*"):
            for f in path.iterdir():
                f.unlink()
            path.rmdir()
    assert "golivetestpkg" not in listed(python, tmp_path)  # removed
    assert counted.started == 5


def test_an_interpreter_that_cannot_start_is_the_collectors_error(tmp_path: Path) -> None:
    from golive.collectors import CollectorError

    missing = tmp_path / "no-such-python"
    with pytest.raises(CollectorError) as exc:
        Listing(str(missing), {}, 30.0, tmp_path, 3600.0).result()
    assert str(exc.value) == f"cannot run {missing}: No such file or directory: pass --python"
