"""Vendor token formats (issue 11, item 6): each format found, and a near miss not found.

Every token is assembled at run time from parts and random characters (``"gh" + "p_" +
...``), so this file never holds a string that a secret scanner, golive's own history scan
included, would report. ``CASES`` holds, per rule id, a line with the token (and the value
the rule must report: the credential alone, not the name before it) and a line with a near
miss (one character short, a wrong prefix, a word around it, an expired JWT). A meta-test
demands a case for every row of the table, and the table has at least 60 rows.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
from collections.abc import Callable

import pytest

from golive.collectors.git.history import HistoryScan
from golive.collectors.git.scanner import FileScanner
from golive.facts.secrets.token_formats import (
    HISTORY_MARKERS,
    TOKEN_FORMATS,
    TOKENS_BY_RULE,
    find_tokens,
    jwt_is_credential,
)

DIGITS = string.digits
HEX = "0123456789abcdef"
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
UPPER_ALNUM = UPPER + DIGITS
LOWER_ALNUM = LOWER + DIGITS
ALNUM = string.ascii_letters + DIGITS
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
LETTERS = string.ascii_letters


def r(n: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def jwt(payload: dict[str, object], alg: str = "HS256") -> str:
    return b64url({"alg": alg, "typ": "JWT"}) + "." + b64url(payload) + "." + r(43, URLSAFE)


def uuid() -> str:
    return "-".join(r(n, HEX) for n in (8, 4, 4, 4, 12))


#: rule → builder of (line with the token, the value reported, line with a near miss).
Case = tuple[str, str, str]
CASES: dict[str, Callable[[], Case]] = {}


def case(rule: str) -> Callable[[Callable[[], Case]], Callable[[], Case]]:
    def add(build: Callable[[], Case]) -> Callable[[], Case]:
        CASES[rule] = build
        return build

    return add


def simple(rule: str, token: Callable[[], str], miss: Callable[[], str], name: str = "value") -> None:
    """A token assigned in a settings-like line; the miss in the same place."""

    def build() -> Case:
        t = token()
        return f'{name} = "{t}"', t, f'{name} = "{miss()}"'

    CASES[rule] = build


# -- cloud -------------------------------------------------------------------------------
simple(
    "aws-access-key-id", lambda: "AK" + "IA" + r(16, UPPER_ALNUM), lambda: "AK" + "IA" + r(15, UPPER_ALNUM)
)


@case("aws-secret-access-key")
def _aws_secret() -> Case:
    v = r(40, B64)
    return f"aws_secret_access_key = {v}", v, f"aws_secret_access_key = {r(39, B64)}"


@case("aws-ses-smtp-password")
def _ses() -> Case:
    v = "B" + r(43, B64)
    return f'EMAIL_HOST_PASSWORD = "{v}"', v, f'EMAIL_HOST_PASSWORD = "{"A" + r(43, B64)}"'


simple("aws-bedrock-api-key", lambda: "AB" + "SK" + r(120, B64), lambda: "AB" + "SK" + r(100, B64))


@case("gcp-service-account-key")
def _gcp_sa() -> Case:
    v = r(40, HEX)
    return f'  "private_key_id": "{v}",', v, f'  "private_key_id": "{r(39, HEX)}",'


simple(
    "google-oauth-client-secret",
    lambda: "GOC" + "SPX-" + r(28, URLSAFE),
    lambda: "GOC" + "SPX-" + r(20, URLSAFE),
)
simple("google-api-key", lambda: "AI" + "za" + r(35, URLSAFE), lambda: "AI" + "za" + r(30, URLSAFE))


@case("azure-storage-account-key")
def _azure_storage() -> Case:
    v = r(86, B64) + "=="
    conn = "DefaultEndpointsProtocol=https;AccountName=shop;Account" + "Key="
    return (
        f'AZURE_CONNECTION_STRING = "{conn}{v};EndpointSuffix=core.windows.net"',
        v,
        f'x = "{conn}{r(40, B64)}"',
    )


@case("azure-shared-access-key")
def _azure_sas() -> Case:
    v = r(43, B64) + "="
    conn = "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccess" + "Key="
    return f'BUS = "{conn}{v}"', v, f'BUS = "{conn}<key>"'


simple(
    "azure-ad-client-secret",
    lambda: r(3, ALNUM) + r(1, DIGITS) + "Q" + "~" + r(34, ALNUM),
    lambda: r(3, ALNUM) + r(1, DIGITS) + "Q" + "~" + r(20, ALNUM),
)
simple("digitalocean-token", lambda: "do" + "p_v1_" + r(64, HEX), lambda: "do" + "p_v1_" + r(63, HEX))
simple("heroku-api-key", lambda: "HR" + "KU-AA" + r(58, URLSAFE), lambda: "HR" + "KU-AA" + r(50, URLSAFE))
simple("alibaba-access-key-id", lambda: "LT" + "AI" + r(20, ALNUM), lambda: "LT" + "AI" + r(19, ALNUM))
simple(
    "cloudflare-origin-ca-key",
    lambda: "v1" + ".0-" + r(24, HEX) + "-" + r(146, HEX),
    lambda: "v1" + ".0-" + r(24, HEX) + "-" + r(100, HEX),
)
simple("flyio-token", lambda: "fo" + "1_" + r(43, URLSAFE), lambda: "fo" + "1_" + r(30, URLSAFE))
simple(
    "terraform-cloud-token",
    lambda: r(14, ALNUM) + ".atlas" + "v1." + r(65, URLSAFE),
    lambda: r(14, ALNUM) + ".atlas" + "v2." + r(65, URLSAFE),
)
simple("vault-token", lambda: "hv" + "s." + r(95, URLSAFE), lambda: "hv" + "s." + r(40, URLSAFE))
simple("doppler-token", lambda: "dp" + ".pt." + r(43, ALNUM), lambda: "dp" + ".pt." + r(20, ALNUM))
simple(
    "onepassword-service-account-token",
    lambda: "op" + "s_eyJ" + r(260, B64),
    lambda: "op" + "s_eyJ" + r(100, B64),
)
simple("databricks-token", lambda: "da" + "pi" + r(32, HEX), lambda: "da" + "pi" + r(31, HEX))
simple("pulumi-token", lambda: "pu" + "l-" + r(40, HEX), lambda: "pu" + "l-" + r(39, HEX))
simple(
    "tailscale-key",
    lambda: "ts" + "key-auth-" + r(12, ALNUM) + "-" + r(30, ALNUM),
    lambda: "ts" + "key-auth-" + r(12, ALNUM),
)
simple(
    "planetscale-token",
    lambda: "pscale" + "_pw_" + r(43, URLSAFE),
    lambda: "pscale" + "_pw_" + r(20, URLSAFE),
)
simple("supabase-token", lambda: "sb" + "p_" + r(40, HEX), lambda: "sb" + "p_" + r(39, HEX))

# -- payment -----------------------------------------------------------------------------
simple("stripe-secret-key", lambda: "sk" + "_live_" + r(24), lambda: "sk" + "_live_" + r(8))
simple("stripe-webhook-secret", lambda: "wh" + "sec_" + r(32), lambda: "wh" + "sec_" + r(20))
simple(
    "braintree-access-token",
    lambda: "access_token$" + "production$" + r(16, LOWER_ALNUM) + "$" + r(32, HEX),
    lambda: "access_token$" + "production$" + r(16, LOWER_ALNUM) + "$" + r(31, HEX),
)
simple("square-token", lambda: "sq0" + "csp-" + r(43, URLSAFE), lambda: "sq0" + "csp-" + r(30, URLSAFE))
simple("shopify-token", lambda: "shp" + "at_" + r(32, HEX), lambda: "shp" + "xx_" + r(32, HEX))
simple(
    "flutterwave-secret-key",
    lambda: "FLW" + "SECK-" + r(32, "abcdefgh0123456789") + "-X",
    lambda: "FLW" + "SECK-" + r(32, "abcdefgh0123456789"),
)
simple("shippo-token", lambda: "shippo" + "_live_" + r(40, HEX), lambda: "shippo" + "_live_" + r(39, HEX))
simple("easypost-api-key", lambda: "EZ" + "AK" + r(54, ALNUM), lambda: "EZ" + "AK" + r(50, ALNUM))
simple(
    "plaid-access-token",
    lambda: "access" + "-production-" + uuid(),
    lambda: "access" + "-staging-" + uuid(),
)

# -- mail --------------------------------------------------------------------------------
simple(
    "sendgrid-api-key", lambda: "S" + "G." + r(22, URLSAFE) + "." + r(43, URLSAFE), lambda: "S" + "G." + r(22)
)
simple("mailgun-api-key", lambda: "ke" + "y-" + r(32, HEX), lambda: "ke" + "y-" + r(31, HEX), "MAILGUN")
simple(
    "mailchimp-api-key",
    lambda: r(32, HEX) + "-u" + "s" + r(2, DIGITS),
    lambda: r(32, HEX) + "-eu" + r(2, DIGITS),
)


@case("postmark-server-token")
def _postmark() -> Case:
    v = uuid()
    return f'POSTMARK_SERVER_TOKEN = "{v}"', v, f'POSTMARK_SERVER_TOKEN = "{v[:-1]}"'


simple(
    "brevo-api-key",
    lambda: "xkey" + "sib-" + r(64, HEX) + "-" + r(16, ALNUM),
    lambda: "xkey" + "sib-" + r(64, HEX),
)

# -- messaging ---------------------------------------------------------------------------
simple(
    "slack-token",
    lambda: "xo" + "xb-" + r(12, DIGITS) + "-" + r(12, DIGITS) + "-" + r(24),
    lambda: "xo" + "xz-" + r(12, DIGITS) + "-" + r(24),
)
simple(
    "slack-app-token",
    lambda: "xa" + "pp-1-" + r(11, UPPER_ALNUM) + "-" + r(13, DIGITS) + "-" + r(64, LOWER_ALNUM),
    lambda: "xa" + "pp-1-" + r(11, UPPER_ALNUM),
)


@case("slack-webhook")
def _slack_hook() -> Case:
    url = (
        "https://hooks."
        + "slack.com/services/T"
        + r(10, UPPER_ALNUM)
        + "/B"
        + r(10, UPPER_ALNUM)
        + "/"
        + r(24)
    )
    miss = "https://hooks." + "slack.com/services/T" + r(10, UPPER_ALNUM)
    return f'WEBHOOK = "{url}"', url, f'WEBHOOK = "{miss}"'


@case("slack-workflow-webhook")
def _slack_workflow() -> Case:
    url = (
        "https://hooks."
        + "slack.com/workflows/T"
        + r(10, UPPER_ALNUM)
        + "/A"
        + r(10, UPPER_ALNUM)
        + "/"
        + r(18, DIGITS)
        + "/"
        + r(24)
    )
    return f'HOOK = "{url}"', url, 'HOOK = "https://hooks.' + 'slack.com/workflows/"'


simple("twilio-api-key", lambda: "S" + "K" + r(32, HEX), lambda: "S" + "K" + r(31, HEX), "TWILIO_API_KEY")


@case("twilio-auth-token")
def _twilio_auth() -> Case:
    v = r(32, HEX)
    return f'TWILIO_AUTH_TOKEN = "{v}"', v, f'TWILIO_AUTH_TOKEN = "{r(31, HEX)}"'


simple(
    "telegram-bot-token",
    lambda: r(10, DIGITS) + ":A" + "A" + r(33, URLSAFE),
    lambda: r(10, DIGITS) + ":A" + "B" + r(33, URLSAFE),
)
simple(
    "discord-bot-token",
    lambda: "M" + r(23, URLSAFE) + "." + r(6, URLSAFE) + "." + r(27, URLSAFE),
    lambda: "M" + r(23, URLSAFE) + "." + r(6, URLSAFE) + "." + r(10, URLSAFE),
    "DISCORD_TOKEN",
)


@case("discord-webhook")
def _discord_hook() -> Case:
    url = "https://discord." + "com/api/webhooks/" + r(18, DIGITS) + "/" + r(68, URLSAFE)
    return f'HOOK = "{url}"', url, 'HOOK = "https://discord.' + 'com/api/webhooks/"'


@case("teams-webhook")
def _teams() -> Case:
    url = (
        "https://shop.web"
        + "hook.office.com/webhookb2/"
        + uuid()
        + "@"
        + uuid()
        + "/IncomingWebhook/"
        + r(32, LOWER_ALNUM)
        + "/"
        + uuid()
    )
    return f'TEAMS = "{url}"', url, 'TEAMS = "https://shop.web' + 'hook.office.com/webhookb2/"'


# -- code hosting, registries, CI --------------------------------------------------------
simple("github-token", lambda: "gh" + "p_" + r(36), lambda: "gh" + "p_" + r(35))
simple("github-oauth-token", lambda: "gh" + "o_" + r(36), lambda: "gh" + "o_" + r(30))
simple("github-app-token", lambda: "gh" + "s_" + r(36), lambda: "gh" + "x_" + r(36))
simple("github-refresh-token", lambda: "gh" + "r_" + r(76), lambda: "gh" + "r_" + r(20))
simple("gitlab-token", lambda: "gl" + "pat-" + r(20, URLSAFE), lambda: "gl" + "pat-" + r(12, URLSAFE))
simple("gitlab-ci-token", lambda: "gl" + "rt-" + r(20, URLSAFE), lambda: "gl" + "rt-" + r(12, URLSAFE))
simple("gitlab-app-token", lambda: "gl" + "oas-" + r(64, URLSAFE), lambda: "gl" + "oas-" + r(40, URLSAFE))
simple(
    "atlassian-api-token", lambda: "ATA" + "TT3" + r(186, URLSAFE), lambda: "ATA" + "TT3" + r(100, URLSAFE)
)
simple("npm-token", lambda: "np" + "m_" + r(36), lambda: "np" + "m_" + r(30))
simple(
    "pypi-token",
    lambda: "py" + "pi-AgEIcHlwaS5vcmc" + r(60, URLSAFE),
    lambda: "py" + "pi-AgEIcHlwaS5vcmc" + r(20),
)
simple("rubygems-token", lambda: "ruby" + "gems_" + r(48, HEX), lambda: "ruby" + "gems_" + r(40, HEX))
simple(
    "docker-hub-token", lambda: "dck" + "r_pat_" + r(27, URLSAFE), lambda: "dck" + "r_pat_" + r(20, URLSAFE)
)
simple("nuget-api-key", lambda: "oy" + "2" + r(43, LOWER_ALNUM), lambda: "oy" + "2" + r(40, LOWER_ALNUM))
simple("artifactory-api-key", lambda: "AK" + "Cp" + r(69), lambda: "AK" + "Cp" + r(60))
simple(
    "postman-api-key",
    lambda: "PM" + "AK-" + r(24, HEX) + "-" + r(34, HEX),
    lambda: "PM" + "AK-" + r(24, HEX) + "-" + r(30, HEX),
)
simple("sonarqube-token", lambda: "sq" + "u_" + r(40, HEX), lambda: "sq" + "u_" + r(39, HEX))
simple("buildkite-token", lambda: "bk" + "ua_" + r(40, HEX), lambda: "bk" + "ua_" + r(39, HEX))
simple("linear-api-key", lambda: "lin" + "_api_" + r(40), lambda: "lin" + "_api_" + r(39))
simple(
    "notion-token", lambda: "nt" + "n_" + r(11, DIGITS) + r(35), lambda: "nt" + "n_" + r(11, DIGITS) + r(30)
)
simple(
    "airtable-token",
    lambda: "pa" + "t" + r(14) + "." + r(64, HEX),
    lambda: "pa" + "t" + r(14) + "." + r(60, HEX),
    "AIRTABLE_TOKEN",
)
simple("figma-token", lambda: "fi" + "gd_" + r(40, URLSAFE), lambda: "fi" + "gd_" + r(30, URLSAFE))
simple("contentful-token", lambda: "CF" + "PAT-" + r(43, URLSAFE), lambda: "CF" + "PAT-" + r(40, URLSAFE))
simple("netlify-token", lambda: "nf" + "p_" + r(36), lambda: "nf" + "p_" + r(30))
simple(
    "age-secret-key",
    lambda: "AGE-SECRET" + "-KEY-1" + r(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"),
    lambda: "AGE-SECRET" + "-KEY-1" + r(58, "B1IO"),
)

# -- monitoring --------------------------------------------------------------------------
simple(
    "sentry-auth-token",
    lambda: "sntry" + "s_eyJ" + r(100, B64) + "_" + r(43, B64),
    lambda: "sntry" + "s_eyJ" + r(20, B64),
)


@case("datadog-api-key")
def _dd_api() -> Case:
    v = r(32, HEX)
    return f'DATADOG_API_KEY = "{v}"', v, f'DATADOG_API_KEY = "{r(31, HEX)}"'


@case("datadog-app-key")
def _dd_app() -> Case:
    v = r(40, HEX)
    return f"DD_APP_KEY={v}", v, f"DD_APP_KEY={r(39, HEX)}"


simple("new-relic-key", lambda: "NR" + "AK-" + r(27, UPPER_ALNUM), lambda: "NR" + "AK-" + r(20, UPPER_ALNUM))
simple(
    "grafana-token",
    lambda: "gl" + "sa_" + r(32) + "_" + r(8, HEX),
    lambda: "gl" + "sa_" + r(32),
)
simple(
    "dynatrace-token",
    lambda: "dt0" + "c01." + r(24, UPPER_ALNUM) + "." + r(64, UPPER_ALNUM),
    lambda: "dt0" + "c01." + r(24, UPPER_ALNUM) + "." + r(60, UPPER_ALNUM),
)

# -- AI APIs -----------------------------------------------------------------------------
simple(
    "anthropic-api-key",
    lambda: "sk-" + "ant-api03-" + r(93, URLSAFE) + "AA",
    lambda: "sk-" + "ant-api03-" + r(50, URLSAFE),
)
simple(
    "openai-api-key",
    lambda: "sk-" + "proj-" + r(74, URLSAFE) + "T3Blbk" + "FJ" + r(74, URLSAFE),
    lambda: "sk-" + "proj-" + r(74, URLSAFE) + r(74, URLSAFE),
)
simple("huggingface-token", lambda: "h" + "f_" + r(34, LETTERS), lambda: "h" + "f_" + r(34, DIGITS))
simple("replicate-token", lambda: "r" + "8_" + r(37), lambda: "r" + "8_" + r(30))
simple("groq-api-key", lambda: "gs" + "k_" + r(52), lambda: "gs" + "k_" + r(40))
simple("perplexity-api-key", lambda: "pp" + "lx-" + r(48), lambda: "pp" + "lx-" + r(40))
simple("xai-api-key", lambda: "xa" + "i-" + r(80), lambda: "xa" + "i-" + r(70))

# -- other -------------------------------------------------------------------------------
simple(
    "dropbox-token",
    lambda: "s" + "l." + r(140, URLSAFE),
    lambda: "s" + "l." + r(60, URLSAFE),
    "DROPBOX_ACCESS_TOKEN",
)
simple(
    "mapbox-secret-token",
    lambda: "s" + "k.eyJ" + r(60, URLSAFE) + "." + r(22, URLSAFE),
    lambda: "p" + "k.eyJ" + r(60, URLSAFE) + "." + r(22, URLSAFE),
)
simple(
    "twitter-bearer-token",
    lambda: "A" * 22 + r(90, ALNUM + "%"),
    lambda: "A" * 22 + r(40, ALNUM),
)


@case("jwt")
def _jwt() -> Case:
    live = jwt({"sub": "42", "role": "service_role"})
    expired = jwt({"sub": "42", "exp": int(time.time()) - 3600})
    return f'SUPABASE_KEY = "{live}"', live, f'SESSION = "{expired}"'


# -- the tests ---------------------------------------------------------------------------


def test_at_least_sixty_formats_each_with_a_source() -> None:
    assert len(TOKEN_FORMATS) >= 60
    for fmt in TOKEN_FORMATS:
        assert fmt.reference.startswith("https://"), fmt.rule
        assert fmt.markers, fmt.rule
    assert len(TOKENS_BY_RULE) == len(TOKEN_FORMATS)


def test_every_format_has_a_positive_and_a_negative_case() -> None:
    assert sorted(CASES) == sorted(TOKENS_BY_RULE)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_found(rule: str) -> None:
    line, value, _ = CASES[rule]()
    hits = [(fmt.rule, v) for fmt, v in find_tokens(line)]
    assert (rule, value) in hits
    # The file scanner reports it under the rule, with the value alone.
    matches = FileScanner("shop/settings.py").scan(line)
    assert (rule, value) in [(m.rule, m.value) for m in matches]


@pytest.mark.parametrize("rule", sorted(CASES))
def test_near_miss_not_found(rule: str) -> None:
    _, _, miss = CASES[rule]()
    assert rule not in [fmt.rule for fmt, _ in find_tokens(miss)]


class Stream:
    """A ``git log -p`` stream held in memory (what :class:`HistoryScan` reads)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        out, self.data = self.data[:size], self.data[size:]
        return out


def history_found(lines: list[str]) -> set[tuple[str, str]]:
    """(rule, value) of every secret a history scan finds in one commit adding ``lines``."""
    stream = (
        "\x01" + "a" * 40 + "\x00" + "1700000000\x002024-01-01T00:00:00+00:00\x00Ann\n\n"
        "diff --git a/shop/settings.py b/shop/settings.py\n--- /dev/null\n+++ b/shop/settings.py\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join(f"+{line}" for line in lines) + "\n"
    ).encode()
    scan = HistoryScan()
    scan.feed(Stream(stream))
    return set(scan.found)


def test_the_history_scan_finds_every_format_on_a_line_naming_a_secret() -> None:
    """Where tokens nearly always sit (``X_API_KEY = ...``, ``token: ...``): the candidate
    search's secret words let every format through."""
    built = {rule: CASES[rule]() for rule in sorted(CASES)}
    found = history_found([f"{line}  # api token" for line, _, _ in built.values()])
    assert [rule for rule, (_, value, _) in built.items() if (rule, value) not in found] == []


def test_the_history_scan_finds_the_high_signal_prefixes_on_any_line() -> None:
    rules = [f.rule for f in TOKEN_FORMATS if any(h in m.lower() for m in f.markers for h in HISTORY_MARKERS)]
    assert sorted(rules) == [
        "anthropic-api-key",
        "digitalocean-token",
        "docker-hub-token",
        "google-oauth-client-secret",
        "huggingface-token",
        "openai-api-key",
        "sentry-auth-token",
        "stripe-webhook-secret",
    ]
    built = {rule: CASES[rule]() for rule in rules}
    found = history_found([f"client = Client({value!r})" for _, value, _ in built.values()])
    assert [rule for rule, (_, value, _) in built.items() if (rule, value) not in found] == []


def test_a_jwt_counts_only_as_a_usable_credential() -> None:
    now = time.time()
    assert jwt_is_credential(jwt({"sub": "42"}), now)  # never expires
    assert jwt_is_credential(jwt({"sub": "42", "exp": now + 3600}), now)
    assert jwt_is_credential(jwt({"sub": "42", "exp": now - 3600, "password": "x"}), now)
    assert not jwt_is_credential(jwt({"sub": "42", "exp": now - 3600}), now)
    assert not jwt_is_credential(jwt({"sub": "42"}, alg="none"), now)
    assert not jwt_is_credential(jwt({"sub": "1234567890", "name": "John Doe"}), now)  # jwt.io's example
    assert not jwt_is_credential("eyJ" + r(20) + ".eyJ" + r(20) + "." + r(20), now)  # not JSON


def test_an_aws_secret_next_to_its_key_id_is_paired_without_a_name() -> None:
    """``boto3.client("s3", "AKIA...", "<40 characters>")``: the secret has no name, its key id
    beside it says what it is. A 40-digit hex string (a git sha) beside a key id is not one."""
    key_id = "AK" + "IA" + r(16, UPPER_ALNUM)
    secret = r(18, LOWER) + r(18, UPPER) + "/+" + r(2, DIGITS)
    line = f'client = boto3.client("s3", "{key_id}", "{secret}")'
    assert [(f.rule, v) for f, v in find_tokens(line)] == [
        ("aws-access-key-id", key_id),
        ("aws-secret-access-key", secret),
    ]
    sha = r(40, HEX)
    assert [f.rule for f, _ in find_tokens(f'pin("{key_id}", "{sha}")')] == ["aws-access-key-id"]
    assert [f.rule for f, _ in find_tokens(f'pin("{secret}")')] == []


def test_every_flyio_token_form_is_found_on_a_line_without_a_secret_word() -> None:
    """Fly.io's macaroon tokens start fo1_, fm1_, fm1a_, fm1r_, fm2_, fm2a_ or fm2r_ (the
    pattern's fm[12][ar]?_): each must pass the markers' prefilter of a HEAD file's line,
    not only the fm1 and fm2_ forms."""
    from golive.collectors.git.scanner import scan_text

    body = r(120, string.ascii_letters + string.digits + "+/")
    for prefix in ("fm1_", "fm1a_", "fm1r_", "fm2_", "fm2a_", "fm2r_"):
        line = f'client = FlyClient("{prefix}{body}")'
        assert [m.rule for _, m in scan_text("deploy.py", line)] == ["flyio-token"], prefix
