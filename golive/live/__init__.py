"""The live-site probing engine behind the ``live`` collector and ``golive probe``.

``client`` (httpx, curl-style ``--resolve``, bounded bodies, no cross-host redirects),
``tls`` (standard-library ``ssl``: protocols, chain, expiry, key size, host name),
``probe`` (what is requested of a site, concurrently under global and per-host limits),
``screenshots`` (Playwright driving Debian's chromium). The facts they produce are in
:mod:`golive.facts.live`, the page recognisers in :mod:`golive.facts.live_pages`; checks
live in :mod:`golive.checks.live`.
"""
