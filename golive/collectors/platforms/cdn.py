"""CDNs in front of the site, recognised from the repository's Terraform files.

A ``resource`` block whose type names a CDN service says the site is served through it:
Fastly (``fastly_service_vcl``, ``fastly_service_compute``,
https://registry.terraform.io/providers/fastly/fastly/latest/docs), Amazon CloudFront
(``aws_cloudfront_distribution``), Cloudflare (``cloudflare_*``), Azure Front Door/CDN
(``azurerm_cdn_*``, ``azurerm_frontdoor*``) and Google Cloud CDN
(``google_compute_backend_*`` with ``enable_cdn``). For Fastly, ``force_ssl = true`` in a
``request_setting`` (its redirect of plain http to https) and a header named
``Strict-Transport-Security`` are named with their lines. Nothing else is judged: the
file is listed with what was recognised. HCL is matched line by line, not evaluated.
"""

from __future__ import annotations

import re
from pathlib import Path

RESOURCE_RE = re.compile(r'^\s*resource\s+"([\w-]+)"\s+"([\w-]+)"', re.M)
MODULE_RE = re.compile(r'^\s*module\s+"([\w-]+)"\s*\{[^}]*?source\s*=\s*"([^"]+)"', re.M | re.S)
CDN_TYPES = (
    ("fastly_service_", "Fastly"),
    ("aws_cloudfront_distribution", "CloudFront"),
    ("cloudflare_", "Cloudflare"),
    ("azurerm_cdn_", "Azure CDN"),
    ("azurerm_frontdoor", "Azure Front Door"),
)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def read(path: Path, shown: str) -> tuple[str, list[str]]:
    """What the Terraform file at ``path`` holds (one line for the report) and the CDNs it
    declares (``Fastly (infra/cdn/main.tf:1)``). Raises ``OSError``/``UnicodeDecodeError``."""
    text = path.read_text(encoding="utf-8")
    cdns: list[str] = []
    parts: list[str] = []
    for m in RESOURCE_RE.finditer(text):
        kind, name = m.groups()
        vendor = next((v for prefix, v in CDN_TYPES if kind.startswith(prefix)), None)
        if vendor is None:
            continue
        cdns.append(f"{vendor} ({shown}:{_line(text, m.start())}, resource {kind}.{name})")
    if cdns:
        parts.append("CDN " + ", ".join(c.split(" (", 1)[0] for c in cdns))
        force = re.search(r"^\s*force_ssl\s*=\s*true", text, re.M)
        if force:
            parts.append(f"force_ssl = true at line {_line(text, force.start())}")
        hsts = re.search(r"Strict-Transport-Security", text)
        if hsts:
            parts.append(f"Strict-Transport-Security header at line {_line(text, hsts.start())}")
    modules = [f"{name} ({source})" for name, source in MODULE_RE.findall(text)]
    if modules:
        parts.append("modules " + ", ".join(modules))
    kinds = sorted({m.group(1) for m in RESOURCE_RE.finditer(text)})
    if kinds and not cdns:
        parts.append("resources " + ", ".join(kinds[:6]) + (" ..." if len(kinds) > 6 else ""))
    summary = f"{shown} (Terraform: {'; '.join(parts) or 'no resource'}; not audited further)"
    return summary, cdns
