"""The include files nginx and certbot install, as golive knows them (``nginx_stock.json``).

Site configurations name files they do not ship: ``include proxy_params;``,
``include fastcgi_params;``, ``include snippets/snakeoil.conf;``, certbot's
``include /etc/letsencrypt/options-ssl-nginx.conf;``. When such a file is neither on disk
(against the prefix) nor in the repository, the nginx collector reads golive's copy of its
effective directives instead of losing the configuration. The copies and the package
versions they were read from (Debian nginx-common 1.22.1-9+deb12u12, python3-certbot-nginx
2.1.0-2) are in the JSON file beside this module, with what earlier versions set differently.

An include names a stock file by its path relative to nginx's configuration directory
(``proxy_params``, ``snippets/fastcgi-php.conf``), that path under a usual configuration
directory (``/etc/nginx/proxy_params``), or the absolute path a tool installs it at
(``/etc/letsencrypt/options-ssl-nginx.conf``). Relative includes are resolved against the
prefix (https://nginx.org/en/docs/ngx_core_module.html#include). A file of the same name
as a top-level stock file elsewhere (``/srv/app/uwsgi_params``, as uWSGI's nginx tutorial
copies it: https://uwsgi-docs.readthedocs.io/en/latest/tutorials/Django_and_nginx.html) is
taken for that file.
"""

from __future__ import annotations

import functools
import json
import posixpath
from importlib import resources
from typing import Any

from msgspec import Struct


class StockFile(Struct, frozen=True, kw_only=True):
    """One known include file: its ``key`` (as named relative to the configuration
    directory, or absolute), the package version it was read from, and its directives."""

    key: str
    origin: str
    text: str

    @property
    def label(self) -> str:
        """``proxy_params as Debian nginx-common 1.22.1-9+deb12u12 (bookworm) ships it``."""
        return f"{self.key} as {self.origin} ships it"


@functools.cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("golive.data").joinpath("nginx_stock.json").read_text(encoding="utf-8")
    )
    return data


def stock_files() -> dict[str, StockFile]:
    """Every stock file golive knows, by key."""
    return {
        key: StockFile(key=key, origin=str(entry["origin"]), text="\n".join(entry["lines"]) + "\n")
        for key, entry in _table()["files"].items()
    }


def conf_relative(pattern: str) -> str | None:
    """``/etc/nginx/snippets/x.conf`` → ``snippets/x.conf`` (the path under a usual nginx
    configuration directory); a relative pattern is returned normalised; None for another
    absolute path."""
    if not pattern.startswith("/"):
        return posixpath.normpath(pattern)
    for folder in _table()["conf_dirs"]:
        if pattern.startswith(folder.rstrip("/") + "/"):
            return posixpath.normpath(pattern[len(folder.rstrip("/")) + 1 :])
    return None


def stock_file(pattern: str) -> StockFile | None:
    """The stock file an ``include`` argument names, or None (globs never name one)."""
    if any(c in pattern for c in "*?["):
        return None
    files = stock_files()
    if pattern in files:
        return files[pattern]
    relative = conf_relative(pattern)
    if relative is not None and relative in files:
        return files[relative]
    # uWSGI's tutorial copies uwsgi_params next to the project: /srv/app/uwsgi_params
    name = posixpath.basename(pattern)
    return files.get(name) if "/" not in name and name in files else None
