"""Work the nginx collector shares instead of doing twice (issue 15), held to the answers of
the work it replaces: a path's resolution (from its folder's, as ``Path.resolve`` gives it)
and where a file is shown (from the remembered resolutions, as ``display_path`` shows it),
the root's top-level statements (from the validity pass, as ``top_level`` parses them), a
file's state in the ``nginx -t`` keys (one digest with the scan keys for a file outside the
scratch folder), the walk of a tree (its chains kept on the node, as the recursive walk made
them), a gixy-ng result restored from the scan cache (not redacted again: the result made
again) and golive's code identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec.structs
import pytest

from golive.collectors.deployment_files import display_path
from golive.collectors.nginx import scan_cache, test_cache
from golive.collectors.nginx.inputs import read_input, scan_input
from golive.collectors.nginx.lexing import lexed_once
from golive.collectors.nginx.paths import resolved, resolved_once, shown
from golive.collectors.nginx.read import top_level, validate, validate_root
from golive.facts.nginx import GixyResult
from golive.facts.nginx_tree import Node, walk
from golive.model import Location


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a file inside, a symbolic link into it from outside, and a file outside."""
    root = tmp_path / "project"
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "site.conf").write_text("server { listen 80; }\n")
    (tmp_path / "outside.conf").write_text("server { listen 81; }\n")
    (tmp_path / "link.conf").symlink_to(root / "deploy" / "site.conf")
    (root / "up").symlink_to(tmp_path)
    return root


def test_shown_is_display_path(project: Path) -> None:
    tmp = project.parent
    paths = [
        project / "deploy" / "site.conf",
        project / "deploy" / ".." / "deploy" / "site.conf",
        tmp / "outside.conf",
        tmp / "link.conf",
        project / "up" / "outside.conf",
        project / "missing.conf",
    ]
    for folder in (project, project / "up" / "project", tmp):
        expected = [display_path(p, folder) for p in paths]
        with resolved_once():
            assert [shown(p, folder) for p in paths] == expected
            assert [shown(p, folder) for p in paths] == expected  # remembered


@pytest.mark.parametrize(
    "text",
    [
        "server {\n    listen 80;\n    location / { return 204; }\n}\n",
        "events {}\nhttp {\n    server { listen 80; }\n}\n",
        "# only a comment\n",
        "",
        "upstream app { server 127.0.0.1:8000; }\nserver { listen 80; }\n",
    ],
)
def test_the_root_statements_are_top_levels(tmp_path: Path, text: str) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text(text)
    errors, included, top = validate_root(conf, tmp_path, tmp_path, root_text=text)
    assert (errors, included) == validate(conf, tmp_path, tmp_path)
    assert not errors
    assert top == top_level(text)


@pytest.mark.parametrize(
    "text",
    [
        # a directive of a newer nginx than crossplane's table: no error for golive, but the
        # strict pass dropped it, so the lenient parse is asked (None)
        "server {\n    listen 80;\n}\nhttp3 on;\n",
        "load_module modules/x.so;\nmore_set_headers 'X: y';\n",
    ],
)
def test_a_root_with_crossplane_errors_gives_no_statements(tmp_path: Path, text: str) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text(text)
    errors, _, top = validate_root(conf, tmp_path, tmp_path, root_text=text)
    assert not errors
    assert top is None


def test_a_wrong_argument_count_is_an_error_and_no_statements(tmp_path: Path) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text("server_tokens on off;\nserver { listen 80; }\n")
    errors, _, top = validate_root(conf, tmp_path, tmp_path)
    assert errors and top is None


def test_a_file_outside_the_scratch_folder_has_its_plain_state(tmp_path: Path) -> None:
    scratch = tmp_path / "golive-nginx-abc"
    scratch.mkdir()
    outside = tmp_path / "site.conf"
    outside.write_text(f"include {scratch}/x.conf;\n")  # names the folder: still read as it is
    inside = scratch / "nginx.conf"
    inside.write_text(f"pid {scratch}/nginx.pid;\n")
    assert test_cache._state(outside, scratch) == test_cache.file_state(outside)
    plain = test_cache.file_state(inside)
    placeholder = test_cache._state(inside, scratch)
    assert placeholder is not None and placeholder != plain  # the folder's name replaced there
    other = tmp_path / "golive-nginx-xyz"
    other.mkdir()
    (other / "nginx.conf").write_text(f"pid {other}/nginx.pid;\n")
    assert test_cache._state(other / "nginx.conf", other) == placeholder
    assert test_cache._state(tmp_path / "golive-nginx-abcdef" / "n.conf", scratch) == "absent"


def _recursive_walk(chain: tuple[Node, ...]) -> Iterator[tuple[Node, ...]]:
    """The walk as it was written before it kept its chains (the reference)."""
    for child in chain[-1].children or ():
        sub = (*chain, child)
        yield sub
        if child.is_block:
            yield from _recursive_walk(sub)


def _trees() -> list[Node]:
    """The trees gixy-ng makes of the nginx rule fixtures, the include tree and the dump."""
    fixtures = Path(__file__).parent / "fixtures" / "nginx"
    files = [*sorted(fixtures.glob("GL7*/*.conf"))[:20], fixtures / "includes" / "nginx.conf"]
    files.append(fixtures / "dump" / "nginx-T.txt")
    roots = []
    with lexed_once(), resolved_once():
        for path in files:
            item = read_input(path, "given", None, fixtures)
            scan_input(item, fixtures)
            assert item.root is not None, path
            roots.append(item.root)
    return roots


def test_walk_gives_the_chains_of_the_recursive_walk() -> None:
    leaf = Node("return", ("204",), "a.conf", 3)
    deep = Node("location", ("/",), "a.conf", 2, (leaf, Node("if", ("$x",), "a.conf", 4, ())))
    synthetic = Node("main", (), "a.conf", None, (Node("server", (), "a.conf", 1, (deep, leaf)),))
    for root in [synthetic, Node("main", (), "", None, None), *_trees()]:
        expected = list(_recursive_walk((root,)))
        assert list(walk((root,))) == expected
        assert list(walk((root,))) == expected  # kept on the node: the same chains again
        for chain in expected[:30]:  # from a longer chain: made as read
            assert list(walk(chain)) == list(_recursive_walk(chain))


def test_the_kept_chains_are_not_part_of_the_fact() -> None:
    root = Node("main", (), "a.conf", None, (Node("listen", ("80",), "a.conf", 1),))
    before = repr(root)
    assert list(walk((root,)))
    assert repr(root) == before and "descendants" not in [f.name for f in msgspec.structs.fields(root)]


def test_resolved_is_path_resolve(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "a.conf").write_text("events {}\n")
    (tmp_path / "linkdir").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "up").symlink_to("..")
    (tmp_path / "real" / "sub" / "b.conf").symlink_to("a.conf")
    (tmp_path / "real" / "dangling.conf").symlink_to(tmp_path / "nowhere" / "x.conf")
    paths = [
        tmp_path / "real" / "sub" / "a.conf",
        tmp_path / "linkdir" / "sub" / "a.conf",
        tmp_path / "linkdir" / "sub" / "b.conf",
        tmp_path / "linkdir" / "up" / "linkdir" / "sub",
        tmp_path / "real" / "sub" / ".." / "sub" / "a.conf",
        tmp_path / "real" / "dangling.conf",
        tmp_path / "missing" / "deeper" / "c.conf",
        tmp_path / "real" / "sub" / "a.conf" / "not-a-folder",
        Path("/"),
    ]
    expected = [p.resolve() for p in paths]
    with resolved_once():
        assert [resolved(p) for p in paths] == expected
        assert [resolved(p) for p in reversed(paths)] == expected[::-1]


def test_a_kept_gixy_result_is_the_result_made_again() -> None:
    values = {
        "plugin": "host_spoofing",
        "severity": "MEDIUM",
        "summary": "The proxied Host header may be spoofed.",
        "description": "d",
        "reason": "proxy_set_header Host $http_host",
        "help_url": "https://gixy.getpagespeed.com/checks/host-spoofing/",
        "excerpt": "server {\n\tproxy_set_header Host $http_host;\n}",
        "location": Location(path="a.conf", line=3),
        "source": "",
        "directive": "proxy_set_header",
    }
    made = GixyResult(**values)  # type: ignore[arg-type]
    assert GixyResult.redacted(**msgspec.structs.asdict(made) | {"location": made.location}) == made
    with pytest.raises(TypeError):
        GixyResult.redacted(**{k: v for k, v in values.items() if k != "directive"})
    with pytest.raises(TypeError):
        GixyResult.redacted(**values, extra=1)


def test_the_code_identity_names_each_file_from_the_package() -> None:
    root = Path(scan_cache.__file__).resolve().parents[2]
    lines = scan_cache.code_identity().splitlines()
    names = [line.rsplit(" ", 2)[0] for line in lines]
    assert "collectors/nginx/scan_cache.py" in names and "__init__.py" in names
    assert all((root / name).is_file() and not name.startswith("/") for name in names)
