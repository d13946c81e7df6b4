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

import glob
import os
from pathlib import Path
from typing import Any

from golive.collectors.servers_common import deployment_files, display_path
from golive.data.nginx_stock import StockFile, conf_relative, stock_file
from golive.facts.nginx import REPOSITORY, STOCK, UNKNOWN, IncludeNote

#: Marks the file name gixy-ng attributes a stock file's directives to.
STOCK_MARK = "<golive stock "


class IncludeResolver:
    """The lookup of one audited input's missing includes, and its record.

    ``notes`` lists each missing include (once per place it is written) and how it was
    resolved; ``sites`` maps the names gixy-ng gives stock files' directives to
    ``(including file as gixy-ng names it, line, stock file)``.
    """

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.notes: list[IncludeNote] = []
        self.sites: dict[str, tuple[str, int | None, StockFile]] = {}
        self._files: list[Path] | None = None

    def _repository(self) -> list[Path]:
        if self._files is None:
            self._files = sorted(deployment_files(self.project_dir))
        return self._files

    def in_repository(self, pattern: str) -> Path | None:
        """The repository file with the longest path tail in common with ``pattern`` (at
        least its name), when exactly one file has that tail; None otherwise."""
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

    def lookup(self, pattern: str, shown: str, line: int | None, tried: Path) -> Path | StockFile | None:
        """Resolve a missing, non-glob include written at ``shown``:``line``: a repository
        file, a stock file, or None (unknown). Each call is recorded in ``notes``."""
        found: Path | StockFile | None = self.in_repository(pattern)
        if isinstance(found, Path):
            how, target = REPOSITORY, display_path(found, self.project_dir)
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
            tried = missing(pattern, self.cwd)
            if tried is None:
                return super()._resolve_file_include(pattern, parent)
            includer, line = self.path_info, self._include_line
            outer = shown(includer)
            site_file, site_line = outer if outer is not None else (includer, line)
            found = resolver.lookup(pattern, display_path(Path(site_file), project_dir), site_line, tried)
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
