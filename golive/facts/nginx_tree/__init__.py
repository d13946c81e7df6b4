"""The parsed nginx configuration as an immutable tree, and the ways golive walks it.

The tree is gixy-ng's (itself built on the crossplane fork gixy-ng ships), with
``include`` already followed, copied into frozen :class:`Node` values so facts cannot
change under a check. The helpers here only navigate, following nginx's documented
semantics; they judge nothing:

- inheritance: array directives such as ``add_header`` and ``proxy_set_header`` are
  inherited from the previous level "if and only if there are no ... directives defined
  on the current level" (https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header);
  scalar ones the same way, innermost wins;
- ``listen`` defaults to ``*:80`` (https://nginx.org/en/docs/http/ngx_http_core_module.html#listen);
- request routing by ``location``: exact ``=`` first, then the longest prefix (its nested
  locations first), which ends the search with ``^~``, else the first matching regular
  expression in order of appearance
  (https://nginx.org/en/docs/http/ngx_http_core_module.html#location).

Modules: :mod:`.tree` (the tree, its navigation and nginx's routing of a request to a
location), :mod:`.requests` (what a block does with a request). Everything public is
re-exported here: import it from ``golive.facts.nginx_tree``.
"""

from __future__ import annotations

from golive.facts.nginx_tree.requests import (
    SIZE_RE,
    app_passes,
    denies,
    from_client,
    lost_inherited,
    redirects_to_https,
    rejects_all,
    served_directory,
    set_header,
    size,
)
from golive.facts.nginx_tree.tree import (
    APP_PASS_DIRECTIVES,
    PASS_DIRECTIVES,
    Chain,
    Listen,
    Node,
    PassTarget,
    effective,
    effective_value,
    find_location,
    from_gixy,
    headers,
    listens,
    location_matches,
    pass_targets,
    passes_in,
    server_names,
    servers,
    upstreams,
    walk,
)

__all__ = [
    "APP_PASS_DIRECTIVES",
    "PASS_DIRECTIVES",
    "SIZE_RE",
    "Chain",
    "Listen",
    "Node",
    "PassTarget",
    "app_passes",
    "denies",
    "effective",
    "effective_value",
    "find_location",
    "from_client",
    "from_gixy",
    "headers",
    "listens",
    "location_matches",
    "lost_inherited",
    "pass_targets",
    "passes_in",
    "redirects_to_https",
    "rejects_all",
    "served_directory",
    "server_names",
    "servers",
    "set_header",
    "size",
    "upstreams",
    "walk",
]
