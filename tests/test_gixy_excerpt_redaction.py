"""gixy-ng's excerpt is redacted as nginx directives, not as free text.

The excerpt is gixy-ng's pseudo-config of the offending directives, quoted in GL evidence
(:mod:`golive.checks.gixy`): ``proxy_set_header X-Api-Key abc123def;`` has no ``NAME=`` or
``--option`` for :func:`golive.redact.redact_text` to find, so each line is read as a
directive and passed through :func:`golive.redact_nginx.redact_directive`. Secrets are built at
test time.
"""

from __future__ import annotations

import secrets

from golive.facts.nginx import GixyResult


def test_a_credential_header_in_a_gixy_excerpt_is_redacted() -> None:
    key, basic, param = (secrets.token_hex(12) for _ in range(3))
    excerpt = (
        "server {\n"
        "\tlocation /api/ {\n"
        f"\t\tproxy_set_header X-Api-Key {key};\n"
        f'\t\tproxy_set_header Authorization "Basic {basic}";\n'
        f"\t\tfastcgi_param DB_PASSWORD '{param}';\n"
        "\t\tproxy_pass http://127.0.0.1:8000;\n"
        "\t}\n"
        "}"
    )
    result = GixyResult(
        plugin="origins",
        severity="MEDIUM",
        summary="s",
        description="d",
        reason="r",
        help_url="https://example.com",
        excerpt=excerpt,
        location=None,
    )
    for value in (key, basic, param):
        assert value not in result.excerpt
    assert result.excerpt.splitlines() == [
        "server {",
        "\tlocation /api/ {",
        "\t\tproxy_set_header X-Api-Key ***;",
        '\t\tproxy_set_header Authorization "Basic ***";',
        "\t\tfastcgi_param DB_PASSWORD '***';",
        "\t\tproxy_pass http://127.0.0.1:8000;",
        "\t}",
        "}",
    ]
