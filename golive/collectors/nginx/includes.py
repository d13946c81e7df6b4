"""Resolving nginx ``include`` files that are not where nginx would read them.

nginx reads ``include FILE`` against its prefix (``/etc/nginx``) or as an absolute path
(https://nginx.org/en/docs/ngx_core_module.html#include). A repository holds the site
files but rarely that tree: ``include proxy_params;`` names a file Debian installs,
``include /etc/nginx/snippets/ssl-params.conf;`` one the repository keeps as
``deploy/nginx/snippets/ssl-params.conf``. For an include whose file does not exist
against the prefix (and is not a glob, which may match nothing in nginx too), in order:

1. the repository's file with the longest matching path tail (``snippets/ssl-params.conf``,
   or ``nginx/proxy.conf`` for ``/srv/app/nginx/proxy.conf``), when exactly one file has it;
2. golive's copy of a stock file (:mod:`golive.data.nginx_stock`);
3. else *unknown*: the rest is analysed, and an ``include`` node stays in the tree where it
   was written (:mod:`golive.facts.nginx`), so the checks that miss a directive it could
   hold say unknown instead of fail.

:class:`IncludeResolver` holds one audited input's decisions (the crossplane pass and
gixy-ng's parser ask it the same questions); :func:`make_gixy_parser` gives gixy-ng's
``NginxParser`` with its file-include step extended by this lookup (gixy-ng still parses
every file; golive adds no nginx parser of its own).
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.collectors.deployment_files import deployment_files
from golive.collectors.nginx.paths import resolved
from golive.collectors.nginx.paths import shown as show
from golive.facts.nginx import REPOSITORY, STOCK, UNKNOWN, IncludeNote, NginxDeployment

if TYPE_CHECKING:  # golive.data.nginx_stock is imported where an include is missing
    from golive.data.nginx_stock import StockFile

#: nginx's prefix in the official image and Debian's package: relative includes start there.
CONTAINER_PREFIX = "/etc/nginx"
#: Marks the file name gixy-ng attributes a stock file's directives to.
STOCK_MARK = "<golive stock "


class IncludeResolver:
    """The lookup of one audited input's missing includes, and its record.

    ``notes`` lists each missing include (once per place it is written) and how it was
    resolved; ``sites`` maps the names gixy-ng gives stock files' directives to
    ``(including file as gixy-ng names it, line, stock file)``; ``file_includes`` counts the
    includes gixy-ng's parser resolved as files (none in a dump it reads as one).
    """

    def __init__(self, project_dir: Path, deployment: NginxDeployment | None = None) -> None:
        self.project_dir = project_dir
        self.deployment = deployment
        self.notes: list[IncludeNote] = []
        self.sites: dict[str, tuple[str, int | None, StockFile]] = {}
        self.file_includes = 0
        self._files: list[Path] | None = None

    def _repository(self) -> list[Path]:
        if self._files is None:
            self._files = sorted(deployment_files(self.project_dir))
        return self._files

    def in_repository(self, pattern: str) -> Path | None:
        """The repository file with the longest path tail in common with ``pattern`` (at
        least its name), when exactly one file has that tail; None otherwise."""
        from golive.data.nginx_stock import conf_relative

        relative = conf_relative(pattern)
        parts = [p for p in (relative or pattern).split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            return None
        for start in range(len(parts)):
            tail = parts[start:]
            hits = [f for f in self._repository() if f.parts[-len(tail) :] == tuple(tail)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                return None
        return None

    def through_mounts(self, pattern: str) -> list[str] | None:
        """An absolute include as the Compose service that runs nginx sees it: the
        repository path(s) its bind mounts put there (``/etc/nginx/conf.d/*.conf`` with
        ``./nginx/conf.d:/etc/nginx/conf.d`` is ``<repo>/nginx/conf.d/*.conf``; a glob also
        matches single files mounted into that folder); None when no mount holds it."""
        if self.deployment is None or not pattern.startswith("/"):
            return None
        binds = [v for v in self.deployment.service.volumes if not v.named and not v.source.startswith("/")]
        folders = []
        for vol in binds:
            target = posixpath.normpath(vol.target)
            if pattern == target or pattern.startswith(target.rstrip("/") + "/"):
                folders.append((len(target), str(self.project_dir / vol.source) + pattern[len(target) :]))
        if folders:
            return [max(folders)[1]]
        files = sorted(
            (posixpath.normpath(v.target), str(self.project_dir / v.source))
            for v in binds
            if glob.has_magic(pattern) and fnmatch.fnmatch(posixpath.normpath(v.target), pattern)
        )
        return [source for _, source in files] or None

    def mapped(self, pattern: str, prefix: str | Path) -> list[str] | None:
        """Where the repository holds what an include names on the server, or None (then
        nginx's own resolution applies): through the Compose mounts (relative includes start
        at /etc/nginx, the official image's and Debian's prefix), else, for a file of the
        repository, ``/etc/nginx/...`` under the folder that stands for /etc/nginx (the prefix),
        never the /etc/nginx of the machine golive runs on."""
        inside = pattern if os.path.isabs(pattern) else f"{CONTAINER_PREFIX}/{pattern}"
        mounted = self.through_mounts(inside)
        if mounted is not None:
            return mounted
        in_repo = (str(resolved(Path(prefix))) + "/").startswith(str(resolved(self.project_dir)) + "/")
        if in_repo and pattern.startswith(CONTAINER_PREFIX + "/"):
            return [str(prefix) + pattern[len(CONTAINER_PREFIX) :]]
        return None

    def expand(self, pattern: str, prefix: Path) -> tuple[list[Path], bool]:
        """(the files an include names, whether it is a glob), as nginx resolves it against
        ``prefix`` (:func:`missing` tells a non-glob's absent file), through the Compose
        mounts first."""
        is_glob = glob.has_magic(pattern)
        mapped = self.mapped(pattern, prefix)
        if mapped is None:
            full = pattern if os.path.isabs(pattern) else os.path.join(prefix, pattern)
            mapped = [full]
        files: list[Path] = []
        for item in mapped:
            files += [Path(p) for p in sorted(glob.glob(item))] if glob.has_magic(item) else [Path(item)]
        return files, is_glob

    def lookup(self, pattern: str, shown: str, line: int | None, tried: Path) -> Path | StockFile | None:
        """Resolve a missing, non-glob include written at ``shown``:``line``: a repository
        file, a stock file, or None (unknown). Each call is recorded in ``notes``."""
        from golive.data.nginx_stock import stock_file

        found: Path | StockFile | None = self.in_repository(pattern)
        if isinstance(found, Path):
            how, target = REPOSITORY, show(found, self.project_dir)
        else:
            found = stock_file(pattern)
            how, target = (STOCK, found.label) if found is not None else (UNKNOWN, str(tried))
        note = IncludeNote(path=shown, line=line, pattern=pattern, how=how, target=target)
        if note not in self.notes:
            self.notes.append(note)
        return found

    def unknown(self) -> list[IncludeNote]:
        """The includes found nowhere."""
        return [n for n in self.notes if n.how == UNKNOWN]

    def relative_stock_only(self) -> bool:
        """True when every missing include is a stock file named relative to the prefix (what
        :meth:`materialise` can put where ``nginx -t`` reads it)."""
        return all(n.how == STOCK and not n.pattern.startswith("/") for n in self.notes)

    def materialise(self, prefix: Path) -> None:
        """Write golive's copies of the relative stock includes under ``prefix`` (a scratch
        directory ``nginx -t`` runs in), as the package installs them under ``/etc/nginx``."""
        from golive.data.nginx_stock import stock_file

        for note in self.notes:
            stock = stock_file(note.pattern) if note.how == STOCK else None
            if stock is not None and not note.pattern.startswith("/"):
                target = prefix / note.pattern
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(stock.text, encoding="utf-8")


def missing(pattern: str, prefix: str | Path) -> Path | None:
    """The path nginx would read for a non-glob ``include`` that does not exist, else None."""
    full = Path(pattern if os.path.isabs(pattern) else os.path.join(prefix, pattern))
    if glob.has_magic(str(full)) or os.path.exists(full):
        return None
    return full


def make_gixy_parser(cwd: Path, resolver: IncludeResolver) -> Any:
    """gixy-ng's ``NginxParser`` (``cwd`` its prefix) whose file includes go through
    ``resolver`` when the file does not exist: a repository file is parsed in place, a
    stock file's text is parsed in place with its directives attributed to the ``include``
    line, and an unknown one leaves an ``include`` directive in the tree."""
    from gixy.directives.directive import Directive
    from gixy.parser.nginx_parser import NginxParser

    project_dir = resolver.project_dir

    def shown(gixy_file: str) -> tuple[str, int | None] | None:
        site = resolver.sites.get(gixy_file)
        return None if site is None else (site[0], site[1])

    class Parser(NginxParser):
        """gixy-ng's parser; only its file-include step is extended."""

        _include_line: int | None = None

        def parse_block(self, parsed_block: Any, parent: Any) -> None:
            """gixy-ng's ``parse_block``, one directive at a time (same result)."""
            for node in parsed_block:  # one at a time, to know the line of each include
                if isinstance(node, dict) and node.get("kind") == "include":
                    self._include_line = node.get("line")
                super().parse_block([node], parent)

        def _resolve_file_include(self, pattern: str, parent: Any) -> None:
            resolver.file_includes += 1
            mapped = resolver.mapped(pattern, self.cwd)
            if mapped is not None and (glob.has_magic(pattern) or os.path.exists(mapped[0])):
                for item in mapped:
                    super()._resolve_file_include(item, parent)
                return None
            target = mapped[0] if mapped is not None else pattern
            tried = missing(target, self.cwd)
            if tried is None:
                return super()._resolve_file_include(pattern, parent)
            includer, line = self.path_info, self._include_line
            outer = shown(includer)
            site_file, site_line = outer if outer is not None else (includer, line)
            found = resolver.lookup(pattern, show(Path(site_file), project_dir), site_line, tried)
            if isinstance(found, Path):
                return super()._resolve_file_include(str(found), parent)
            if found is None:
                node = Directive("include", [pattern])
                node.line, node.file = line, includer
                parent.append(node)
                return None
            name = f"{STOCK_MARK}{found.key} #{len(resolver.sites)}>"
            resolver.sites[name] = (site_file, site_line, found)
            before = len(parent.children)
            self.parse_string(found.text, root=parent, path_info=name)
            for child in parent.children[before:]:
                _relocate(child, site_line)
            return None

    return Parser(cwd=str(cwd), allow_includes=True)


def _relocate(directive: Any, line: int | None) -> None:
    """Give a stock file's directive (and its block's children) the ``include``'s line."""
    directive.line = line
    for child in getattr(directive, "children", None) or ():
        _relocate(child, line)
