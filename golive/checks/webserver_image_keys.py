"""A TLS private key generated into the image at build time (checklist section 7, GL716).

nginx's ``ssl_certificate_key`` names the key the server proves its identity with; a key that
a Dockerfile ``RUN`` generates (``openssl req -keyout``, ``sscg``, ``mkcert``...) is the same
in every container started from the image and is readable by anyone who can pull the image
(its layers are plain tar archives: https://docs.docker.com/build/building/best-practices/
keeps secrets out of layers), so a stock deployment's TLS can be impersonated or, without
forward secrecy, decrypted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from golive.facts.nginx import NginxFacts
from golive.facts.nginx_tree import walk
from golive.facts.project import ProjectFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL716",
    title="nginx's TLS private key is generated into the image at build time",
    severity=Severity.MEDIUM,
    needs=(NginxFacts, ProjectFacts),
    reference="https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key",
    remediation="""
    Give each deployment its own key at run time: mount it (a volume or a secret) where
    `ssl_certificate_key` points, or obtain one at start (certbot, a TLS-terminating proxy),
    and drop the key generation from the Dockerfile.
    """,
)
def key_in_image(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx: ``ssl_certificate_key`` "specifies a file with the secret key in the PEM format"
    (https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_key). When its
    path is a key a production Dockerfile's ``RUN`` writes, every container of the image, and
    everyone who pulls it, holds the same secret key. Matched by path; a key mounted over that
    path at run time is not visible here, hence a risky default rather than a certainty.
    """
    generated = {posixpath.normpath(k.path): k for k in facts[ProjectFacts].build_keys}
    if not generated:
        return
    seen: set[str] = set()
    for parsed in facts[NginxFacts].parsed:
        if parsed.root is None:
            continue
        for chain in walk((parsed.root,)):
            node = chain[-1]
            if node.name != "ssl_certificate_key" or not node.args:
                continue
            key = generated.get(posixpath.normpath(node.args[0]))
            if key is None or node.evidence() in seen:
                continue
            seen.add(node.evidence())
            yield spec.fail(
                subjects=["ssl_certificate_key"],
                location=node.location,
                evidence=[
                    node.evidence(),
                    f"{key.dockerfile}:{key.line}: {key.tool} writes this private key when the image is"
                    " built: every container and everyone who pulls the image share it (self-signed)",
                ],
            )
