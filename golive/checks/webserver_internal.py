"""Files nginx keeps for X-Accel-Redirect served to anyone by another location (checklist
section 7, GL717).

A Django view that checks permissions can answer with ``X-Accel-Redirect: /internal/...`` and
let nginx send the file from a location marked ``internal`` ("Specifies that a given location
can only be used for internal requests. For external requests, the client error 404 (Not
Found) is returned": https://nginx.org/en/docs/http/ngx_http_core_module.html#internal).
When another, public location of the same server serves that folder (or a folder above it),
the permission check is bypassed by asking for the file at the public path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import Chain, Node, passes_in, served_directory, walk
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL717",
    title="nginx serves to anyone the folder it keeps for X-Accel-Redirect (internal)",
    severity=Severity.MEDIUM,
    needs=(NginxFacts,),
    reference="https://nginx.org/en/docs/http/ngx_http_core_module.html#internal",
    remediation="""
    Serve the protected folder only from the internal location, and the public files from a
    folder of their own:

        location /internal/ { internal; alias /data/; }
        location /uploads/pictures/ { alias /data/pictures/; }   # only what is public
    """,
)
def internal_served_publicly(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx's ``internal``: "Specifies that a given location can only be used for internal
    requests" (X-Accel-Redirect among them), which is how a Django view hands out a file after
    checking who asks. A public prefix location of the same server whose ``alias``/``root``
    serves that same folder, or a folder above it, hands the same files to anyone who knows or
    guesses their path. A public location serving only a subfolder is not reported (it may
    hold the files meant to be public).
    """
    for _file, server in facts[NginxFacts].servers():
        served = [(loc, *found) for loc in _locations(server) if (found := _served(loc)) is not None]
        internal = [(loc, folder, node) for loc, folder, node in served if loc[-1].first("internal")]
        for loc, folder, node in served:
            if loc[-1].first("internal") is not None:
                continue
            for hidden, hidden_folder, _ in internal:
                if hidden_folder == folder or hidden_folder.startswith(folder.rstrip("/") + "/"):
                    mark = hidden[-1].first("internal")
                    assert mark is not None
                    yield spec.fail(
                        subjects=["alias" if node.name == "alias" else "root", "internal"],
                        location=node.location,
                        evidence=[
                            f"location {loc[-1].args[-1]} serves {folder}: {node.evidence()}",
                            f"location {hidden[-1].args[-1]} serves the same files only to"
                            f" X-Accel-Redirect ({mark.evidence()})",
                        ],
                    )
                    break


def _locations(server: Chain) -> list[Chain]:
    return [chain for chain in walk(server) if chain[-1].name == "location" and chain[-1].is_block]


def _served(loc: Chain) -> tuple[str, Node] | None:
    """The folder a prefix location serves (its own prefix resolved), unless it passes requests on."""
    if passes_in(loc) or not loc[-1].args:
        return None
    found = served_directory(loc, loc[-1].args[-1])
    return (os.path.normpath(found[0]), found[1]) if found is not None else None
