"""golive's cache of gunicorn's loader answers (:mod:`golive.collectors.appservers.gunicorn_cache`).

Real gunicorn, real files: a second collection of an unchanged project starts no loader and
gives the same facts; a change to anything the config read (a module it imported, a file it
opened, a path it tested, a variable of the environment) is loaded again.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from msgspec.structs import replace
from test_gunicorn import context

from golive import processes
from golive.collectors.appservers import gunicorn
from golive.config import Config
from golive.facts.gunicorn import GunicornFacts

CONFIG = """\
import os
import helper

workers = int(os.environ.get("GLT_WORKERS", "3"))
bind = "0.0.0.0:9000" if os.path.exists("flag") else helper.BIND
with open("extra.txt") as fh:
    timeout = int(fh.read())
"""


def backdate(folder: Path) -> None:
    """Files written a minute ago: an answer is not kept for files (or folders) changed while
    it loaded."""
    past = time.time() - 60
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (past, past))


def project(tmp_path: Path, config: str = CONFIG) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "gunicorn.conf.py").write_text(config)
    (folder / "helper.py").write_text('BIND = "127.0.0.1:8000"\n')
    (folder / "extra.txt").write_text("40\n")
    backdate(folder)
    return folder


class Loads:
    """Collects with the cache under ``tmp_path``, counting the loaders started."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cache = tmp_path / "cache"
        self.started = 0
        start = processes.start

        def counting(argv: list[str], **kwargs: object) -> object:
            self.started += "gunicorn_loader.py" in " ".join(map(str, argv))
            return start(argv, **kwargs)

        monkeypatch.setattr(processes, "start", counting)

    def __call__(self, folder: Path, **env: str) -> GunicornFacts:
        facts = gunicorn.collect(context(folder, XDG_CACHE_HOME=str(self.cache), **env))
        assert isinstance(facts, GunicornFacts)
        return facts


@pytest.fixture
def loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loads:
    monkeypatch.delenv("GLT_WORKERS", raising=False)
    return Loads(tmp_path, monkeypatch)


def settings(facts: GunicornFacts) -> tuple[object, ...]:
    server = facts.servers[0]
    return server.settings["workers"], server.settings["bind"], server.settings["timeout"]


def test_a_second_collection_starts_no_loader_and_gives_the_same_facts(tmp_path: Path, loads: Loads) -> None:
    folder = project(tmp_path)
    cold = loads(folder)
    assert loads.started == 1
    warm = loads(folder)
    assert loads.started == 1
    assert warm == cold
    assert settings(warm) == (3, ["127.0.0.1:8000"], 40)
    entries = list((tmp_path / "cache" / "golive" / "gunicorn").glob("*.json"))
    assert len(entries) == 1
    kept = json.loads(entries[0].read_text())
    assert str(folder / "helper.py") in kept["inputs"]["modules"]
    assert "GLT_WORKERS" in kept["inputs"]["env"]
    assert "127.0.0.1" not in json.dumps(kept["inputs"])  # names of inputs, not their values


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: (f / "helper.py").write_text('BIND = "10.0.0.1:8000"\n'), (3, ["10.0.0.1:8000"], 40)),
        (lambda f: (f / "extra.txt").write_text("50\n"), (3, ["127.0.0.1:8000"], 50)),
        (lambda f: (f / "flag").write_text(""), (3, ["0.0.0.0:9000"], 40)),
        (
            lambda f: (f / "gunicorn.conf.py").write_text(CONFIG + "graceful_timeout = 5\n"),
            (3, ["127.0.0.1:8000"], 40),
        ),
    ],
    ids=["imported-module", "opened-file", "tested-path", "config-file"],
)
def test_a_change_to_what_the_config_read_loads_it_again(
    tmp_path: Path, loads: Loads, change: object, expected: tuple[object, ...]
) -> None:
    folder = project(tmp_path)
    loads(folder)
    change(folder)  # type: ignore[operator]
    backdate(folder)
    assert settings(loads(folder)) == expected
    assert loads.started == 2
    assert settings(loads(folder)) == expected  # kept again
    assert loads.started == 2


def test_a_file_made_in_the_folder_of_pwd_keeps_the_answer(tmp_path: Path, loads: Loads) -> None:
    """gunicorn compares ``$PWD`` with its working directory (``os.stat``): the folder's
    identity is in the key, not its time, which every report written there changes."""
    folder = project(tmp_path)
    loads(folder, PWD=str(tmp_path))
    (tmp_path / "report.json").write_text("{}")
    loads(folder, PWD=str(tmp_path))
    assert loads.started == 1


def test_a_variable_the_config_reads_is_in_the_key(tmp_path: Path, loads: Loads) -> None:
    folder = project(tmp_path)
    assert settings(loads(folder))[0] == 3
    assert settings(loads(folder, GLT_WORKERS="5"))[0] == 5
    assert loads.started == 2
    assert settings(loads(folder, GLT_WORKERS="5", UNREAD_VARIABLE="x"))[0] == 5  # kept
    assert loads.started == 2
    assert settings(loads(folder))[0] == 3  # one answer kept per project: the last one
    assert loads.started == 3


def test_a_folder_listed_without_a_name_and_bytes_variables_are_in_the_key(
    tmp_path: Path, loads: Loads
) -> None:
    """``os.listdir()`` (the working directory) and ``os.environb`` are recorded as well."""
    config = (
        "import os\n"
        "workers = len([n for n in os.listdir() if n.endswith('.txt')])\n"
        "timeout = int(os.environb.get(b'GLT_TIMEOUT', b'30'))\n"
    )
    folder = project(tmp_path, config)
    assert settings(loads(folder))[::2] == (1, 30)
    assert settings(loads(folder, GLT_TIMEOUT="45"))[::2] == (1, 45)
    assert loads.started == 2
    (folder / "more.txt").write_text("")
    backdate(folder)
    assert settings(loads(folder, GLT_TIMEOUT="45"))[::2] == (2, 45)
    assert loads.started == 3


@pytest.mark.parametrize("changed", ["helper.py", "new-file"])
def test_a_file_or_folder_changed_while_it_loaded_is_not_kept(
    tmp_path: Path, loads: Loads, changed: str
) -> None:
    folder = project(tmp_path)
    (folder / changed).write_text('BIND = "127.0.0.1:8000"\n')  # modified now (a new file: the folder)
    loads(folder)
    loads(folder)
    assert loads.started == 2


@pytest.mark.parametrize(
    "config",
    [
        "import subprocess\nworkers = len(subprocess.run(['true']).args)\n",
        'logconfig_dict = {"root": {"level": "INFO"}, "dsn": "https://user:'
        + "s3cr"
        + 'etpw@example.com/1"}\n',
    ],
    ids=["runs-a-process", "holds-a-secret"],
)
def test_answers_that_cannot_be_kept(tmp_path: Path, loads: Loads, config: str) -> None:
    folder = project(tmp_path, config)
    first = loads(folder)
    assert loads(folder) == first
    assert loads.started == 2
    assert list((tmp_path / "cache" / "golive" / "gunicorn").glob("*.json")) == []


def test_an_answer_holding_a_secret_of_the_environment_is_not_kept(tmp_path: Path, loads: Loads) -> None:
    folder = project(tmp_path, 'import os\nproc_name = os.environ["APP_SECRET_KEY"]\n')
    secret = "Zq8" + "vT2mR5wL9xN1bK7cJ4hF6"  # built at test time: no real-format token in the file
    first = loads(folder, APP_SECRET_KEY=secret)
    assert first.servers[0].settings["proc_name"] == secret
    assert loads(folder, APP_SECRET_KEY=secret) == first
    assert loads.started == 2
    assert list((tmp_path / "cache" / "golive" / "gunicorn").glob("*.json")) == []


def test_a_short_secret_value_blocks_only_as_a_whole_value(tmp_path: Path, loads: Loads) -> None:
    """A 4-character secret (the folder's name ``proj`` is in every path of the answer) blocks
    an answer that holds it as a value, not one whose paths contain it."""
    folder = project(tmp_path, "workers = 2\n")
    loads(folder, AWS_ACCESS_KEY_ID="proj")
    loads(folder, AWS_ACCESS_KEY_ID="proj")
    assert loads.started == 1
    (folder / "gunicorn.conf.py").write_text('import os\nproc_name = os.environ["AWS_ACCESS_KEY_ID"]\n')
    backdate(folder)
    assert loads(folder, AWS_ACCESS_KEY_ID="proj").servers[0].settings["proc_name"] == "proj"
    loads(folder, AWS_ACCESS_KEY_ID="proj")
    assert loads.started == 3


def test_expired_entries_are_removed_when_an_answer_is_kept(tmp_path: Path, loads: Loads) -> None:
    from golive.collectors.appservers import gunicorn_cache

    folder = tmp_path / "cache" / "golive" / "gunicorn"
    folder.mkdir(parents=True)
    old, recent = folder / ("0" * 64 + ".json"), folder / ("1" * 64 + ".json")
    for path in (old, recent):
        path.write_text("{}")
    os.utime(old, (time.time() - 13 * 3600, time.time() - 13 * 3600))
    gunicorn_cache._PRUNED.discard(folder)  # once per process and folder
    loads(project(tmp_path))
    assert not old.exists() and recent.exists()
    assert len(list(folder.glob("*.json"))) == 2


def test_the_cache_can_be_switched_off(tmp_path: Path, loads: Loads) -> None:
    folder = project(tmp_path)
    ctx = context(folder, XDG_CACHE_HOME=str(loads.cache))
    ctx = replace(ctx, config=Config(raw={"gunicorn": {"loader_cache_hours": 0}}))
    gunicorn.collect(ctx)
    gunicorn.collect(ctx)
    assert loads.started == 2
