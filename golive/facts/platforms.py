"""Platform manifests: what Kubernetes, Helm, Heroku, Fly.io and Render files say about the
deployment, and how static files are served (WhiteNoise).

Built by :mod:`golive.collectors.platforms`; read by :mod:`golive.checks.appserver` (GL623:
a platform that starts the containers as an unprivileged user) and shown in the report under
the ``platforms`` collector. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from msgspec import Struct

from golive.model import Location
from golive.registry import FactsBase

#: Request headers a CDN's edge sets itself on each request it forwards to the origin:
#: Fastly-SSL (https://www.fastly.com/documentation/reference/http/http-headers/Fastly-SSL/),
#: CloudFront-Forwarded-Proto
#: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html),
#: CF-Visitor (https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-visitor).
CDN_HEADERS: Mapping[str, tuple[str, ...]] = {
    "Fastly": ("fastly-ssl",),
    "CloudFront": ("cloudfront-forwarded-proto",),
    "Cloudflare": ("cf-visitor",),
}


class RunAs(Struct, frozen=True, kw_only=True):
    """A manifest that says who the application's processes run as: ``platform``
    (``Kubernetes``, ``Helm``, ``Heroku``), ``location`` and ``evidence``; ``root`` when it
    says uid 0."""

    platform: str
    location: Location
    evidence: str
    root: bool = False


class PlatformFacts(FactsBase, frozen=True, kw_only=True):
    """The platforms the repository deploys to (``platforms``: ``Heroku``, ``Kubernetes``,
    ``Helm``, ``Fly.io``, ``Render``), the ``files`` read with what each says, who the
    containers run as (``run_as``), how static files are served (``static_files``, ``""``
    when not seen), the CDNs in front (``cdn``: ``Fastly (infra/cdn/main.tf:1, resource
    fastly_service_vcl.www)``), and what golive recognises but does not audit (``not_audited``)."""

    collector: ClassVar[str] = "platforms"
    platforms: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    run_as: tuple[RunAs, ...] = ()
    static_files: str = ""
    cdn: tuple[str, ...] = ()
    not_audited: tuple[str, ...] = ()

    @property
    def unprivileged(self) -> tuple[RunAs, ...]:
        """The manifests that start the application as a user other than root (none of them
        saying root)."""
        if any(r.root for r in self.run_as):
            return ()
        return tuple(r for r in self.run_as if not r.root)

    def cdn_setting(self, header: str) -> str | None:
        """The CDN in front (an entry of :attr:`cdn`) that sets request ``header`` itself on
        what it forwards (:data:`CDN_HEADERS`), or None."""
        for entry in self.cdn:
            if header.lower() in CDN_HEADERS.get(entry.split(" (", 1)[0], ()):
                return entry
        return None

    @property
    def collector_details(self) -> Mapping[str, Any]:
        """What the report lists under this collector."""
        out: dict[str, Any] = {"platforms": list(self.platforms), "files": list(self.files)}
        if self.run_as:
            out["run as"] = [f"{r.evidence} ({r.location})" for r in self.run_as]
        if self.cdn:
            out["cdn"] = list(self.cdn)
        if self.static_files:
            out["static files"] = self.static_files
        if self.not_audited:
            out["notes"] = list(self.not_audited)
        return out
