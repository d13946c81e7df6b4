"""Mozilla's server-side TLS guidelines, the yardstick of golive's TLS rules (GL760, GL814,
GL816, GL817).

Source: https://wiki.mozilla.org/Security/Server_Side_TLS ("Recommended configurations")
and https://ssl-config.mozilla.org/guidelines/5.7.json. Three profiles: ``modern`` (TLS 1.3
only), ``intermediate`` (TLS 1.2 and 1.3, forward-secret AEAD suites only: "recommended
for almost all systems") and ``old`` (TLS 1.0 to 1.3 and RSA key exchange, for "services
accessed by very old clients"). golive judges by ``intermediate`` unless ``[tool.golive]``
sets ``tls_profile``; every TLS finding names the profile it refers to.
"""

from __future__ import annotations

from msgspec import Struct

from golive.facts.run import RunFacts
from golive.registry import Facts

DEFAULT_PROFILE = "intermediate"
#: Mozilla's intermediate TLS 1.2 cipher suites (ssl-config.mozilla.org, guidelines 5.7).
INTERMEDIATE_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
)


class Profile(Struct, frozen=True):
    """One of Mozilla's profiles: its ``name``, the ``protocols`` it allows, whether RSA key
    exchange (``kRSA``) is in its cipher list, and the ``ssl_protocols`` line it gives nginx."""

    name: str
    protocols: tuple[str, ...]
    rsa_kex: bool
    nginx_protocols: str

    @property
    def label(self) -> str:
        """``Mozilla server-side TLS, intermediate profile`` (the start of an evidence line)."""
        return f"Mozilla server-side TLS, {self.name} profile"

    @property
    def judged(self) -> str:
        """The evidence line naming the profile a finding refers to."""
        return f"judged by {self.label} (tls_profile in [tool.golive])"


PROFILES = {
    "modern": Profile("modern", ("TLSv1.3",), False, "ssl_protocols TLSv1.3;"),
    "intermediate": Profile("intermediate", ("TLSv1.2", "TLSv1.3"), False, "ssl_protocols TLSv1.2 TLSv1.3;"),
    "old": Profile(
        "old",
        ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
        True,
        "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;",
    ),
}


def profile(facts: Facts) -> Profile:
    """The profile the audit judges by: ``tls_profile`` of ``[tool.golive]`` (validated by
    :mod:`golive.config`, carried by :class:`~golive.facts.run.RunFacts`), else
    :data:`DEFAULT_PROFILE`; the default too without run facts (unit tests)."""
    run = facts.get(RunFacts)
    name = run.tls_profile if run is not None else None
    return PROFILES.get(name, PROFILES[DEFAULT_PROFILE]) if name else PROFILES[DEFAULT_PROFILE]
