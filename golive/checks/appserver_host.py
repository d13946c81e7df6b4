"""An application served on every interface of a host, with no proxy in front (checklist
section 6, GL628).

A systemd unit runs on the host itself, not in a container: an address ``0.0.0.0:8000`` on its
``ExecStart`` line is every network the host is on. With no nginx of the repository proxying
to that port, clients talk to the application server directly: plain http, no TLS, no Host
filtering or body limits in front (Django's deployment guide puts a web server in front of the
application server: https://docs.djangoproject.com/en/stable/howto/deployment/; gunicorn's
"we strongly advise that you use Nginx": https://docs.gunicorn.org/en/stable/deploy.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.facts.endpoints import Endpoint
from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import pass_targets
from golive.facts.project import ProjectFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

#: ``0.0.0.0:8000``, ``[::]:8000``, ``*:8000``: an address on every interface, with its port.
EVERY_INTERFACE = re.compile(r"^(0\.0\.0\.0|\[::\]|\*):(\d{2,5})$")


@check(
    "GL628",
    title="a systemd unit serves the application on every interface of the host, with no proxy in front",
    severity=Severity.MEDIUM,
    needs=(ProjectFacts,),
    uses=(NginxFacts,),
    reference="https://docs.gunicorn.org/en/stable/deploy.html",
    remediation="""
    Listen on loopback and put nginx (or another TLS-terminating proxy) in front:

        ExecStart=/usr/local/bin/app server 127.0.0.1:8000
    """,
)
def unit_on_every_interface(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """gunicorn's deployment guide: "Although there are many HTTP proxies available, we
    strongly advise that you use Nginx"; Django's: the application server sits behind a web
    server. A systemd ``ExecStart`` that names an address on every interface (``0.0.0.0:PORT``,
    ``[::]:PORT``; as an argument or an option's value) while no nginx configuration of the
    repository passes requests to that port serves the application directly to the networks
    the host is on. Reported for any program, the project's own command included; a unit
    behind an nginx of the repository is the shared rules' (GL611).
    """
    nginx = facts.get(NginxFacts)
    targets = [
        ep
        for parsed in (nginx.parsed if nginx is not None else ())
        if parsed.root is not None
        for target in pass_targets(parsed.root)
        for ep in target.endpoints
    ]
    for cmd in facts[ProjectFacts].commands:
        if cmd.origin != "systemd ExecStart":
            continue
        for word in cmd.argv:
            found = EVERY_INTERFACE.match(word.split("=", 1)[-1])
            if found is None:
                continue
            port = int(found.group(2))
            bind = Endpoint(kind="tcp", text=found.group(0), host=found.group(1), port=port)
            if any(ep.reaches(bind) for ep in targets):
                break
            yield spec.fail(
                subjects=["ExecStart"],
                location=cmd.location,
                evidence=[
                    f"{cmd.origin}: {cmd.command}",
                    f"{found.group(0)}: every interface of the host, and no nginx of the repository"
                    f" proxies to port {port}: clients reach the application directly",
                ],
            )
            break
