"""The live site as the world sees it (checklist section 8, ids GL8xx).

Every check reads :class:`~golive.facts.live.LiveFacts` (what the requests of
:mod:`golive.collectors.live.engine` saw, named by :class:`~golive.facts.live.Probe`) and,
where it helps, the project's runtime settings (cookie names). Evidence is the request line
and the response lines that matter; ``Set-Cookie`` values are redacted when the facts are
made. Each check judges one site (:func:`golive.checks.live.common.site_check`); the
registry gives a site that answered nothing an ``error`` outcome, and a request that could
not be made a ``skipped`` one (e.g. the certificate is not trusted and ``--insecure`` was not
given), a request that failed in transit an ``error`` one, with the reason.

Sources: Django's deployment checklist
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/) and security
guide (https://docs.djangoproject.com/en/stable/topics/security/), RFC 6797 (HSTS),
RFC 6265 (cookies), RFC 8996 (TLS 1.0/1.1), RFC 9325 (TLS recommendations), RFC 9111
(HTTP caching), RFC 9116 (security.txt), W3C Mixed Content and Permissions Policy, the
Fetch standard (CORS), nginx's docs.
"""

from __future__ import annotations

from golive.checks.live import assets, cookies, errorpages, exposure, files, headers, https, tls
from golive.registry import CheckSpec

#: The live-site check modules, in checklist order.
MODULES = (https, tls, cookies, exposure, headers, files, assets, errorpages)

# The registry reads the CheckSpecs at the top level of this package (golive.checks).
globals().update({n: v for m in MODULES for n, v in vars(m).items() if isinstance(v, CheckSpec)})
